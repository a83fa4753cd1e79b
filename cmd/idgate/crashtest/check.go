package crashtest

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/idgate/idgate/issuer/storage"
)

// checker compares what the wallets received with what the issuer's store holds.
type checker struct {
	ctx        context.Context
	s          storage.Storage
	rep        *IssuerReport
	creds      []storage.Credential
	counts     map[string]map[string]int // audit events: action → subject → how many
	violations []string
}

func (c *checker) fail(format string, args ...any) {
	c.rep.ViolationCount++
	if len(c.violations) < 50 {
		c.violations = append(c.violations, fmt.Sprintf(format, args...))
	}
}

// received is what a credential answer carries that the store must match.
type received struct {
	idx   int
	uri   string
	thumb string
}

func parseReceived(vc string) (received, error) {
	parts := strings.Split(strings.SplitN(vc, "~", 2)[0], ".")
	if len(parts) != 3 {
		return received{}, fmt.Errorf("not an SD-JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return received{}, err
	}
	var p struct {
		Status struct {
			StatusList struct {
				Idx int    `json:"idx"`
				URI string `json:"uri"`
			} `json:"status_list"`
		} `json:"status"`
		Cnf struct {
			JWK json.RawMessage `json:"jwk"`
		} `json:"cnf"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return received{}, err
	}
	k, err := jwk.ParseKey(p.Cnf.JWK)
	if err != nil {
		return received{}, fmt.Errorf("cnf.jwk: %w", err)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return received{}, err
	}
	return received{idx: p.Status.StatusList.Idx, uri: p.Status.StatusList.URI, thumb: base64.RawURLEncoding.EncodeToString(tp)}, nil
}

// wallets: every wallet holds its credential, and the store has it, valid, with the slot and
// key it carries, as the holder's only credential.
func (c *checker) wallets(runs []*walletRun) {
	lists := map[string]storage.StatusList{}
	for _, r := range runs {
		if r.transportErrors > 0 {
			c.rep.Retried++
		}
		if r.err != nil {
			c.fail("wallet of holder %s got no credential: %v", r.holderID, r.err)
			continue
		}
		got, err := parseReceived(r.received)
		if err != nil {
			c.fail("wallet of holder %s: received credential unreadable: %v", r.holderID, err)
			continue
		}
		c.rep.Received++
		stored, err := c.s.ListCredentials(c.ctx, storage.CredentialFilter{HolderID: r.holderID})
		if err != nil || len(stored) != 1 {
			c.fail("holder %s: %d stored credentials (%v), want the one its wallet received", r.holderID, len(stored), err)
			continue
		}
		sc := stored[0]
		l, ok := lists[sc.StatusListID]
		if !ok {
			if l, err = c.s.GetStatusList(c.ctx, sc.StatusListID); err != nil {
				c.fail("credential %s: status list: %v", sc.ID, err)
				continue
			}
			lists[sc.StatusListID] = l
		}
		switch {
		case sc.StatusIndex != got.idx || l.URI != got.uri:
			c.fail("credential %s: stored slot %s#%d, wallet holds %s#%d", sc.ID, l.URI, sc.StatusIndex, got.uri, got.idx)
		case sc.HolderKeyThumbprint != got.thumb:
			c.fail("credential %s: stored for another key than the wallet's", sc.ID)
		case sc.Status != storage.StatusValid:
			c.fail("credential %s: received but stored with status %d", sc.ID, sc.Status)
		case sc.OfferID != r.offerID:
			c.fail("credential %s: stored for offer %s, wallet redeemed %s", sc.ID, sc.OfferID, r.offerID)
		}
		if sc.PendingUntil != nil {
			c.rep.Unconfirmed++
		}
	}
}

// ledger: no status slot is used twice, and each offer gave at most one credential.
func (c *checker) ledger() {
	after := ""
	for {
		page, err := c.s.ListCredentials(c.ctx, storage.CredentialFilter{AfterID: after, Limit: storage.MaxLimit})
		if err != nil {
			c.fail("list credentials: %v", err)
			return
		}
		c.creds = append(c.creds, page...)
		if len(page) < storage.MaxLimit {
			break
		}
		after = page[len(page)-1].ID
	}
	c.rep.Credentials = len(c.creds)
	slots, offers, perList := map[string]string{}, map[string]string{}, map[string]int{}
	for _, cr := range c.creds {
		k := cr.StatusListID + "#" + strconv.Itoa(cr.StatusIndex)
		if prev, ok := slots[k]; ok {
			c.fail("slot %s used by credentials %s and %s", k, prev, cr.ID)
		}
		slots[k] = cr.ID
		if prev, ok := offers[cr.OfferID]; ok && cr.OfferID != "" {
			c.fail("offer %s gave two credentials: %s and %s", cr.OfferID, prev, cr.ID)
		}
		offers[cr.OfferID] = cr.ID
		perList[cr.StatusListID]++
	}
	for id, n := range perList {
		entries, err := c.s.StatusEntries(c.ctx, id)
		if err != nil {
			c.fail("status entries of %s: %v", id, err)
			continue
		}
		seen := map[int]bool{}
		for _, e := range entries {
			if seen[e.Index] {
				c.fail("list %s: slot %d listed twice", id, e.Index)
			}
			seen[e.Index] = true
		}
		if len(entries) != n {
			c.fail("list %s: %d used slots for %d credentials", id, len(entries), n)
		}
	}
}

// audit: the log has no gap, and every holder, offer, redemption, credential and status list
// of the run has its event.
func (c *checker) audit(runs []*walletRun) {
	events := map[string]map[string]storage.AuditEvent{} // action → subject → event
	c.counts = map[string]map[string]int{}
	var prev int64
	for {
		page, err := c.s.ListAudit(c.ctx, prev, storage.MaxLimit)
		if err != nil {
			c.fail("list audit: %v", err)
			return
		}
		for _, e := range page {
			if e.Seq != prev+1 {
				c.fail("audit log gap: seq %d after %d", e.Seq, prev)
			}
			prev = e.Seq
			if events[e.Action] == nil {
				events[e.Action] = map[string]storage.AuditEvent{}
			}
			events[e.Action][e.Subject] = e
			if c.counts[e.Action] == nil {
				c.counts[e.Action] = map[string]int{}
			}
			c.counts[e.Action][e.Subject]++
			c.rep.AuditEvents++
			if e.Action == "offer.redeem.repeat" || e.Action == "credential.redeliver" {
				c.rep.Repeats[e.Action]++
			}
		}
		if len(page) < storage.MaxLimit {
			break
		}
	}
	has := func(action, subject string) (storage.AuditEvent, bool) {
		e, ok := events[action][subject]
		if !ok {
			c.fail("no %s event for %s", action, subject)
		}
		return e, ok
	}
	for _, r := range runs {
		has("holder.enrol", r.holderID)
		has("offer.create", r.offerID)
		has("offer.redeem", r.offerID)
	}
	lists := map[string]bool{}
	for _, cr := range c.creds {
		lists[cr.StatusListID] = true
		if e, ok := has("credential.issue", cr.ID); ok &&
			(e.Details["status_idx"] != strconv.Itoa(cr.StatusIndex) || e.Details["status_list"] != cr.StatusListID) {
			c.fail("credential %s: issue event names slot %s#%s, stored %s#%d", cr.ID, e.Details["status_list"], e.Details["status_idx"], cr.StatusListID, cr.StatusIndex)
		}
	}
	for id := range lists {
		has("statuslist.create", id)
	}
}
