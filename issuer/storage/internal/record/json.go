package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/idgate/idgate/issuer/storage"
)

// EncodeAttributes encodes holder attributes as a JSON object (nil becomes {}).
func EncodeAttributes(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: attributes are not JSON: %v", storage.ErrInvalid, err)
	}
	if len(b) > storage.MaxJSONBytes {
		return nil, fmt.Errorf("%w: attributes larger than %d bytes", storage.ErrInvalid, storage.MaxJSONBytes)
	}
	return b, nil
}

// DecodeAttributes parses a stored attributes column: a JSON object of at most
// storage.MaxJSONBytes, nested at most storage.MaxJSONDepth deep, numbers as json.Number.
func DecodeAttributes(b []byte) (map[string]any, error) {
	if len(b) > storage.MaxJSONBytes {
		return nil, corrupt("attributes larger than %d bytes", storage.MaxJSONBytes)
	}
	if err := checkDepth(b, storage.MaxJSONDepth+1); err != nil {
		return nil, err
	}
	var m map[string]any
	if err := decodeOne(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, corrupt("attributes are not a JSON object")
	}
	return m, nil
}

// EncodeDetails encodes audit details as a JSON object of strings (nil becomes {}).
func EncodeDetails(m map[string]string) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("%w: details are not JSON: %v", storage.ErrInvalid, err)
	}
	if len(b) > storage.MaxJSONBytes {
		return nil, fmt.Errorf("%w: details larger than %d bytes", storage.ErrInvalid, storage.MaxJSONBytes)
	}
	return b, nil
}

// DecodeDetails parses a stored details column (a flat JSON object of strings).
func DecodeDetails(b []byte) (map[string]string, error) {
	if len(b) > storage.MaxJSONBytes {
		return nil, corrupt("details larger than %d bytes", storage.MaxJSONBytes)
	}
	var m map[string]string
	if err := decodeOne(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, corrupt("details are not a JSON object")
	}
	return m, nil
}

// ErrCorrupt marks a stored value that does not decode; it wraps storage.ErrInvalid.
var ErrCorrupt = fmt.Errorf("%w: corrupt stored value", storage.ErrInvalid)

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// decodeOne decodes exactly one JSON value; trailing data is corruption.
func decodeOne(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return corrupt("%v", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return corrupt("trailing data after JSON value")
	}
	return nil
}

// checkDepth rejects JSON nested deeper than max before the decoder recurses into it.
// Brackets inside strings are skipped; malformed input is left for the decoder to reject.
func checkDepth(b []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return corrupt("JSON nested deeper than %d", max-1)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
