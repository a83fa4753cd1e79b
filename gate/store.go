package gate

import (
	"context"
	"time"

	"github.com/idgate/idgate/credential"
)

// GateConfig says which flight a gate is boarding and whether boarding is open.
type GateConfig struct {
	Gate     string `json:"gate"`
	Flight   Flight `json:"flight"`
	Boarding bool   `json:"boarding"`
	// Airport is the IATA code of the airport the gate stands at, when configured: Verify
	// then boards only a pass with a leg of Flight departing from there (see
	// Flight.departsFrom). Empty: any leg of Flight.
	Airport string `json:"airport,omitempty"`
	// Departure is the scheduled departure; retention of boarding records counts from it.
	Departure time.Time `json:"departure"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PassID identifies one passenger's booking on one flight: the hex SHA-256 of the flight,
// and of the PNR, origin and check-in sequence number of the pass's leg for that flight, in
// canonical form (boardingpass.Booking: case, padding and leading zeros do not count).
// Keying on the booking rather than on the pass's bytes means a reprinted or re-signed pass
// (new seat, new date of issue, another ECDSA signature, a PNR in lower case, a check-in
// sequence "348 " for "0348") is still the same boarding, so it cannot board twice; two
// passengers of one PNR differ by their check-in sequence numbers.
//
// A Store keeps PassIDs only, which cannot be recomputed from: a boarding record outlives
// any change of derivation and would then no longer match its booking, letting that pass
// board again. The derivation is therefore fixed and named ("bcbp-booking/1" in bookingKey).
type PassID string

// Enrolment links a boarding pass to the face template disclosed at check-in.
type Enrolment struct {
	Flight     string    // Flight.Key()
	Pass       PassID    // the enrolled pass
	Sealed     string    // compact JWE to the gate reader key, as disclosed: the only biometric kept
	Departure  time.Time // retention counts from here
	EnrolledAt time.Time
	// Status is the enrolled ID's Token Status List entry, which Identify checks at boarding
	// time. The zero value (no URI) names none: such an enrolment (a row written by schema
	// version 3 or older) never boards by walk-through (status_unavailable).
	Status credential.StatusRef
	// IDExpires is the enrolled ID's expiry (SD-JWT VC exp, mdoc validUntil): Identify denies
	// credential_expired from then on. The zero value (a row of an older schema) is unknown,
	// and denied the same way.
	IDExpires time.Time
}

// Store is the gate's persistence: gate configuration, single-use boarding records and
// per-flight galleries of sealed templates. Implementations must be safe for concurrent use;
// MarkBoarded, MarkBoardedBy, Enrol and EnrolBatch must be atomic. gate/storetest is the
// shared conformance suite.
type Store interface {
	PutGate(ctx context.Context, g GateConfig) error
	// Gate returns ErrGateNotFound for an unknown gate.
	Gate(ctx context.Context, id string) (GateConfig, error)
	// MarkBoarded records that pass boarded flight; ErrAlreadyBoarded if it already had.
	MarkBoarded(ctx context.Context, flight string, pass PassID, departure, at time.Time) error
	// MarkBoardedBy is MarkBoarded that also records the request that boarded the pass. A
	// request whose boarding was committed but whose answer was lost (the Store reported an
	// error; its nonce was put back) can then be retried and is answered boarded again
	// rather than ErrAlreadyBoarded, while any other request for the pass still gets
	// ErrAlreadyBoarded. With the zero AttemptID it is MarkBoarded: it matches no request.
	MarkBoardedBy(ctx context.Context, flight string, pass PassID, departure, at time.Time, req AttemptID) error
	// Enrol adds or replaces the enrolment of (e.Flight, e.Pass).
	Enrol(ctx context.Context, e Enrolment) error
	// EnrolBatch writes every enrolment in one transaction, in order (a later one for the
	// same flight and pass replaces an earlier one), or none of them when it returns an error.
	EnrolBatch(ctx context.Context, es []Enrolment) error
	// Enrolments lists a flight's enrolments.
	Enrolments(ctx context.Context, flight string) ([]Enrolment, error)
	// EnrolmentsSince lists a flight's enrolments added or replaced at or after since (their
	// EnrolledAt). Config.GallerySync uses it to bring a loaded gallery up to date with
	// enrolments made through other instances sharing the Store.
	EnrolmentsSince(ctx context.Context, flight string, since time.Time) ([]Enrolment, error)
	// Purge deletes enrolments and boarding records of flights that departed before cutoff and
	// returns the affected flight keys.
	Purge(ctx context.Context, cutoff time.Time) ([]string, error)
	// Ping reports whether the store can serve requests (readiness).
	Ping(ctx context.Context) error
}

// NonceStore keeps single-use nonces in a Store that several verifier instances share, so a
// terminal may fetch its nonce from one instance and verify at another. Config.SharedNonces
// selects it; otherwise nonces live in the instance's memory. It is optional because a store
// private to one host (gate/sqlitestore) has nothing to share them with. TakeNonce must be atomic: of any
// number of concurrent takes of one nonce, at most one returns true, and only before exp.
type NonceStore interface {
	PutNonce(ctx context.Context, scope, nonce string, exp time.Time) error
	// TakeNonce consumes the nonce of scope: ok only the first time, and only before its
	// expiry, which it returns, so that a request whose effect could not be stored can put
	// the nonce back (PutNonce) with the same expiry.
	TakeNonce(ctx context.Context, scope, nonce string, now time.Time) (exp time.Time, ok bool, err error)
	// PurgeNonces deletes nonces that expired before now (called with each retention purge).
	PurgeNonces(ctx context.Context, now time.Time) error
}

// AttemptID names one boarding attempt, the verify request that boarded a pass: a hash of
// the gate's audience, the request's single-use nonce and its KB-JWT (Service.Verify derives
// it). The zero AttemptID names no attempt.
type AttemptID [16]byte
