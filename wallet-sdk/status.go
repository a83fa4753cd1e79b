package walletsdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/idgate/idgate/mdoc"
	"github.com/idgate/idgate/statuslist"
)

// Status values of a held credential, from its issuer's Token Status List.
const (
	StatusValid     = "valid"
	StatusRevoked   = "revoked"   // status list value 0x01 (INVALID): final
	StatusSuspended = "suspended" // status list value 0x02: may be reinstated
	StatusNone      = "none"      // the credential names no status list: it cannot be revoked
)

// CredentialStatus fetches afresh the Token Status List the credential points to (status.status_list),
// verifies it against Config.StatusTrust and returns StatusValid, StatusRevoked,
// StatusSuspended, StatusNone or "0xNN" for an application-specific value. A list that cannot be
// fetched is CodeTransport, one that does not verify CodeInvalidCredential: neither yields a
// status.
func (w *Wallet) CredentialStatus(ctx context.Context, id string) (string, error) {
	if w.status == nil {
		return "", newErr(CodeConfig, "no status list trust configured (Config.StatusTrust)", nil)
	}
	rec, err := w.loadCredential(id)
	if err != nil {
		return "", err
	}
	ref, ok, err := heldStatusRef(rec)
	if err != nil {
		return "", err
	}
	if !ok {
		return StatusNone, nil
	}
	// The holder asks for the current answer: a cached list could hide a fresh revocation.
	w.status.Invalidate(ref.URI)
	val, err := w.status.Status(ctx, ref)
	if err != nil {
		code := CodeInvalidCredential
		if errors.Is(err, statuslist.ErrUnavailable) {
			code = CodeTransport
		}
		return "", newErr(code, "status list", err)
	}
	switch val {
	case statuslist.Valid:
		return StatusValid, nil
	case statuslist.Invalid:
		return StatusRevoked, nil
	case statuslist.Suspended:
		return StatusSuspended, nil
	}
	return fmt.Sprintf("0x%02x", val), nil
}

// heldStatusRef is the status list entry a stored credential points to: the SD-JWT VC's status
// claim, or the mdoc MSO's status.
func heldStatusRef(rec *storedCredential) (statuslist.Reference, bool, error) {
	if rec.isMdoc() {
		h, err := mdoc.CheckIssuerSigned(rec.IssuerSigned)
		if err != nil {
			return statuslist.Reference{}, false, newErr(CodeStoreTampered, "stored credential no longer verifies", err)
		}
		if h.MSO.Status == nil || h.MSO.Status.StatusList == nil {
			return statuslist.Reference{}, false, nil
		}
		sl := h.MSO.Status.StatusList
		if sl.URI == "" || sl.Idx > 1<<31 {
			return statuslist.Reference{}, false, newErr(CodeInvalidCredential, "MSO status is not {status_list:{idx,uri}}", nil)
		}
		return statuslist.Reference{Index: int(sl.Idx), URI: sl.URI}, true, nil
	}
	v, err := verifyIssued(rec.Raw, time.Time{})
	if err != nil {
		return statuslist.Reference{}, false, err
	}
	return statusRef(v.Claims["status"])
}

// statusRef reads {"status_list":{"idx":N,"uri":"..."}}; ok is false when there is no status.
func statusRef(v any) (statuslist.Reference, bool, error) {
	if v == nil {
		return statuslist.Reference{}, false, nil
	}
	bad := newErr(CodeInvalidCredential, "status claim is not {status_list:{idx,uri}}", nil)
	m, _ := v.(map[string]any)
	sl, _ := m["status_list"].(map[string]any)
	uri, _ := sl["uri"].(string)
	var idx int64
	switch n := sl["idx"].(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return statuslist.Reference{}, false, bad
		}
		idx = i
	case float64:
		if n != float64(int64(n)) {
			return statuslist.Reference{}, false, bad
		}
		idx = int64(n)
	default:
		return statuslist.Reference{}, false, bad
	}
	if uri == "" || idx < 0 || idx > 1<<31 {
		return statuslist.Reference{}, false, bad
	}
	return statuslist.Reference{Index: int(idx), URI: uri}, true, nil
}
