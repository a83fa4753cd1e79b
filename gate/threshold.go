package gate

import (
	"math"
	"strconv"
	"strings"
)

// validThreshold accepts a finite distance threshold above zero.
func validThreshold(t float32) bool {
	f := float64(t)
	return t > 0 && !math.IsInf(f, 0) && !math.IsNaN(f)
}

// ParseThreshold parses an operator-supplied face match threshold (e.g. an environment
// variable). fmt.Sscan and strconv accept "Inf" and "NaN"; a threshold of +Inf would board
// every face, so only finite values above zero are accepted.
func ParseThreshold(s string) (float32, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
	if err != nil || !validThreshold(float32(f)) {
		return 0, errorf(CodeInvalidRequest, "face match threshold must be a finite number > 0")
	}
	return float32(f), nil
}
