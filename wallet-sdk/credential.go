package walletsdk

import (
	"encoding/json"
	"errors"
	"time"
)

const kindCredentials = "credentials"

// Credential is a stored credential as the UI shows it.
type Credential struct {
	ID              string
	VCT             string
	Issuer          string
	ConfigurationID string // the OpenID4VCI credential_configuration_id it was issued under
	KeyID           string // the device key it is bound to (cnf.jwk)
	IssuedAt        time.Time
	ExpiresAt       time.Time // zero if the credential has no exp
	// Claims is the holder's full disclosed view: always-visible and selectively disclosable
	// claims together, registered JWT claims (iss, iat, cnf, _sd...) removed.
	Claims map[string]any
	// Disclosable names the top-level claims the holder may choose to reveal or withhold.
	Disclosable []string
}

// storedCredential is the sealed record; Raw is the SD-JWT with every disclosure.
type storedCredential struct {
	ID              string    `json:"id"`
	KeyID           string    `json:"key_id"`
	ConfigurationID string    `json:"configuration_id"`
	VCT             string    `json:"vct"`
	Issuer          string    `json:"issuer"`
	IssuedAt        time.Time `json:"issued_at"`
	ExpiresAt       time.Time `json:"expires_at,omitzero"`
	Raw             string    `json:"sd_jwt"`
}

func (w *Wallet) saveCredential(rec *storedCredential) error {
	if rec.ID == "" {
		rec.ID = randomID()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return newErr(CodeStoreIO, "encode credential", err)
	}
	return w.store.Put(kindCredentials, rec.ID, b)
}

func (w *Wallet) loadCredential(id string) (*storedCredential, error) {
	b, err := w.store.Get(kindCredentials, id)
	if err != nil {
		return nil, err
	}
	var rec storedCredential
	if err := json.Unmarshal(b, &rec); err != nil || rec.ID != id || rec.Raw == "" {
		return nil, newErr(CodeStoreTampered, "credential record "+id+" unreadable", nil)
	}
	return &rec, nil
}

// Credentials lists every stored credential, sorted by id.
func (w *Wallet) Credentials() ([]Credential, error) {
	ids, err := w.store.List(kindCredentials)
	if err != nil {
		return nil, err
	}
	out := make([]Credential, 0, len(ids))
	for _, id := range ids {
		c, err := w.Credential(id)
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// Credential returns one stored credential.
func (w *Wallet) Credential(id string) (*Credential, error) {
	rec, err := w.loadCredential(id)
	if err != nil {
		return nil, err
	}
	return w.view(rec)
}

// FindCredential returns the stored credential of type vct that expires last (unexpired
// ones first); CodeNotFound if there is none.
func (w *Wallet) FindCredential(vct string) (*Credential, error) {
	all, err := w.Credentials()
	if err != nil {
		return nil, err
	}
	now := w.now()
	var best *Credential
	for i := range all {
		c := &all[i]
		if c.VCT != vct {
			continue
		}
		if best == nil || better(c, best, now) {
			best = c
		}
	}
	if best == nil {
		return nil, newErr(CodeNotFound, "no credential of type "+quote(vct), nil)
	}
	return best, nil
}

// better prefers valid over expired, then the later expiry (no exp counts as latest).
func better(a, b *Credential, now time.Time) bool {
	valid := func(c *Credential) bool { return c.ExpiresAt.IsZero() || c.ExpiresAt.After(now) }
	if valid(a) != valid(b) {
		return valid(a)
	}
	if a.ExpiresAt.IsZero() != b.ExpiresAt.IsZero() {
		return a.ExpiresAt.IsZero()
	}
	return a.ExpiresAt.After(b.ExpiresAt)
}

// Delete removes a credential and its device key.
func (w *Wallet) Delete(id string) error {
	rec, err := w.loadCredential(id)
	if err != nil && !errors.Is(err, &Error{Code: CodeStoreTampered}) {
		return err
	}
	if err := w.store.Delete(kindCredentials, id); err != nil {
		return err
	}
	if rec != nil {
		if err := w.keys.Delete(rec.KeyID); err != nil && !errors.Is(err, &Error{Code: CodeNotFound}) {
			return err
		}
	}
	return nil
}
