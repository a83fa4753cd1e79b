package facemodel

import (
	"encoding/json"
	"fmt"
)

// faceAPISpecs lists the face-api ResNet tensors in the order the npm package stores them.
func faceAPISpecs() []WeightSpec {
	var specs []WeightSpec
	add := func(name string, shape ...int) {
		specs = append(specs, WeightSpec{Name: name, Shape: shape, DType: "float32"})
	}
	convScale := func(p string, k, in, out int) {
		add(p+"/conv/filters", k, k, in, out)
		add(p+"/conv/bias", out)
		add(p+"/scale/weights", out)
		add(p+"/scale/biases", out)
	}
	convScale("conv32_down", 7, 3, 32)
	for _, b := range []struct {
		p       string
		in, out int
	}{
		{"conv32_1", 32, 32}, {"conv32_2", 32, 32}, {"conv32_3", 32, 32},
		{"conv64_down", 32, 64}, {"conv64_1", 64, 64}, {"conv64_2", 64, 64}, {"conv64_3", 64, 64},
		{"conv128_down", 64, 128}, {"conv128_1", 128, 128}, {"conv128_2", 128, 128},
		{"conv256_down", 128, 256}, {"conv256_1", 256, 256}, {"conv256_2", 256, 256},
		{"conv256_down_out", 256, 256},
	} {
		convScale(b.p+"/conv1", 3, b.in, b.out)
		convScale(b.p+"/conv2", 3, b.out, b.out)
	}
	add("fc", 256, 128)
	return specs
}

// syntheticTFJS builds a uint8-quantised manifest and weights for the given specs; byte i of
// the weights is i%251 so every tensor differs.
func syntheticTFJS(specs []WeightSpec) (manifest, weights []byte) {
	for i := range specs {
		specs[i].Quantization = &Quantization{DType: "uint8", Scale: 0.01, Min: -1}
		n, err := elements(specs[i].Shape)
		if err != nil {
			panic(fmt.Sprint(specs[i].Name, err))
		}
		for j := 0; j < n; j++ {
			weights = append(weights, byte(len(weights)%251))
		}
	}
	manifest, err := json.Marshal(Manifest{{Paths: []string{TFJSWeightsFile}, Weights: specs}})
	if err != nil {
		panic(err)
	}
	return manifest, weights
}
