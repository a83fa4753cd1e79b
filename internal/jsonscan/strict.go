package jsonscan

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// MaxDepth bounds the nesting of a body Decode accepts.
const MaxDepth = 64

// Options adjust Decode.
type Options struct {
	// IgnoreUnknown skips members that no struct field names instead of refusing them, for
	// protocols that require it (OpenID4VCI 1.0 §8.2: the issuer ignores unrecognised request
	// parameters). Duplicates and names that differ only in case are still refused.
	IgnoreUnknown bool
}

// DecodeError is Decode's refusal. Member names appear (cut to 64 characters); values never
// do: request bodies hold credentials.
type DecodeError struct {
	Reason string // "syntax", "duplicate", "case", "unknown", "depth", "trailing", "type"
	Path   string // where: the JSON path of the member ("" for the body)
}

func (e *DecodeError) Error() string {
	switch e.Reason {
	case "duplicate":
		return "duplicate member " + e.Path
	case "case":
		return "member " + e.Path + " differs in case from the field it resembles"
	case "unknown":
		return "unknown member " + e.Path
	case "depth":
		return fmt.Sprintf("nested deeper than %d at %s", MaxDepth, e.Path)
	case "trailing":
		return "data after the JSON value"
	case "type":
		return "a value has the wrong JSON type"
	}
	return "malformed JSON"
}

// Decode decodes body, which must be exactly one JSON value, into v (a pointer), as
// encoding/json does with DisallowUnknownFields, and refuses in addition what encoding/json
// lets through: duplicate member names at any depth (it keeps the last), member names that
// match a struct field only case-insensitively (it folds case), anything after the value and
// nesting deeper than MaxDepth. Every API decodes its JSON bodies here, so one body means the
// same to every service. A refusal is a *DecodeError.
func Decode(body []byte, v any, opt Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("jsonscan: Decode needs a non-nil pointer")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := walker{dec: dec, opt: opt}
	if err := w.value(rv.Type().Elem(), "$", 0); err != nil {
		return err
	}
	if Trailing(dec) != nil {
		return &DecodeError{Reason: "trailing"}
	}
	dec = json.NewDecoder(bytes.NewReader(body))
	if !opt.IgnoreUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &DecodeError{Reason: "type", Path: te.Field}
		}
		return &DecodeError{Reason: "syntax"}
	}
	return nil
}

// walker checks the token stream against the Go type it decodes into.
type walker struct {
	dec *json.Decoder
	opt Options
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value walks one JSON value decoded into a t (nil: any value, names unchecked but unique).
func (w *walker) value(t reflect.Type, path string, depth int) error {
	if depth > MaxDepth {
		return &DecodeError{Reason: "depth", Path: path}
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil // its own decoder sees the value; keys stay unique, names unchecked
	}
	tok, err := w.dec.Token()
	if err != nil {
		return &DecodeError{Reason: "syntax", Path: path}
	}
	switch tok {
	case json.Delim('{'):
		return w.object(t, path, depth)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
		if _, err := w.dec.Token(); err != nil {
			return &DecodeError{Reason: "syntax", Path: path}
		}
	}
	return nil
}

func (w *walker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var folded map[string]bool
	var elem reflect.Type
	isStruct := t != nil && t.Kind() == reflect.Struct
	switch {
	case isStruct:
		fields, folded = structFields(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return &DecodeError{Reason: "syntax", Path: path}
		}
		name, _ := tok.(string)
		mpath := member(path, name)
		if seen[name] {
			return &DecodeError{Reason: "duplicate", Path: mpath}
		}
		seen[name] = true
		next := elem
		if isStruct {
			ft, ok := fields[name]
			switch {
			case ok:
				next = ft
			case folded[strings.ToLower(name)]:
				return &DecodeError{Reason: "case", Path: mpath}
			case !w.opt.IgnoreUnknown:
				return &DecodeError{Reason: "unknown", Path: mpath}
			}
		}
		if err := w.value(next, mpath, depth+1); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil {
		return &DecodeError{Reason: "syntax", Path: path}
	}
	return nil
}

// member is path.name for an error; a name that is not plain ASCII letters, digits, '_' and
// '-' is quoted and cut to 64 characters.
func member(path, name string) string {
	plain := name != "" && len(name) <= 64
	for i := 0; plain && i < len(name); i++ {
		c := name[i]
		plain = c == '_' || c == '-' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
	}
	if plain {
		return path + "." + name
	}
	return fmt.Sprintf("%s[%.64q]", path, name)
}

type fieldSet struct {
	exact  map[string]reflect.Type
	folded map[string]bool
}

var fieldCache sync.Map // reflect.Type -> fieldSet

// structFields returns the JSON member names encoding/json decodes into struct t (exact) and
// their lower-case forms, following its rules for tags, "-", unexported and embedded fields.
func structFields(t reflect.Type) (map[string]reflect.Type, map[string]bool) {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(fieldSet).exact, fs.(fieldSet).folded
	}
	fs := fieldSet{exact: map[string]reflect.Type{}, folded: map[string]bool{}}
	collectFields(t, fs, 0)
	fieldCache.Store(t, fs)
	return fs.exact, fs.folded
}

func collectFields(t reflect.Type, fs fieldSet, depth int) {
	if depth > 8 {
		return
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				collectFields(et, fs, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := fs.exact[name]; !dup {
			fs.exact[name] = ft
		}
		fs.folded[strings.ToLower(name)] = true
	}
}
