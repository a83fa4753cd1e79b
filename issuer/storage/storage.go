package storage

import "context"

// Storage is the issuer's persistence contract. All methods are safe for concurrent use.
//
// Update* methods pass fn a copy of the stored record inside one transaction; if fn returns
// an error nothing is written and that error is returned unchanged. If fn changes a key field
// (listed per method) the update fails with ErrImmutableField and nothing is written. fn must
// not call the store (it may hold the write lock) and should be quick.
type Storage interface {
	CreateHolder(ctx context.Context, h Holder) error
	GetHolder(ctx context.Context, id string) (Holder, error)
	// ListHolders returns holders with ID > afterID in ascending ID order; limit <= 0 means
	// DefaultLimit and is capped at MaxLimit.
	ListHolders(ctx context.Context, limit int, afterID string) ([]Holder, error)

	// CreateOffer fails with ErrNotFound for an unknown holder and ErrAlreadyExists for a
	// duplicate ID or PreAuthCodeHash.
	CreateOffer(ctx context.Context, o Offer) error
	GetOffer(ctx context.Context, id string) (Offer, error)
	GetOfferByCodeHash(ctx context.Context, codeHash []byte) (Offer, error)
	// UpdateOffer: immutable fields ID, HolderID, PreAuthCodeHash. Two concurrent redeemers
	// whose fn checks RedeemedAt cannot both succeed.
	UpdateOffer(ctx context.Context, id string, fn func(*Offer) error) error

	// CreateAccessToken fails with ErrNotFound for an unknown offer.
	CreateAccessToken(ctx context.Context, t AccessToken) error
	GetAccessToken(ctx context.Context, hash []byte) (AccessToken, error)
	// UpdateAccessToken: immutable fields TokenHash, OfferID.
	UpdateAccessToken(ctx context.Context, hash []byte, fn func(*AccessToken) error) error

	CreateStatusList(ctx context.Context, l StatusList) error
	GetStatusList(ctx context.Context, id string) (StatusList, error)
	// ListStatusLists returns every list in ascending ID order.
	ListStatusLists(ctx context.Context) ([]StatusList, error)

	// IssueCredential records c and reserves its status slot in ONE transaction. The store
	// picks c.StatusIndex uniformly at random (crypto/rand) among the list's never-used
	// indices (a slot is never reused, even after revocation) and returns the stored
	// credential; the caller's StatusIndex is ignored. A full list gives ErrStatusListFull
	// (wraps ErrConflict); an unknown list, holder or offer gives ErrNotFound; c.Status must
	// fit the list's Bits.
	IssueCredential(ctx context.Context, c Credential) (Credential, error)
	GetCredential(ctx context.Context, id string) (Credential, error)
	// UpdateCredential: immutable fields ID, HolderID, OfferID, StatusListID, StatusIndex;
	// Status must fit the list's Bits (else ErrInvalid).
	UpdateCredential(ctx context.Context, id string, fn func(*Credential) error) error
	// ListCredentials returns matching credentials in ascending ID order (see CredentialFilter).
	ListCredentials(ctx context.Context, f CredentialFilter) ([]Credential, error)
	// StatusEntries returns every used slot of the list with its status, ascending by index
	// (unused slots are VALID=0 by the Token Status List default). Unknown list: ErrNotFound.
	StatusEntries(ctx context.Context, listID string) ([]StatusEntry, error)

	CreateOperatorToken(ctx context.Context, t OperatorToken) error
	GetOperatorToken(ctx context.Context, hash []byte) (OperatorToken, error)

	// AppendAudit stores e with a store-assigned Seq (e.Seq is ignored) and returns it. Seqs
	// are strictly increasing in commit order, without gaps, so a reader tailing with
	// ListAudit(afterSeq) never skips an event.
	AppendAudit(ctx context.Context, e AuditEvent) (int64, error)
	// ListAudit returns events with Seq > afterSeq in ascending order; limit as ListHolders.
	ListAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditEvent, error)

	// Close releases the store; later calls fail. Closing twice is harmless.
	Close() error
}
