package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/idgate/idgate/internal/jsonscan"
)

// Trust file bounds: a trust list is operator configuration of a few KiB.
const (
	maxTrustFile    = 1 << 20
	maxAnchors      = 256
	maxAnchorCerts  = 64
	maxAnchorNames  = 64
	pemInlinePrefix = "-----BEGIN "
)

// trustFile is the JSON form of a TrustList:
//
//	{"anchors": [{"purpose": "credential", "scope": "*",
//	              "roots": ["root.crt"], "names": ["idgate Employee ID Issuer"],
//	              "certs": []}]}
//
// Each entry of roots and certs is either inline PEM (starting "-----BEGIN ") or a path relative
// to the trust file's directory; paths may not be absolute nor contain "..", so a trust file
// cannot reach outside its own directory. Each entry may hold several PEM certificates.
type trustFile struct {
	Anchors []trustFileAnchor `json:"anchors"`
}

type trustFileAnchor struct {
	Purpose Purpose  `json:"purpose"`
	Scope   string   `json:"scope"`
	Roots   []string `json:"roots"`
	Names   []string `json:"names,omitempty"`
	Certs   []string `json:"certs,omitempty"`
}

// LoadTrustList reads a JSON trust file (format: see ParseTrustList); certificate paths are
// resolved relative to the file's directory.
func LoadTrustList(path string) (*TrustList, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return ParseTrustList(b, os.DirFS(filepath.Dir(path)))
}

// ParseTrustList parses a JSON trust file:
//
//	{"anchors": [{"purpose": "credential|status-list|boarding-pass", "scope": "*",
//	              "roots": ["root.crt" | "-----BEGIN CERTIFICATE-----..."],
//	              "names": ["allowed leaf CN", ...], "certs": [pinned certs, same forms]}]}
//
// Paths are resolved in fsys (fs.ValidPath rules: relative, no ".."). Unknown fields, unknown
// purposes, anchors without roots and oversized input are rejected with ErrMalformed.
func ParseTrustList(data []byte, fsys fs.FS) (*TrustList, error) {
	if len(data) > maxTrustFile {
		return nil, newErr(ErrMalformed, nil, "trust list larger than %d bytes", maxTrustFile)
	}
	var tf trustFile
	if err := jsonscan.Decode(data, &tf, jsonscan.Options{}); err != nil {
		return nil, newErr(ErrMalformed, err, "trust list JSON")
	}
	if len(tf.Anchors) == 0 || len(tf.Anchors) > maxAnchors {
		return nil, newErr(ErrMalformed, nil, "trust list needs 1..%d anchors, has %d", maxAnchors, len(tf.Anchors))
	}
	anchors := make([]Anchor, 0, len(tf.Anchors))
	for i, fa := range tf.Anchors {
		if !fa.Purpose.valid() {
			return nil, newErr(ErrMalformed, nil, "anchor %d: unknown purpose %q", i, fa.Purpose)
		}
		if fa.Scope == "" {
			return nil, newErr(ErrMalformed, nil, "anchor %d: empty scope (use \"*\" for any)", i)
		}
		if len(fa.Names) > maxAnchorNames {
			return nil, newErr(ErrMalformed, nil, "anchor %d: more than %d names", i, maxAnchorNames)
		}
		roots, err := loadCertRefs(fsys, fa.Roots)
		if err != nil {
			return nil, newErr(ErrMalformed, err, "anchor %d roots", i)
		}
		if len(roots) == 0 {
			return nil, newErr(ErrMalformed, nil, "anchor %d: no roots", i)
		}
		for _, r := range roots {
			if !r.IsCA {
				return nil, newErr(ErrMalformed, nil, "anchor %d: root %q is not a CA", i, r.Subject.CommonName)
			}
		}
		pinned, err := loadCertRefs(fsys, fa.Certs)
		if err != nil {
			return nil, newErr(ErrMalformed, err, "anchor %d certs", i)
		}
		anchors = append(anchors, Anchor{Purpose: fa.Purpose, Scope: fa.Scope, Roots: roots, Names: fa.Names, Certs: pinned})
	}
	return NewTrustList(anchors...), nil
}

func loadCertRefs(fsys fs.FS, refs []string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, ref := range refs {
		var b []byte
		if strings.HasPrefix(ref, pemInlinePrefix) {
			b = []byte(ref)
		} else {
			if fsys == nil || !fs.ValidPath(ref) {
				return nil, newErr(ErrMalformed, nil, "certificate path %q must be relative, without ..", ref)
			}
			var err error
			if b, err = readFSBounded(fsys, ref); err != nil {
				return nil, err
			}
		}
		cs, err := parseCertsPEM(b, "trust list entry")
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		if len(out) > maxAnchorCerts {
			return nil, newErr(ErrMalformed, nil, "more than %d certificates in one anchor field", maxAnchorCerts)
		}
	}
	return out, nil
}

func readFSBounded(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, newErr(ErrMalformed, err, "open %q", name)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxPEMFile+1)); err != nil {
		return nil, newErr(ErrMalformed, err, "read %q", name)
	}
	if buf.Len() > maxPEMFile {
		return nil, newErr(ErrMalformed, nil, "%q larger than %d bytes", name, maxPEMFile)
	}
	return buf.Bytes(), nil
}

// marshalTrustFile renders a trust file whose certificates are the given file references; Init
// uses it to write trust.json next to the PEM files it names.
func marshalTrustFile(anchors []trustFileAnchor) ([]byte, error) {
	b, err := json.MarshalIndent(trustFile{Anchors: anchors}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
