// Package credential is idgate's SD-JWT VC profile: the two credential types we issue (mobile
// government-employee ID and mobile driving licence), which of their claims are selectively
// disclosable, how an issuer signs one, and how a relying party verifies a presentation.
//
// Data flow. Issuing: holder attributes (map) -> Claims (typed, validated) -> Issue, which adds
// the registered claims (iss, iat, nbf, exp, vct, cnf, status), marks every subject claim
// selectively disclosable except those SD-JWT VC forbids, and signs with the issuer's
// certs.Signer (x5c chain in the header). Verifying: a presentation (SD-JWT + KB-JWT) ->
// Verifier.Verify, which runs sdjwt's RFC 9901 checks with the issuer key taken from x5c, then
// this profile's: typ, trust-list chain at issuance time for the vct, iss bound to the
// certificate, time claims with bounded skew, and the Token Status List entry. Every failure is
// an *Error with a stable Code that the HTTP layers render unchanged.
package credential
