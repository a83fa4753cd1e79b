package liveness

import (
	"errors"
	"testing"
)

func TestReadPthShippedWeights(t *testing.T) {
	for _, w := range []struct {
		name       string
		b          []byte
		tensors    int
		exp3, exp4 []int // conv_3 / conv_4 expansions read from the weights
		seBlocks   int
	}{
		{"V2", weightsV2, 284, []int{13, 13, 13, 13}, []int{231, 52, 26, 77, 26, 26}, 0},
		{"V1SE", weightsV1SE, 314, []int{13, 26, 13, 52}, []int{154, 52, 26, 52, 26, 26}, 3},
	} {
		t.Run(w.name, func(t *testing.T) {
			ts, err := readPth(w.b)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != w.tensors { // the int64 num_batches_tracked scalars are dropped
				t.Errorf("%d float tensors, want %d", len(ts), w.tensors)
			}
			n, err := buildNetwork(ts)
			if err != nil {
				t.Fatal(err)
			}
			var exp []int
			se := 0
			for _, b := range n.blocks {
				if b.residual {
					exp = append(exp, b.expand.cout)
				}
				if b.se != nil {
					se++
				}
			}
			want := append(append(append([]int{}, w.exp3...), w.exp4...), 26, 26)
			if len(exp) != len(want) {
				t.Fatalf("expansions %v, want %v", exp, want)
			}
			for i := range want {
				if exp[i] != want[i] {
					t.Fatalf("expansions %v, want %v", exp, want)
				}
			}
			if se != w.seBlocks {
				t.Errorf("%d SE modules, want %d", se, w.seBlocks)
			}
		})
	}
}

// TestReadPthRejects: truncations, trailing bytes, flipped bytes in the pickle and a swapped
// network (V2 weights where V1SE's are expected is still a valid network: no error there).
func TestReadPthRejects(t *testing.T) {
	mutate := func(f func([]byte) []byte) []byte { return f(append([]byte(nil), weightsV2...)) }
	cases := map[string][]byte{
		"empty":           nil,
		"magic only":      weightsV2[:15],
		"pickles only":    weightsV2[:66669],
		"truncated data":  weightsV2[:len(weightsV2)-1],
		"trailing byte":   append(append([]byte(nil), weightsV2...), 0),
		"bad magic":       mutate(func(b []byte) []byte { b[5] ^= 1; return b }),
		"little_endian":   mutate(func(b []byte) []byte { b[73] = 0x89; return b }), // NEWTRUE -> NEWFALSE
		"global renamed":  mutate(func(b []byte) []byte { b[140] = 'k'; return b }), // collections -> kollections
		"storage count":   mutate(func(b []byte) []byte { b[66669] ^= 1; return b }),
		"bad opcode":      mutate(func(b []byte) []byte { b[170] = 'i'; return b }), // MARK -> INST
		"oversized input": make([]byte, maxPthBytes+1),
	}
	for name, b := range cases {
		if _, err := loadNetwork(b); !errors.Is(err, ErrModelFormat) {
			t.Errorf("%s: err = %v, want ErrModelFormat", name, err)
		}
	}
}

func FuzzLoadNetwork(f *testing.F) {
	f.Add(weightsV2)
	f.Add(weightsV1SE)
	f.Add(weightsV2[:66669])
	f.Add(weightsV1SE[:200])
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := loadNetwork(b)
		if err != nil && !errors.Is(err, ErrModelFormat) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil { // whatever loads must run
			var logits [3]float32
			n.forward(newWorkspace(n.maxAct), make([]float32, 3*inputSize*inputSize), &logits)
		}
	})
}
