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
// Ceremony state travels with the client. Begin serializes the go-webauthn SessionData with
// the ceremony kind, expiry (SessionTTL) and, for registration, the invite hash and holder
// into JSON and seals it: the session token is base64url(nonce || AES-256-GCM(SessionKey,
// nonce, json, "idgate passkey session v1" + origin)), a few hundred characters the page echoes back
// at finish. Begin stores nothing, so anonymous login/begin calls cannot fill server memory.
// Finish refuses a token over MaxSessionTokenBytes, altered, sealed with another key, of the
// other ceremony kind or expired (CodeInvalidSession), then reserves SHA-256(token bytes) in a
// bounded set (MaxSessions) before verifying, so concurrent finishes of one token verify
// once; a sweep never drops a reservation in flight and a release only deletes its own. The
// record is kept until the token expires (plus a minute) when the ceremony succeeded, at
// most 8 at a time per passkey, so one holder cannot fill the set (login: as
// soon as the assertion verified, so a verified body can never be replayed), and released on
// any earlier failure: the set grows only by successful ceremonies plus in-flight attempts,
// and a token whose verification failed may be retried until it expires (its challenge
// admits nothing by itself). SessionKey defaults to random bytes per process; instances that
// share it finish each other's ceremonies, but single use is then per instance (a login body
// replayed at another instance within SessionTTL is stopped only by the sign counter CAS,
// which authenticators keeping no counter do not have). Credentials and invites live in a
// Store (MemoryStore, or SQLStore in the issuer's own SQLite or PostgreSQL database).
//
// Relying party. RPID and origin come from the issuer's PublicURL: RPID is its host name and
// the only accepted origin is scheme://host[:port]. Browsers refuse IP literals as RP IDs, so
// a PublicURL on 127.0.0.1 cannot serve passkeys: use http://localhost:PORT (a secure
// context) locally and https://issuer.example in production. Nothing here logs credential
// material; audit events carry holder ids and short credential id prefixes only.
package passkey
