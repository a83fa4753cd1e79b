package record

import (
	"bytes"
	"maps"

	"github.com/idgate/idgate/issuer/storage"
)

// Bytes copies b; nil stays nil (TxCodeHash's "none").
func Bytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return bytes.Clone(b)
}

// Offer returns a deep copy of o normalised like a SQL round trip.
func Offer(o storage.Offer) storage.Offer {
	o.PreAuthCodeHash = Bytes(o.PreAuthCodeHash)
	o.TxCodeHash = Bytes(o.TxCodeHash)
	o.TokenSalt = Bytes(o.TokenSalt)
	o.CreatedAt, o.ExpiresAt, o.RedeemedAt = Norm(o.CreatedAt), Norm(o.ExpiresAt), NormPtr(o.RedeemedAt)
	return o
}

// AccessToken returns a deep copy of t normalised like a SQL round trip.
func AccessToken(t storage.AccessToken) storage.AccessToken {
	t.TokenHash = Bytes(t.TokenHash)
	t.CNonceExpiresAt, t.ExpiresAt, t.UsedAt = Norm(t.CNonceExpiresAt), Norm(t.ExpiresAt), NormPtr(t.UsedAt)
	return t
}

// Credential returns c normalised like a SQL round trip.
func Credential(c storage.Credential) storage.Credential {
	c.IssuedAt, c.ExpiresAt, c.UpdatedAt = Norm(c.IssuedAt), Norm(c.ExpiresAt), Norm(c.UpdatedAt)
	c.PendingUntil = NormPtr(c.PendingUntil)
	return c
}

// StatusList returns l normalised like a SQL round trip.
func StatusList(l storage.StatusList) storage.StatusList {
	l.CreatedAt = Norm(l.CreatedAt)
	return l
}

// OperatorToken returns a deep copy of t normalised like a SQL round trip.
func OperatorToken(t storage.OperatorToken) storage.OperatorToken {
	t.Hash = Bytes(t.Hash)
	t.CreatedAt = Norm(t.CreatedAt)
	return t
}

// AuditEvent returns a deep copy of e normalised like a SQL round trip.
func AuditEvent(e storage.AuditEvent) storage.AuditEvent {
	e.Time = Norm(e.Time)
	if e.Details == nil {
		e.Details = map[string]string{}
	} else {
		e.Details = maps.Clone(e.Details)
	}
	return e
}

// OfferKeysEqual reports whether an updater left the offer's immutable fields alone.
func OfferKeysEqual(a, b storage.Offer) bool {
	return a.ID == b.ID && a.HolderID == b.HolderID && bytes.Equal(a.PreAuthCodeHash, b.PreAuthCodeHash)
}

// AccessTokenKeysEqual reports whether an updater left the token's immutable fields alone.
func AccessTokenKeysEqual(a, b storage.AccessToken) bool {
	return bytes.Equal(a.TokenHash, b.TokenHash) && a.OfferID == b.OfferID
}

// CredentialKeysEqual reports whether an updater left the credential's immutable fields alone.
func CredentialKeysEqual(a, b storage.Credential) bool {
	return a.ID == b.ID && a.HolderID == b.HolderID && a.OfferID == b.OfferID &&
		a.StatusListID == b.StatusListID && a.StatusIndex == b.StatusIndex
}

// Portrait returns a deep copy of p normalised like a SQL round trip.
func Portrait(p storage.Portrait) storage.Portrait {
	p.Sealed = Bytes(p.Sealed)
	p.ExpiresAt = Norm(p.ExpiresAt)
	return p
}

// PortraitKeysEqual reports whether an updater left the portrait's holder alone.
func PortraitKeysEqual(a, b storage.Portrait) bool { return a.HolderID == b.HolderID }
