package vpstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/idgate/idgate/internal/ratelimit"
)

// Status is where a transaction stands. Only pending transactions count as open.
type Status string

const (
	StatusPending  Status = "pending"  // waiting for the wallet
	StatusVerified Status = "verified" // answered and verified; the result is unread
	StatusFailed   Status = "failed"   // answered and refused, or refused by the wallet
	StatusRead     Status = "read"     // the relying party has read the outcome
)

func (s Status) valid() bool {
	return s == StatusPending || s == StatusVerified || s == StatusFailed || s == StatusRead
}

// Transaction is one presentation transaction. ID, Client, CreatedAt and ExpiresAt are fixed
// at creation; Update may change Status and Data.
type Transaction struct {
	ID        string
	Client    string // who opened it, for the per-client bound
	CreatedAt time.Time
	ExpiresAt time.Time
	Status    Status
	Data      []byte // the verifier's request and outcome, opaque here
}

// Open reports whether t is pending and unexpired at now.
func (t *Transaction) Open(now time.Time) bool {
	return t.Status == StatusPending && now.Before(t.ExpiresAt)
}

// Bounds on what a store accepts.
const (
	MaxIDLen     = 128
	MaxClientLen = 256
	MaxDataBytes = 512 << 10
)

// NetworkShare is how many clients' worth of open transactions the clients of one network
// (ratelimit.NetworkOf of Client: an IPv4 /24, an IPv6 /48) may hold together, so that many
// addresses of one operator count as a few clients.
const NetworkShare = 10

// Network is the network a transaction's client belongs to, for the per-network bound.
func Network(client string) string { return ratelimit.NetworkOf(client) }

// Store is the transaction store every backend implements.
type Store interface {
	// Create stores t (Status pending) unless Client already has perClient open transactions
	// (ErrClientLimit), the clients of its Network have perClient*NetworkShare
	// (ErrNetworkLimit), or the id exists (ErrExists). The counts and the insert are atomic
	// across instances.
	Create(ctx context.Context, t Transaction, perClient int) error
	// Get returns the transaction or ErrNotFound.
	Get(ctx context.Context, id string) (Transaction, error)
	// Update runs fn on the current transaction and stores its Status and Data, atomically
	// with respect to every other Update of id on any instance. An error from fn aborts the
	// update and is returned as is.
	Update(ctx context.Context, id string, fn func(t *Transaction) error) (Transaction, error)
	// DeleteExpired removes transactions that expired before before; it returns how many.
	DeleteExpired(ctx context.Context, before time.Time) (int, error)
	Close() error
}

// Errors every backend returns (wrapped or as is; test with errors.Is).
var (
	ErrNotFound    = errors.New("vpstore: no such transaction")
	ErrExists      = errors.New("vpstore: transaction id exists")
	ErrClientLimit = errors.New("vpstore: the client has too many open transactions")
	// ErrNetworkLimit refuses a client whose network holds its share of open transactions.
	ErrNetworkLimit = errors.New("vpstore: the client's network has too many open transactions")
	// ErrFull refuses any new transaction: the in-memory store holds its maximum.
	ErrFull    = errors.New("vpstore: too many stored transactions")
	ErrInvalid = errors.New("vpstore: invalid transaction")
)

// Validate checks a transaction before it is written.
func (t *Transaction) Validate() error {
	switch {
	case t.ID == "" || len(t.ID) > MaxIDLen:
		return fmt.Errorf("%w: id empty or longer than %d", ErrInvalid, MaxIDLen)
	case len(t.Client) > MaxClientLen:
		return fmt.Errorf("%w: client longer than %d", ErrInvalid, MaxClientLen)
	case !t.Status.valid():
		return fmt.Errorf("%w: status %q", ErrInvalid, t.Status)
	case len(t.Data) > MaxDataBytes:
		return fmt.Errorf("%w: data larger than %d bytes", ErrInvalid, MaxDataBytes)
	case t.ExpiresAt.IsZero() || t.CreatedAt.IsZero():
		return fmt.Errorf("%w: times are required", ErrInvalid)
	}
	return nil
}

// CheckUpdate checks that fn kept the fixed fields of before in after.
func CheckUpdate(before, after *Transaction) error {
	if before.ID != after.ID || before.Client != after.Client || !before.CreatedAt.Equal(after.CreatedAt) || !before.ExpiresAt.Equal(after.ExpiresAt) {
		return fmt.Errorf("%w: an update may change only status and data", ErrInvalid)
	}
	return after.Validate()
}
