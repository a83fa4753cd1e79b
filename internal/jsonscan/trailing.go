package jsonscan

import (
	"encoding/json"
	"io"
)

// Trailing reports whether anything but white space follows the JSON value dec has just
// decoded: a body must be exactly one value. (Decoder.More is false before a stray '}' or ']',
// so checking it alone accepts "{...}}".)
func Trailing(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err != io.EOF
}
