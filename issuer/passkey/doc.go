// Package passkey binds each enrolled holder to one or more WebAuthn passkeys at the issuer
// (github.com/go-webauthn/webauthn) so that only the enrolled person can collect their
// credential offers.
//
// Data flow. An operator creates an Invite for a holder: a random single-use token (only its
// SHA-256 is stored) that expires after InviteTTL and names the credential types the holder
// may collect. The holder opens the invitation link; BeginRegistration checks the invite and
// starts a ceremony (resident key preferred, user verification required, attestation none,
// ES256/EdDSA/RS256); FinishRegistration verifies the attestation and, in one store
// operation, marks the invite used and stores the credential. Later BeginLogin starts a
// discoverable ceremony (UV required); FinishLogin verifies the assertion, rejects a sign
// counter that does not advance (a cloned authenticator: go-webauthn only flags it) and
// stores the new counter with a compare-and-swap, then returns the holder and their
// entitlements; the issuer turns those into fresh single-use offers.
//
// Ceremony state (challenge, user handle) lives in a bounded, expiring, single-use in-memory
// table keyed by a random session id the page echoes back; credentials and invites live in a
// Store (MemoryStore, or SQLiteStore over the issuer's own *sql.DB).
//
// Relying party. RPID and origin come from the issuer's PublicURL: RPID is its host name and
// the only accepted origin is scheme://host[:port]. Browsers refuse IP literals as RP IDs, so
// a PublicURL on 127.0.0.1 cannot serve passkeys: use http://localhost:PORT (a secure
// context) locally and https://issuer.example in production. Nothing here logs credential
// material; audit events carry holder ids and short credential id prefixes only.
package passkey
