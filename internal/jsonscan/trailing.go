package jsonscan

import (
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is Trailing's error for anything but white space after the value.
var ErrTrailing = errors.New("jsonscan: data after the JSON value")

// Trailing returns nil when only white space follows the JSON value dec has just decoded (a
// body must be exactly one value), else ErrTrailing, or the reader's own error (such as an
// *http.MaxBytesError, which a caller may answer 413). Decoder.More alone is false before a
// stray '}' or ']', so checking it accepts "{...}}".
func Trailing(dec *json.Decoder) error {
	_, err := dec.Token()
	switch {
	case err == io.EOF:
		return nil
	case err == nil:
		return ErrTrailing
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return ErrTrailing
	}
	return err
}
