package walletsdk

import (
	"context"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"

	"github.com/idgate/idgate/sdjwt"
)

// claimPath turns a requested claim into an sdjwt path: "/..." is already a JSON pointer;
// a plain name is top-level, with "/" separating nested names ("address/locality").
func claimPath(c string) string {
	if strings.HasPrefix(c, "/") {
		return c
	}
	return "/" + strings.ReplaceAll(c, "~", "~0")
}

// Present discloses exactly the requested claims of a stored credential and binds the
// presentation to req.Audience and req.Nonce with a KB-JWT signed by the credential's device
// key. Always-visible claims (iss, vct, cnf, status, exp...) are in the signed payload anyway.
// A requested claim the credential does not hold is a CodeClaimNotAvailable error; nothing
// is silently dropped.
func (w *Wallet) Present(ctx context.Context, credentialID string, req PresentationRequest) (string, error) {
	if err := req.validate(); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", newErr(CodeConfig, "presentation cancelled", err)
	}
	rec, err := w.loadCredential(credentialID)
	if err != nil {
		return "", err
	}
	if rec.isMdoc() {
		return "", newErr(CodeVCTMismatch, "credential is an mso_mdoc; Present makes SD-JWT VC presentations", nil)
	}
	if req.VCT != "" && req.VCT != rec.VCT {
		return "", newErr(CodeVCTMismatch, "credential is "+quote(rec.VCT)+", the request wants "+quote(req.VCT), nil)
	}
	if !req.ExpiresAt.IsZero() && !w.now().Before(req.ExpiresAt) {
		return "", newErr(CodeInvalidRequest, "presentation request has expired", nil)
	}
	paths := make([]string, len(req.Claims))
	for i, c := range req.Claims {
		paths[i] = claimPath(c)
	}
	out, err := w.presentPaths(ctx, rec, paths, req.Audience, req.Nonce)
	if CodeOf(err) == CodeClaimNotAvailable {
		if tok, perr := sdjwt.Parse(rec.Raw); perr == nil {
			return "", newErr(CodeClaimNotAvailable, "credential has no claim "+quote(missingClaim(tok, req.Claims, paths)), nil)
		}
	}
	return out, err
}

// presentPaths keeps the disclosures of the sdjwt paths and appends a KB-JWT for aud and
// nonce signed with the credential's device key.
func (w *Wallet) presentPaths(ctx context.Context, rec *storedCredential, paths []string, aud, nonce string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", newErr(CodeConfig, "presentation cancelled", err)
	}
	if rec.isMdoc() {
		return "", newErr(CodeVCTMismatch, "credential is an mso_mdoc, not an SD-JWT VC", nil)
	}
	// Re-verify before use: a record that stopped verifying must not be presented.
	if _, err := verifyIssued(rec.Raw, time.Time{}); err != nil {
		return "", newErr(CodeStoreTampered, "stored credential no longer verifies", err)
	}
	tok, err := sdjwt.Parse(rec.Raw)
	if err != nil {
		return "", newErr(CodeStoreTampered, "stored credential", err)
	}
	sel, err := tok.Present(paths)
	if err != nil {
		if sdjwt.ErrorCode(err) == sdjwt.CodePathInvalid {
			return "", newErr(CodeClaimNotAvailable, "credential has no claim at a requested path", nil)
		}
		return "", newErr(CodeInvalidCredential, "select disclosures", err)
	}
	signer, err := w.keys.Signer(rec.KeyID)
	if err != nil {
		return "", err
	}
	out, err := sdjwt.AddKeyBinding(sel.String(), signer, jwa.ES256, aud, nonce, w.now())
	if err != nil {
		return "", newErr(CodeKeyStore, "sign key-binding JWT", err)
	}
	return out, nil
}

// missingClaim names the first requested claim the token cannot disclose (error path only).
func missingClaim(tok *sdjwt.Token, claims, paths []string) string {
	for i, p := range paths {
		if _, err := tok.Present([]string{p}); err != nil {
			return claims[i]
		}
	}
	return strings.Join(claims, ",")
}
