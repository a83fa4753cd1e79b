package passkey

import (
	"context"
	"time"

	"github.com/idgate/idgate/issuer/storage"
)

// Invite is a single-use registration invitation; the token itself is never stored.
type Invite struct {
	Hash            []byte // SHA-256 of the token
	HolderID        string
	CredentialTypes []string // what the holder may collect with the passkey
	CreatedAt       time.Time
	ExpiresAt       time.Time
	UsedAt          *time.Time
}

// Credential is a registered passkey. Record is go-webauthn's credential record as JSON
// (public key, flags, AAGUID…); SignCount is kept in its own field so that updates are a
// compare-and-swap on one column.
type Credential struct {
	ID              []byte
	HolderID        string
	CredentialTypes []string
	SignCount       uint32
	Record          []byte
	CreatedAt       time.Time
	LastUsedAt      *time.Time
}

// Store persists invites and credentials. Methods are safe for concurrent use; ErrNotFound
// and ErrConflict are returned wrapped (errors.Is).
//
// Every write method takes the audit events that record it and appends them to the issuer's
// audit log in the same transaction as the change: the change and its events commit together
// or not at all. An invalid event (storage.ErrInvalid) fails the call and writes nothing.
type Store interface {
	// CreateInvite fails with ErrConflict for a duplicate hash.
	CreateInvite(ctx context.Context, inv Invite, audit ...storage.AuditEvent) error
	GetInvite(ctx context.Context, hash []byte) (Invite, error)
	// RegisterCredential atomically marks the invite used and stores c. It fails with
	// ErrNotFound for an unknown invite, ErrConflict if the invite was already used, has
	// expired at now, belongs to another holder than c.HolderID, or c.ID already exists;
	// then nothing is written.
	RegisterCredential(ctx context.Context, inviteHash []byte, now time.Time, c Credential, audit ...storage.AuditEvent) error
	GetCredential(ctx context.Context, id []byte) (Credential, error)
	// ListCredentials returns the holder's credentials in creation order (empty, not nil).
	ListCredentials(ctx context.Context, holderID string) ([]Credential, error)
	// UpdateSignCount sets the counter to next and LastUsedAt to at only if it is still prev;
	// otherwise ErrConflict (a concurrent login consumed it). Unknown id: ErrNotFound.
	UpdateSignCount(ctx context.Context, id []byte, prev, next uint32, at time.Time, audit ...storage.AuditEvent) error
}
