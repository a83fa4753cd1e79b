package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/idgate/idgate/issuer/passkey"
	"github.com/idgate/idgate/issuer/passkey/passkeytest"
	"github.com/idgate/idgate/issuer/storage"
	"github.com/idgate/idgate/issuer/storage/postgres"
	"github.com/idgate/idgate/issuer/storage/sqlite"
)

// passkeyRun is one holder's passkey registration through the kills.
type passkeyRun struct {
	invite     string // the invitation token
	registered []byte // credential id of the registration the issuer answered registered
	// lost is set when a finish request failed in transport: it may have committed, so a
	// later invite_used is not a violation.
	lost    bool
	retried bool
	err     error
}

// invite asks the operator API for holderID's registration link and returns its token.
func (o operatorClient) invite(ctx context.Context, holderID string) (string, error) {
	inv, err := o.post(ctx, "/v1/holders/"+holderID+"/passkey-invitations", map[string]any{"credential_types": []string{"employee-id"}})
	if err != nil {
		return "", err
	}
	s, _ := inv["url"].(string)
	u, err := url.Parse(s)
	if err != nil || u.Query().Get("invite") == "" {
		return "", fmt.Errorf("crashtest: invitation url %q", s)
	}
	return u.Query().Get("invite"), nil
}

// register runs the registration ceremony against base with a software authenticator until
// the issuer answers registered, retrying from begin after a transport error or a ceremony
// session the restarted issuer no longer knows (its session key is per process), for at most
// 20 s.
func (p *passkeyRun) register(ctx context.Context, base string) {
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		st, begin, err := postJSON(ctx, client, base+"/passkey/register/begin", map[string]any{"invite": p.invite})
		switch {
		case err != nil || st >= 500:
			p.retried = true
			time.Sleep(100 * time.Millisecond)
			continue
		case st != http.StatusOK && p.lost && begin["code"] == passkey.CodeInviteUsed:
			return // the lost finish committed (checked against the store)
		case st != http.StatusOK:
			p.err = fmt.Errorf("begin: HTTP %d %v", st, begin)
			return
		}
		a := passkeytest.New(base)
		opts, _ := json.Marshal(begin["publicKey"])
		cred, err := a.Create(opts)
		if err != nil {
			p.err = err
			return
		}
		st, fin, err := postJSON(ctx, client, base+"/passkey/register/finish", map[string]any{"session": begin["session"], "credential": cred})
		switch {
		case err != nil || st >= 500:
			p.lost, p.retried = true, true
			time.Sleep(100 * time.Millisecond)
		case st == http.StatusOK && fin["registered"] == true:
			p.registered = a.CredentialID()
			return
		case fin["code"] == passkey.CodeInvalidSession: // begun before a restart
			p.retried = true
		case p.lost && fin["code"] == passkey.CodeInviteUsed:
			return
		default:
			p.err = fmt.Errorf("finish: HTTP %d %v", st, fin)
			return
		}
	}
	if p.err == nil {
		p.err = errors.New("no registration within 20 s")
	}
}

func postJSON(ctx context.Context, c *http.Client, u string, body any) (int, map[string]any, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, out, nil
}

// openPasskeys opens the passkey tables beside the issuer's store st.
func openPasskeys(ctx context.Context, st storage.Storage) (passkey.Store, error) {
	switch s := st.(type) {
	case *sqlite.Store:
		return passkey.NewSQLiteStore(ctx, s)
	case *postgres.Store:
		return passkey.NewPostgresStore(ctx, s)
	}
	return nil, fmt.Errorf("crashtest: no passkey store beside %T", st)
}

// passkeys: every registration the issuer answered is stored for its holder, no invitation
// registered two passkeys, and every stored passkey has its passkey.register event (and every
// invitation its passkey.invite event) in the audit log.
func (c *checker) passkeys(pk passkey.Store, runs []*walletRun) {
	events := c.counts
	for _, r := range runs {
		p := r.passkey
		if p.err != nil {
			c.fail("holder %s: passkey registration: %v", r.holderID, p.err)
		}
		stored, err := pk.ListCredentials(c.ctx, r.holderID)
		if err != nil {
			c.fail("holder %s: list passkeys: %v", r.holderID, err)
			continue
		}
		c.rep.Passkeys += len(stored)
		switch {
		case len(stored) > 1:
			c.fail("holder %s: %d passkeys from one invitation", r.holderID, len(stored))
		case p.registered != nil && (len(stored) != 1 || !bytes.Equal(stored[0].ID, p.registered)):
			c.fail("holder %s: the passkey the issuer answered registered is not stored", r.holderID)
		case p.registered == nil && len(stored) == 1 && !p.lost:
			c.fail("holder %s: a passkey stored that no answer reported", r.holderID)
		}
		if p.registered != nil {
			c.rep.PasskeysAnswered++
		}
		if p.retried {
			c.rep.PasskeysRetried++
		}
		if n := events["passkey.register"][r.holderID]; n != len(stored) {
			c.fail("holder %s: %d passkey.register events for %d stored passkeys", r.holderID, n, len(stored))
		}
		if events["passkey.invite"][r.holderID] != 1 {
			c.fail("holder %s: %d passkey.invite events for one invitation", r.holderID, events["passkey.invite"][r.holderID])
		}
	}
}
