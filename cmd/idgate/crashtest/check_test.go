package crashtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/idgate/idgate/certs/certstest"
	"github.com/idgate/idgate/credential"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/memory"
)

// The checker finds what a crash can break: a wallet's credential missing from the store or
// stored on another slot, an action without its event, a gap in the log.
func TestCheckerFindsBrokenGuarantees(t *testing.T) {
	ctx := t.Context()
	now := time.Now().Truncate(time.Second)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := certstest.NewCA(t)
	signer := ca.Issue(t, "idgate Employee ID Issuer", certstest.WithURI("https://issuer.example"))
	issue := func(idx int) string {
		subject, err := credential.SubjectClaims(credential.EmployeeID, map[string]any{
			"family_name": "A", "given_name": "B", "birth_date": "1980-01-01", "employee_number": "E-1", "organisation": "O",
		}, now)
		if err != nil {
			t.Fatal(err)
		}
		vc, err := credential.Issue(credential.IssueRequest{Type: credential.EmployeeID, Issuer: "https://issuer.example", Subject: subject,
			HolderKey: &key.PublicKey, Status: credential.StatusRef{Index: idx, URI: "https://issuer.example/status/l"},
			IssuedAt: now, ExpiresAt: now.Add(time.Hour)}, signer)
		if err != nil {
			t.Fatal(err)
		}
		return vc
	}
	s := memory.New()
	ev := func(action, subject string) storage.AuditEvent {
		return storage.AuditEvent{Time: now, Action: action, Subject: subject}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateHolder(ctx, storage.Holder{ID: "h1"}, ev("holder.enrol", "h1")))
	must(s.CreateHolder(ctx, storage.Holder{ID: "h2"})) // no event
	for _, o := range []string{"o1", "o2"} {
		must(s.CreateOffer(ctx, storage.Offer{ID: o, HolderID: "h" + o[1:], CredentialType: storage.CredentialTypeEmployeeID,
			PreAuthCodeHash: []byte(strings.Repeat(o, 16)), ExpiresAt: now.Add(time.Hour)}, ev("offer.create", o), ev("offer.redeem", o)))
	}
	must(s.CreateStatusList(ctx, storage.StatusList{ID: "l", URI: "https://issuer.example/status/l", Bits: 2, Size: 1}, ev("statuslist.create", "l")))
	c, err := s.IssueCredential(ctx, storage.Credential{ID: "c1", HolderID: "h1", OfferID: "o1", VCT: "v", StatusListID: "l",
		HolderKeyThumbprint: "not-the-wallet-key"}, storage.IssueOptions{}) // no event, wrong key
	must(err)
	runs := []*walletRun{
		{holderID: "h1", offerID: "o1", received: issue(c.StatusIndex)},
		{holderID: "h2", offerID: "o2", received: issue(0)}, // nothing stored for h2
	}
	rep := &IssuerReport{Repeats: map[string]int{}}
	ch := checker{ctx: ctx, s: s, rep: rep}
	ch.wallets(runs)
	ch.ledger()
	ch.audit(runs)
	all := strings.Join(ch.violations, "\n")
	for _, want := range []string{
		"credential c1: stored for another key",
		"holder h2: 0 stored credentials",
		"no holder.enrol event for h2",
		"no credential.issue event for c1",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("violations lack %q:\n%s", want, all)
		}
	}
	if rep.ViolationCount != len(ch.violations) || rep.Received != 2 {
		t.Fatalf("report %+v", rep)
	}
}
