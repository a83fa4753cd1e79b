package mdoc

import (
	"context"
	"math"

	"github.com/idgate/idgate/statuslist"
)

// StatusChecker answers a Token Status List entry (statuslist.Checker does); the mdoc's entry
// lives in the same list as the SD-JWT VC's.
type StatusChecker interface {
	Status(ctx context.Context, ref statuslist.Reference) (uint8, error)
}

// CheckStatus asks c for the status of a verified mdoc (its MSO's status.status_list) and fails
// closed: nil only for VALID; CodeRevoked, CodeSuspended or CodeStatusInvalid for any other
// value; CodeStatusMissing when the MSO has no status list reference; CodeStatusUnavailable
// when the list cannot be had. Verify does no I/O; callers check status after it.
func CheckStatus(ctx context.Context, c StatusChecker, v *Verified) error {
	if v == nil || v.MSO == nil || v.MSO.Status == nil || v.MSO.Status.StatusList == nil || v.MSO.Status.StatusList.URI == "" {
		return newErr(CodeStatusMissing, nil, "the MSO has no status list reference")
	}
	ref := v.MSO.Status.StatusList
	if ref.Idx > math.MaxInt32 {
		return newErr(CodeStatusInvalid, nil, "status index %d out of range", ref.Idx)
	}
	st, err := c.Status(ctx, statuslist.Reference{Index: int(ref.Idx), URI: ref.URI})
	if err != nil {
		return newErr(CodeStatusUnavailable, err, "status list")
	}
	switch st {
	case statuslist.Valid:
		return nil
	case statuslist.Invalid:
		return newErr(CodeRevoked, nil, "mdoc revoked")
	case statuslist.Suspended:
		return newErr(CodeSuspended, nil, "mdoc suspended")
	}
	return newErr(CodeStatusInvalid, nil, "status value %d", st)
}
