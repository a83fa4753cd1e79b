package walletsdk

import (
	"encoding/json"
	"errors"
	"time"
)

const kindCredentials = "credentials"

// Formats of held credentials (the OpenID4VCI format identifiers).
const (
	FormatSDJWT = "dc+sd-jwt"
	FormatMdoc  = "mso_mdoc"
)

// Credential is a stored credential as the UI shows it.
type Credential struct {
	ID              string
	Format          string // FormatSDJWT or FormatMdoc
	VCT             string // dc+sd-jwt
	DocType         string // mso_mdoc
	Issuer          string
	ConfigurationID string // the OpenID4VCI credential_configuration_id it was issued under
	KeyID           string // the device key it is bound to (cnf.jwk)
	IssuedAt        time.Time
	ExpiresAt       time.Time // zero if the credential has no exp
	// Claims is the holder's full disclosed view. dc+sd-jwt: always-visible and selectively
	// disclosable claims together, registered JWT claims (iss, iat, cnf, _sd...) removed.
	// mso_mdoc: namespace -> element identifier -> value in JSON types (bstr as standard
	// base64, full-date as "YYYY-MM-DD", tdate as RFC 3339).
	Claims map[string]any
	// Disclosable names what the holder may choose to reveal or withhold: top-level claim names
	// of an SD-JWT VC; "namespace/element" for every element of an mdoc.
	Disclosable []string
}

// storedCredential is the sealed record. An SD-JWT VC keeps Raw, the SD-JWT with every
// disclosure; an mdoc keeps IssuerSigned, the CBOR the issuer sent (mdoc.Present takes it as
// is), and its DocType. A record without Format is an SD-JWT VC.
type storedCredential struct {
	ID              string    `json:"id"`
	KeyID           string    `json:"key_id"`
	ConfigurationID string    `json:"configuration_id"`
	Format          string    `json:"format,omitempty"`
	VCT             string    `json:"vct"`
	DocType         string    `json:"doctype,omitempty"`
	Issuer          string    `json:"issuer"`
	IssuedAt        time.Time `json:"issued_at"`
	ExpiresAt       time.Time `json:"expires_at,omitzero"`
	Raw             string    `json:"sd_jwt,omitempty"`
	IssuerSigned    []byte    `json:"issuer_signed,omitempty"`
}

// isMdoc reports whether the record holds an mdoc.
func (r *storedCredential) isMdoc() bool { return r.Format == FormatMdoc }

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
	err = json.Unmarshal(b, &rec)
	switch {
	case err != nil || rec.ID != id:
	case rec.Format == "" || rec.Format == FormatSDJWT:
		if rec.Raw != "" && len(rec.IssuerSigned) == 0 {
			return &rec, nil
		}
	case rec.isMdoc():
		if rec.Raw == "" && len(rec.IssuerSigned) != 0 && rec.DocType != "" {
			return &rec, nil
		}
	}
	return nil, newErr(CodeStoreTampered, "credential record "+id+" unreadable", nil)
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

// FindCredential returns the stored credential of type vct (an SD-JWT VC's vct, or an mdoc's
// docType) that expires last (unexpired ones first); CodeNotFound if there is none.
func (w *Wallet) FindCredential(vct string) (*Credential, error) {
	all, err := w.Credentials()
	if err != nil {
		return nil, err
	}
	now := w.now()
	var best *Credential
	for i := range all {
		c := &all[i]
		if c.VCT != vct && (c.Format != FormatMdoc || c.DocType != vct) {
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
