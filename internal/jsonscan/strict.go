package jsonscan

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
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
// match a struct field only case-insensitively (it folds case), invalid UTF-8 (it substitutes
// U+FFFD), anything after the value and nesting deeper than MaxDepth. Every API decodes its
// JSON bodies here, so one body means the same to every service. A refusal is a *DecodeError.
//
// One pass of this package's scanner checks the structure against the Go type v points to;
// encoding/json then decodes the body it has checked.
func Decode(body []byte, v any, opt Options) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("jsonscan: Decode needs a non-nil pointer")
	}
	w := walker{b: body, opt: opt}
	i, err := w.value(skipWS(body, 0), rv.Type().Elem(), "$", 0)
	if err != nil {
		return err
	}
	if skipWS(body, i) != len(body) {
		return &DecodeError{Reason: "trailing"}
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &DecodeError{Reason: "type", Path: te.Field}
		}
		return &DecodeError{Reason: "syntax"}
	}
	return nil
}

// walker checks a body's structure against the Go type it decodes into. Scalars are only
// delimited here (strings fully checked by scanString); encoding/json validates the rest.
type walker struct {
	b   []byte
	opt Options
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value walks the JSON value at b[i] (no leading space) decoded into a t (nil: any value,
// member names unchecked but unique) and returns the index just past it.
func (w *walker) value(i int, t reflect.Type, path string, depth int) (int, error) {
	if depth > MaxDepth {
		return 0, &DecodeError{Reason: "depth", Path: path}
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && (reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		t = nil // its own decoder reads the value; names stay unique, not checked
	}
	b := w.b
	if i >= len(b) {
		return 0, &DecodeError{Reason: "syntax", Path: path}
	}
	switch c := b[i]; {
	case c == '{':
		return w.object(i+1, t, path, depth)
	case c == '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, nil
		}
		for n := 0; ; n++ {
			var err error
			if i, err = w.value(i, elem, path+"["+strconv.Itoa(n)+"]", depth+1); err != nil {
				return 0, err
			}
			i = skipWS(b, i)
			if i < len(b) && b[i] == ',' {
				i = skipWS(b, i+1)
				continue
			}
			if i < len(b) && b[i] == ']' {
				return i + 1, nil
			}
			return 0, &DecodeError{Reason: "syntax", Path: path}
		}
	case c == '"':
		end, _, err := scanString(b, i+1)
		if err != nil {
			return 0, &DecodeError{Reason: "syntax", Path: path}
		}
		return end + 1, nil
	default: // number, true, false, null: delimited here, validated by encoding/json
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || (b[j] >= '0' && b[j] <= '9') || (b[j]|0x20 >= 'a' && b[j]|0x20 <= 'z')) {
			j++
		}
		if j == i {
			return 0, &DecodeError{Reason: "syntax", Path: path}
		}
		return j, nil
	}
}

// object walks an object's members from just after its '{'.
func (w *walker) object(i int, t reflect.Type, path string, depth int) (int, error) {
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
	b := w.b
	i = skipWS(b, i)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	var seen map[string]bool
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, &DecodeError{Reason: "syntax", Path: path}
		}
		end, esc, err := scanString(b, i+1)
		if err != nil {
			return 0, &DecodeError{Reason: "syntax", Path: path}
		}
		raw := b[i+1 : end]
		if esc {
			if raw, err = unescape(raw, i+1); err != nil {
				return 0, &DecodeError{Reason: "syntax", Path: path}
			}
		}
		name := string(raw)
		mpath := member(path, name)
		if seen == nil {
			seen = make(map[string]bool, 8)
		}
		if seen[name] {
			return 0, &DecodeError{Reason: "duplicate", Path: mpath}
		}
		seen[name] = true
		next := elem
		if isStruct {
			ft, ok := fields[name]
			switch {
			case ok:
				next = ft
			case folded[strings.ToLower(name)]:
				return 0, &DecodeError{Reason: "case", Path: mpath}
			case !w.opt.IgnoreUnknown:
				return 0, &DecodeError{Reason: "unknown", Path: mpath}
			}
		}
		i = skipWS(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return 0, &DecodeError{Reason: "syntax", Path: mpath}
		}
		if i, err = w.value(skipWS(b, i+1), next, mpath, depth+1); err != nil {
			return 0, err
		}
		i = skipWS(b, i)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return i + 1, nil
		}
		return 0, &DecodeError{Reason: "syntax", Path: path}
	}
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
