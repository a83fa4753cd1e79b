// Package issuer is idgate's credential issuing service: operators enrol holders and create
// credential offers; wallets redeem offers through the OpenID4VCI pre-authorised code flow and
// receive SD-JWT VCs bound to their device key; operators revoke, suspend and reinstate; the
// Token Status Lists that relying parties check are served here.
//
// Data flow. Service holds the domain logic and talks to one storage.Storage (SQLite by default,
// PostgreSQL or memory). Enrol stores a holder's validated attributes. CreateOffer stores the
// sha-256 of a random pre-authorised code (the code itself only travels in the offer URI).
// Token redeems the code once (an atomic updater) for an access token and a c_nonce. Credential
// checks the proof JWT (openid4vci-proof+jwt, aud, fresh single-use nonce, holder jwk), reserves
// a status-list slot and records the credential in one transaction, then signs the SD-JWT VC
// with the type's certs.Signer. Status changes update the slot; the next list token served
// reflects them. Every operator and issuance action is written to the audit log without
// credential contents or biometrics. Holders' passkeys and their invitations live in
// Config.Passkeys (package passkey), which the command opens in the same database as the
// Store.
//
// The mDL is also issued as an ISO/IEC 18013-5 mdoc (configuration MdocMDL, format mso_mdoc,
// mdoc.go): the same enrolment attributes as Table 5 elements, signed by Config.DocumentSigner,
// bound to the proof's P-256 key, its MSO pointing at a slot of the same status lists. The mdoc
// carries the portrait, so an enrolment for it keeps the photo sealed (portrait.go: AES-256-GCM
// under Config.PortraitKey, bound to the holder) until the licence is issued and its token can
// no longer fetch it again, or its offer expires unused; SweepUndelivered then deletes it.
//
// Failures are *Error values with a code (OAuth 2.0 / OpenID4VCI codes where wallets act on
// them), never an HTTP status: package issuerhttp is the HTTP API over Service and maps codes
// to statuses in one table.
package issuer
