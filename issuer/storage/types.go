package storage

import "time"

// Times: backends store instants with nanosecond precision in UTC; a zero time.Time is
// stored as absent and read back as zero. Readers get UTC times without monotonic clock
// readings, so compare with time.Time.Equal.

// Holder is an enrolled person.
type Holder struct {
	ID string
	// Attributes is the enrolment data as a JSON object. It is stored as JSON and read back
	// decoded with json.Number for numbers (lossless), so values come back as the JSON types
	// string, json.Number, bool, nil, []any and map[string]any.
	Attributes map[string]any
	CreatedAt  time.Time
	// Portrait, when set, is stored by CreateHolder in the same transaction. Reads of a holder
	// leave it nil: GetPortrait reads it.
	Portrait *Portrait
}

// Portrait is a holder's enrolment photo, sealed by the issuer (never the plain image), kept
// only until the credential that carries it (the mdoc licence) is issued or ExpiresAt passes.
type Portrait struct {
	HolderID  string
	Sealed    []byte
	ExpiresAt time.Time
	// CredentialID is the credential the portrait was issued in; empty until then.
	CredentialID string
}

// Credential types an Offer may carry.
const (
	CredentialTypeEmployeeID = "employee-id"
	CredentialTypeMDL        = "mdl"
	CredentialTypeMDLMdoc    = "org.iso.18013.5.1.mDL" // the mDL as an ISO/IEC 18013-5 mdoc
)

// Offer is an OpenID4VCI credential offer with a pre-authorised code.
type Offer struct {
	ID             string
	HolderID       string
	CredentialType string // CredentialTypeEmployeeID, CredentialTypeMDL or CredentialTypeMDLMdoc
	// PreAuthCodeHash is the SHA-256 of the pre-authorised code; unique across offers.
	PreAuthCodeHash []byte
	// TxCodeHash is the SHA-256 of the transaction code, nil when none is required.
	TxCodeHash []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RedeemedAt *time.Time
	// TokenSalt (32 random bytes, set at redemption) lets the issuer derive the same access
	// token again from the code when a wallet repeats its token request; nil until redeemed.
	TokenSalt []byte
}

// AccessToken is an issued bearer token; TokenHash (SHA-256 of the token) is its key.
type AccessToken struct {
	TokenHash       []byte
	OfferID         string
	CNonce          string
	CNonceExpiresAt time.Time
	ExpiresAt       time.Time
	UsedAt          *time.Time // set when the credential was issued
	CredentialID    string     // the credential issued for this token, set with UsedAt
}

// Status values of the IETF Token Status List.
const (
	StatusValid     uint8 = 0
	StatusInvalid   uint8 = 1 // revoked
	StatusSuspended uint8 = 2
)

// Credential is an issued credential (SD-JWT VC, or mdoc: VCT holds its docType) with its
// status-list slot.
type Credential struct {
	ID                  string
	HolderID            string
	OfferID             string // empty when not issued from an offer
	VCT                 string
	StatusListID        string
	StatusIndex         int    // chosen by IssueCredential
	Status              uint8  // StatusValid, StatusInvalid, StatusSuspended (must fit the list's Bits)
	HolderKeyThumbprint string // RFC 7638 thumbprint of cnf.jwk
	IssuedAt            time.Time
	ExpiresAt           time.Time
	UpdatedAt           time.Time
	// PendingUntil is set while the credential's delivery to the wallet is unconfirmed: the
	// expiry of the access token it was issued for. A credential still pending after that
	// is revoked, so no valid credential exists that no wallet received. nil: delivered (or
	// issued outside the wallet flow).
	PendingUntil *time.Time
}

// StatusList is one Token Status List: Size slots of Bits bits each, published at URI.
type StatusList struct {
	ID        string
	URI       string
	Bits      int // 1, 2, 4 or 8
	Size      int // capacity in slots, 1..MaxStatusListSize
	CreatedAt time.Time
}

// StatusEntry is one used slot of a status list.
type StatusEntry struct {
	Index  int
	Status uint8
}

// OperatorToken authorises an operator of the issuer's admin API.
type OperatorToken struct {
	Hash      []byte // SHA-256 of the token
	Name      string
	CreatedAt time.Time
}

// AuditEvent is one entry of the append-only audit log.
type AuditEvent struct {
	Seq     int64 // assigned by the store, strictly increasing
	Time    time.Time
	Actor   string
	Action  string
	Subject string
	Details map[string]string
}

// CredentialFilter selects credentials for ListCredentials. Zero fields do not filter.
type CredentialFilter struct {
	HolderID string
	Status   *uint8
	Limit    int    // <= 0 means DefaultLimit; capped at MaxLimit
	AfterID  string // return IDs > AfterID (keyset pagination)
	// PendingBefore, when set, selects credentials whose PendingUntil is before it.
	PendingBefore time.Time
}
