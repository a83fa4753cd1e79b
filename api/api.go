package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"go.yaml.in/yaml/v4"
)

// Names of the documents, one per server.
const (
	Issuer   = "issuer"
	Verifier = "verifier"
	Airline  = "airline"
)

// Path is where every server answers its document.
const Path = "/openapi.json"

//go:embed issuer.yaml verifier.yaml airline.yaml
var files embed.FS

type converted struct {
	json []byte
	err  error
}

var (
	mu    sync.Mutex
	cache = map[string]converted{}
)

// YAML returns the document name as written.
func YAML(name string) ([]byte, error) {
	return files.ReadFile(name + ".yaml")
}

// JSON returns the document name as JSON, converted once and then cached.
func JSON(name string) ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	if c, ok := cache[name]; ok {
		return c.json, c.err
	}
	var c converted
	c.json, c.err = convert(name)
	cache[name] = c
	return c.json, c.err
}

func convert(name string) ([]byte, error) {
	src, err := YAML(name)
	if err != nil {
		return nil, fmt.Errorf("api: no document %q", name)
	}
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("api: %s.yaml: %w", name, err)
	}
	doc, err = jsonable(doc)
	if err != nil {
		return nil, fmt.Errorf("api: %s.yaml: %w", name, err)
	}
	return json.Marshal(doc)
}

// jsonable turns the maps YAML decodes into maps with string keys, which JSON needs.
func jsonable(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			j, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			v[k] = j
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			s, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("mapping key %v is not a string (quote it)", k)
			}
			j, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			out[s] = j
		}
		return out, nil
	case []any:
		for i, e := range v {
			j, err := jsonable(e)
			if err != nil {
				return nil, err
			}
			v[i] = j
		}
		return v, nil
	}
	return v, nil
}

// Handler answers GET (and HEAD) with document name as JSON.
func Handler(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := JSON(name)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"code":"internal","message":"OpenAPI document unavailable"}` + "\n"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=300")
		_, _ = w.Write(b)
	}
}
