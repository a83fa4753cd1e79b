package storage

import (
	"context"
	"time"
)

// Storage is the issuer's persistence contract. All methods are safe for concurrent use.
//
// Update* methods pass fn a copy of the stored record inside one transaction; if fn returns
// an error nothing is written and that error is returned unchanged. If fn changes a key field
// (listed per method) the update fails with ErrImmutableField and nothing is written. fn must
// not call the store (it may hold the write lock) and should be quick.
//
// Every write method takes the audit events that record it (audit ...AuditEvent) and appends
// them in the same transaction as the change: the change and its events commit together or
// not at all. An invalid event fails the call with ErrInvalid and writes nothing.
type Storage interface {
	CreateHolder(ctx context.Context, h Holder, audit ...AuditEvent) error
	GetHolder(ctx context.Context, id string) (Holder, error)
	// ListHolders returns holders with ID > afterID in ascending ID order; limit <= 0 means
	// DefaultLimit and is capped at MaxLimit.
	ListHolders(ctx context.Context, limit int, afterID string) ([]Holder, error)

	// GetPortrait returns the holder's sealed portrait; ErrNotFound when there is none.
	GetPortrait(ctx context.Context, holderID string) (Portrait, error)
	// UpdatePortrait: immutable field HolderID.
	UpdatePortrait(ctx context.Context, holderID string, fn func(*Portrait) error, audit ...AuditEvent) error
	// DeletePortrait runs fn (when not nil) on a copy of the holder's portrait inside the
	// transaction and deletes the portrait if fn returns nil (else returns fn's error and
	// deletes nothing); ErrNotFound when there is none.
	DeletePortrait(ctx context.Context, holderID string, fn func(Portrait) error, audit ...AuditEvent) error
	// ExpiredPortraits returns up to limit (as ListHolders) holder IDs whose portrait's
	// ExpiresAt is before t, in ascending ID order.
	ExpiredPortraits(ctx context.Context, t time.Time, limit int) ([]string, error)

	// CreateOffer fails with ErrNotFound for an unknown holder and ErrAlreadyExists for a
	// duplicate ID or PreAuthCodeHash.
	CreateOffer(ctx context.Context, o Offer, audit ...AuditEvent) error
	GetOffer(ctx context.Context, id string) (Offer, error)
	GetOfferByCodeHash(ctx context.Context, codeHash []byte) (Offer, error)
	// UpdateOffer: immutable fields ID, HolderID, PreAuthCodeHash. Two concurrent redeemers
	// whose fn checks RedeemedAt cannot both succeed.
	UpdateOffer(ctx context.Context, id string, fn func(*Offer) error, audit ...AuditEvent) error
	// RedeemOffer runs fn on the offer as UpdateOffer does and creates the access token t
	// (t.OfferID must be id) in the same transaction: a redeemed code always has its token.
	RedeemOffer(ctx context.Context, id string, fn func(*Offer) error, t AccessToken, audit ...AuditEvent) error

	// CreateAccessToken fails with ErrNotFound for an unknown offer.
	CreateAccessToken(ctx context.Context, t AccessToken, audit ...AuditEvent) error
	GetAccessToken(ctx context.Context, hash []byte) (AccessToken, error)
	// UpdateAccessToken: immutable fields TokenHash, OfferID.
	UpdateAccessToken(ctx context.Context, hash []byte, fn func(*AccessToken) error, audit ...AuditEvent) error

	CreateStatusList(ctx context.Context, l StatusList, audit ...AuditEvent) error
	GetStatusList(ctx context.Context, id string) (StatusList, error)
	// ListStatusLists returns every list in ascending ID order.
	ListStatusLists(ctx context.Context) ([]StatusList, error)

	// IssueCredential records c and reserves its status slot in ONE transaction. The store
	// picks c.StatusIndex uniformly at random (crypto/rand) among the list's never-used
	// indices (a slot is never reused, even after revocation) and returns the stored
	// credential; the caller's StatusIndex is ignored. A full list gives ErrStatusListFull
	// (wraps ErrConflict); an unknown list, holder or offer gives ErrNotFound; c.Status must
	// fit the list's Bits. opt ties the access token it is issued for and its audit event
	// into the same transaction (see IssueOptions).
	IssueCredential(ctx context.Context, c Credential, opt IssueOptions) (Credential, error)
	GetCredential(ctx context.Context, id string) (Credential, error)
	// UpdateCredential: immutable fields ID, HolderID, OfferID, StatusListID, StatusIndex;
	// Status must fit the list's Bits (else ErrInvalid).
	UpdateCredential(ctx context.Context, id string, fn func(*Credential) error, audit ...AuditEvent) error
	// ListCredentials returns matching credentials in ascending ID order (see CredentialFilter).
	ListCredentials(ctx context.Context, f CredentialFilter) ([]Credential, error)
	// StatusEntries returns every used slot of the list with its status, ascending by index
	// (unused slots are VALID=0 by the Token Status List default). Unknown list: ErrNotFound.
	StatusEntries(ctx context.Context, listID string) ([]StatusEntry, error)

	CreateOperatorToken(ctx context.Context, t OperatorToken) error
	GetOperatorToken(ctx context.Context, hash []byte) (OperatorToken, error)

	// AppendAudit stores an event that records no change of its own (a refusal, a read) with
	// a store-assigned Seq (e.Seq is ignored) and returns it. Seqs
	// are strictly increasing in commit order, without gaps, so a reader tailing with
	// ListAudit(afterSeq) never skips an event.
	AppendAudit(ctx context.Context, e AuditEvent) (int64, error)
	// ListAudit returns events with Seq > afterSeq in ascending order; limit as ListHolders.
	ListAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditEvent, error)

	// Close releases the store; later calls fail. Closing twice is harmless.
	Close() error
}

// IssueOptions are the parts of an issuance that commit with it.
type IssueOptions struct {
	// TokenHash, when set, names the access token the credential is issued for: UseToken runs
	// on a copy of it inside the issuing transaction (as UpdateAccessToken's fn; TokenHash and
	// OfferID are immutable) and its error aborts the issue unchanged.
	TokenHash []byte
	UseToken  func(*AccessToken) error
	// Audit, when set, builds the event recording the issue from the stored credential (its
	// StatusIndex chosen); it is appended in the same transaction.
	Audit func(Credential) AuditEvent
}
