package facephotos

import (
	"embed"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
)

// The demo's three photos: the enrolment portrait, a different live capture of the same
// person, and someone else.
const (
	Portrait = "obama.jpg"
	Live     = "obama2.jpg"
	Impostor = "biden.jpg"
)

//go:embed testdata/*.jpg
var files embed.FS

// FS returns the photos as a flat file system ("obama.jpg", ...).
func FS() fs.FS {
	sub, err := fs.Sub(files, "testdata")
	if err != nil {
		panic(err) // a constant path inside an embedded tree
	}
	return sub
}

// Read returns one photo's JPEG bytes.
func Read(name string) ([]byte, error) {
	return fs.ReadFile(FS(), name)
}

// Names lists the photos in lexical order.
func Names() []string {
	entries, _ := fs.ReadDir(FS(), ".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// Person is the photo's subject: the file name without digits and extension
// ("obama3.jpg" is "obama").
func Person(name string) string {
	return strings.TrimRightFunc(strings.TrimSuffix(name, filepath.Ext(name)), unicode.IsDigit)
}
