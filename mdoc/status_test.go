package mdoc

import (
	"context"
	"net/http"
	"testing"

	"github.com/idgate/idgate/credential/credentialtest"
	"github.com/idgate/idgate/statuslist"
)

// TestCheckStatus: the mdoc's MSO points at a Token Status List entry served on loopback and
// signed under a trusted status list signer; revoked and suspended entries fail.
func TestCheckStatus(t *testing.T) {
	env := credentialtest.New(t)
	f := newFixture(t)
	ctx := context.Background()
	verified := func(idx uint64, withStatus bool) *Verified {
		in := f.input()
		in.Status = &StatusListRef{Idx: idx, URI: env.StatusURI}
		if !withStatus {
			in.Status = nil
		}
		is, err := Issue(in, f.ds)
		if err != nil {
			t.Fatal(err)
		}
		st := transcript(t, "n")
		v, err := f.verifier().Verify(f.present(t, is, st), VerifyOptions{DocType: DocTypeMDL, SessionTranscript: st})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	slot := func() uint64 { return uint64(env.Slot().Index) }
	valid, revoked, suspended := slot(), slot(), slot()
	env.SetStatus(t, int(revoked), statuslist.Invalid)
	env.SetStatus(t, int(suspended), statuslist.Suspended)
	for _, tc := range []struct {
		name string
		v    *Verified
		want Code
	}{
		{"valid", verified(valid, true), ""},
		{"revoked", verified(revoked, true), CodeRevoked},
		{"suspended", verified(suspended, true), CodeSuspended},
		{"no status reference", verified(valid, false), CodeStatusMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckStatus(ctx, env.Checker(), tc.v); CodeOf(err) != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	env.FailStatus(http.StatusInternalServerError)
	if err := CheckStatus(ctx, env.Checker(), verified(valid, true)); CodeOf(err) != CodeStatusUnavailable {
		t.Fatalf("list unavailable: err = %v", err)
	}
}
