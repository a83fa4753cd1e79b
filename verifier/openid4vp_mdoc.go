package verifier

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/internal/b64url"
	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/oid4vp"
)

// MDocConfig lets OpenID4VP transactions verify mso_mdoc presentations.
type MDocConfig struct {
	// Trust holds the IACA roots per docType (*certs.TrustList, PurposeMdoc).
	Trust mdoc.Trust
	// Status answers the MSO's Token Status List entry (statuslist.Checker).
	Status mdoc.StatusChecker
}

// sessionTranscript is the mdoc SessionTranscript of a transaction (OpenID4VP B.2.6.1), from
// what this verifier sent: client_id with its prefix, nonce, the thumbprint of the response
// encryption key (none for direct_post) and response_uri. A transcript from the wallet is
// never used.
func (vp *VP) sessionTranscript(rec *vpRecord) ([]byte, error) {
	if rec.ResponseURI == "" {
		return nil, errors.New("verifier: the transaction has no response_uri to bind an mdoc to")
	}
	var thumbprint []byte
	if rec.ResponseMode == oid4vp.ModeDirectPostJWT {
		key, err := oid4vp.ParseDecryptionKey(rec.Key)
		if err != nil {
			return nil, err
		}
		thumbprint = key.Thumbprint()
	}
	return oid4vp.SessionTranscript(vp.clientID, rec.Nonce, thumbprint, rec.ResponseURI)
}

// verifyMDoc verifies one vp_token entry of an mso_mdoc query: the base64url DeviceResponse
// with mdoc.Verifier for the query's doctype over this transaction's transcript, that
// document alone (no other document, no documentErrors), no element beyond those the query
// selects, then the status list. A document that does not satisfy the query is
// query_not_satisfied, as CheckVPToken says of any other. The Presented it returns lacks
// Claims, which the caller fills from the DCQL selection.
func (vp *VP) verifyMDoc(ctx context.Context, cq *oid4vp.CredentialQuery, p string, transcript []byte) (*oid4vp.Credential, *Presented, error) {
	raw, err := b64url.Decode(strings.TrimRight(p, "="))
	if err != nil {
		return nil, nil, &mdoc.Error{Code: mdoc.CodeMalformed, Msg: "the vp_token entry is not a base64url DeviceResponse"}
	}
	v := mdoc.Verifier{Trust: vp.cfg.MDoc.Trust, Now: vp.cfg.Now}
	doc, err := v.Verify(raw, mdoc.VerifyOptions{DocType: cq.Meta.DoctypeValue, SessionTranscript: transcript, OnlyDocument: true})
	if err != nil {
		return nil, nil, err
	}
	c := &oid4vp.Credential{Format: oid4vp.FormatMDoc, Doctype: doc.DocType, Claims: doc.Claims(), HolderBound: true, AuthorityKeyIDs: keyIDs(doc.Signer)}
	sel, ok := cq.Match(c)
	if !ok {
		return nil, nil, &oid4vp.Error{Code: oid4vp.InvalidRequest, Reason: oid4vp.ReasonQueryNotSatisfied, Detail: "the mdoc does not satisfy its query"}
	}
	if err := onlyRequested(doc, sel); err != nil {
		return nil, nil, err
	}
	if err := mdoc.CheckStatus(ctx, vp.cfg.MDoc.Status, doc); err != nil {
		return nil, nil, err
	}
	return c, &Presented{
		Doctype: doc.DocType, Issuer: doc.Signer.Subject.String(), Status: "valid",
		IssuedAt: doc.MSO.ValidityInfo.Signed.Time().UTC(), ExpiresAt: doc.ValidUntil.UTC(),
	}, nil
}

// onlyRequested refuses a DeviceResponse that discloses an element the selection does not
// name: an mdoc holder discloses what was asked, nothing more.
func onlyRequested(doc *mdoc.Verified, sel *oid4vp.Selection) error {
	asked := map[[2]string]bool{}
	for _, p := range sel.Paths() {
		if len(p) == 2 {
			asked[[2]string{p[0].Key, p[1].Key}] = true
		}
	}
	for _, e := range doc.Elements {
		if !asked[[2]string{e.Namespace, e.Identifier}] {
			return &oid4vp.Error{Code: oid4vp.InvalidRequest, Reason: oid4vp.ReasonUnrequestedClaim,
				Detail: "the DeviceResponse discloses " + e.Namespace + "/" + e.Identifier + ", which the query did not ask for"}
		}
	}
	return nil
}

// keyIDs are the base64url key identifiers of the Document Signer and its IACA, for DCQL
// trusted_authorities of type aki.
func keyIDs(ds *x509.Certificate) []string {
	var out []string
	for _, id := range [][]byte{ds.SubjectKeyId, ds.AuthorityKeyId} {
		if len(id) > 0 {
			out = append(out, base64.RawURLEncoding.EncodeToString(id))
		}
	}
	return out
}

// presentationFailure names a refused presentation by its own code where it has one: an
// mdoc's (the same strings as SD-JWT's where they mean the same), a credential's, or the
// OpenID4VP reason a format check raised; otherwise wrapped stands.
func presentationFailure(inner, wrapped error) error {
	const msg = "a presentation failed verification"
	switch c := mdoc.CodeOf(inner); c {
	case "":
	case mdoc.CodeDocumentNotPresent: // no document of the doctype asked for, as a wrong vct
		return &oid4vp.Error{Code: oid4vp.InvalidRequest, Reason: oid4vp.ReasonQueryNotSatisfied, Detail: "the DeviceResponse holds no document of the requested doctype"}
	case mdoc.CodeConfigInvalid:
		return wrapped
	default:
		return &Error{Code: string(c), Msg: msg}
	}
	var oe *oid4vp.Error
	if errors.As(inner, &oe) {
		return inner
	}
	if c := credential.CodeOf(inner); c != credential.CodeInternal {
		return &Error{Code: string(c), Msg: msg}
	}
	return wrapped
}
