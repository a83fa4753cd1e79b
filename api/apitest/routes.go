package apitest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// MuxRoutes returns the "METHOD /path" patterns the non-test Go files of dir register on a
// net/http ServeMux: the string-literal first argument of every Handle and HandleFunc call.
// A pattern without a method, or a non-literal one, fails the test: the document could not
// be compared with it.
func MuxRoutes(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: %s pattern is not a string literal", fset.Position(call.Pos()), sel.Sel.Name)
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			method, path, ok := strings.Cut(p, " ")
			if !ok || !strings.HasPrefix(path, "/") {
				t.Errorf("%s: pattern %q names no method", fset.Position(call.Pos()), p)
				return true
			}
			out = append(out, method+" "+path)
			return true
		})
	}
	return out
}

// urlPath is what a literal looks like to count as a URL path: unreserved characters and
// slashes only (runtime/metrics names such as "/sched/goroutines:goroutines" are not).
var urlPath = regexp.MustCompile(`^/[A-Za-z0-9._~/-]*$`)

// PathLiterals returns the string literals that look like URL paths in the non-test Go files
// of dir: for a hand-written router, every path (or path prefix) it compares against.
func PathLiterals(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && urlPath.MatchString(s) {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}
