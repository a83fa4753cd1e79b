package walletsdk

import (
	"crypto"
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/idgate/idgate/mdoc"
)

// checkReceivedMdoc verifies a freshly issued mdoc before it is stored (OpenID4VCI 1.0
// Appendix A.2.4: the credential is the base64url-encoded CBOR IssuerSigned): issuerAuth's
// signature under its x5chain, every item against the MSO digests, the docType as offered, the
// MSO's device key equal to ours, the DS certificate valid now and validUntil not passed. As
// for SD-JWT VCs, trust in the chain's root is the verifier's to decide.
func (w *Wallet) checkReceivedMdoc(b64, wantDocType string, device crypto.Signer) (*storedCredential, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(b64, "="))
	if err != nil {
		return nil, newErr(CodeInvalidCredential, "mso_mdoc credential is not base64url", err)
	}
	h, err := mdoc.CheckIssuerSigned(raw)
	if err != nil {
		code := CodeInvalidCredential
		if mdoc.CodeOf(err) == mdoc.CodeSignatureInvalid {
			code = CodeBadSignature
		}
		return nil, newErr(code, "issuer-signed mdoc does not verify", err)
	}
	if h.DocType != wantDocType {
		return nil, newErr(CodeVCTMismatch, "mdoc docType is "+quote(h.DocType)+", the offer's is "+quote(wantDocType), nil)
	}
	ours, ok := device.Public().(*ecdsa.PublicKey)
	if !ok || !h.DeviceKey.Equal(ours) {
		return nil, newErr(CodeKeyMismatch, "mdoc is bound to another key than the device key", nil)
	}
	now := w.now()
	if ds := h.Chain[0]; now.Before(ds.NotBefore) || now.After(ds.NotAfter) {
		return nil, newErr(CodeInvalidCredential, "Document Signer certificate is not valid now", nil)
	}
	if !h.ValidUntil.After(now) {
		return nil, newErr(CodeInvalidCredential, "mdoc is already expired", nil)
	}
	return &storedCredential{
		Format: FormatMdoc, DocType: h.DocType, IssuerSigned: raw,
		IssuedAt: h.Signed.UTC(), ExpiresAt: h.ValidUntil.UTC(),
	}, nil
}

// viewMdoc builds the UI form of a stored mdoc, checking it again (signature and digests; not
// validity) so a record never shows elements it does not prove.
func viewMdoc(rec *storedCredential) (*Credential, error) {
	h, err := mdoc.CheckIssuerSigned(rec.IssuerSigned)
	if err != nil || h.DocType != rec.DocType {
		return nil, newErr(CodeStoreTampered, "stored credential "+rec.ID+" no longer verifies", err)
	}
	claims := map[string]any{}
	var disclosable []string
	for _, e := range h.Elements {
		ns, _ := claims[e.Namespace].(map[string]any)
		if ns == nil {
			ns = map[string]any{}
			claims[e.Namespace] = ns
		}
		ns[e.Identifier] = jsonValue(e.Value)
		disclosable = append(disclosable, e.Namespace+"/"+e.Identifier)
	}
	slices.Sort(disclosable)
	return &Credential{
		ID: rec.ID, Format: FormatMdoc, DocType: rec.DocType, Issuer: rec.Issuer, ConfigurationID: rec.ConfigurationID,
		KeyID: rec.KeyID, IssuedAt: rec.IssuedAt, ExpiresAt: rec.ExpiresAt, Claims: claims, Disclosable: disclosable,
	}, nil
}

// heldMdocs returns the stored mdocs of docType, best first: unexpired before expired, then the
// later expiry.
func (w *Wallet) heldMdocs(docType string) ([]*storedCredential, error) {
	ids, err := w.store.List(kindCredentials)
	if err != nil {
		return nil, err
	}
	var out []*storedCredential
	for _, id := range ids {
		rec, err := w.loadCredential(id)
		if err != nil {
			return nil, err
		}
		if rec.isMdoc() && rec.DocType == docType {
			out = append(out, rec)
		}
	}
	now := w.now()
	slices.SortStableFunc(out, func(a, b *storedCredential) int {
		ca, cb := &Credential{ExpiresAt: a.ExpiresAt}, &Credential{ExpiresAt: b.ExpiresAt}
		switch {
		case better(ca, cb, now):
			return -1
		case better(cb, ca, now):
			return 1
		}
		return 0
	})
	return out, nil
}

// jsonValue turns a decoded mdoc element value into JSON types: text, numbers and booleans
// as they are, bstr as standard base64, full-date as "YYYY-MM-DD", tdate as RFC 3339, arrays
// and maps element by element (map keys as text).
func jsonValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case cbor.Tag:
		return jsonValue(x.Content)
	case big.Int:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(jsonValue(k))] = jsonValue(e)
		}
		return out
	}
	return v
}
