package issuerhttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"github.com/idgate/idgate/issuer"
	"net/http"
	"strings"
	"testing"

	"github.com/idgate/idgate/credential"
)

// portraitEnroller stands in for the dlib extractor (a cgo system edge, tested in
// biometric/face): it accepts one known photo and "seals" it to a fixed JWE-shaped string.
type portraitEnroller struct{ photo []byte }

func (p portraitEnroller) EnrolFace(img []byte) (string, error) {
	if !bytes.Equal(img, p.photo) {
		return "", errors.New("no face found")
	}
	return "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.k.iv.ct.tag", nil
}

func TestEnrolPortraitBecomesSealedFaceTemplate(t *testing.T) {
	photo := []byte("\xff\xd8\xff\xe0 pretend JPEG of Erika")
	f := newFixture(t, func(c *issuer.Config) { c.Faces = portraitEnroller{photo: photo} })
	body := `{"credential_types":["employee-id","mdl"],"attributes":` + mdlAttrs + `,"portrait":"` + base64.StdEncoding.EncodeToString(photo) + `"}`
	st, out := f.operator("POST", "/v1/holders", body)
	if st != http.StatusCreated || out["face_template"] != true {
		t.Fatalf("enrol: %d %v", st, out)
	}
	h, err := f.store.GetHolder(context.Background(), out["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Attributes[credential.FaceTemplateClaim]; got != "eyJhbGciOiJFQ0RILUVTK0EyNTZLVyJ9.k.iv.ct.tag" {
		t.Fatalf("face_template = %v", got)
	}
	if strings.Contains(toJSON(h.Attributes), base64.StdEncoding.EncodeToString(photo)) {
		t.Fatal("the portrait itself was stored")
	}
	bad := `{"credential_types":["employee-id","mdl"],"attributes":` + mdlAttrs + `,"portrait":"` + base64.StdEncoding.EncodeToString([]byte("landscape")) + `"}`
	if st, out := f.operator("POST", "/v1/holders", bad); st != http.StatusUnprocessableEntity || out["code"] != issuer.CodeInvalidPortrait {
		t.Fatalf("faceless portrait: %d %v", st, out)
	}
}
