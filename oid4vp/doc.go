// Package oid4vp is OpenID for Verifiable Presentations 1.0 with DCQL, as the High Assurance
// Interoperability Profile uses it, without HTTP: the verifier's services and the wallet SDK
// call it and carry its values over their own transports.
//
// Data flow, verifier side:
//
//	dcql_query bytes --ParseQuery--> *Query (strictly validated; unknown properties ignored)
//	NewEncryptionKey, NewNonce, NewClientMetadata --> RequestObject
//	RequestObject --SignRequestObject(certs.Signer)--> JAR (typ oauth-authz-req+jwt, ES256, x5c)
//	AuthorizationURL(client_id, request_uri) --> openid4vp://?client_id=…&request_uri=…
//	stored key --ParseDecryptionKey--> *DecryptionKey (scalar and kid, no point multiplication)
//	posted form --DecodeResponse(mode, key)--> *Response (direct_post, or direct_post.jwt:
//	    ECDH-ES + A128GCM/A256GCM, decrypted with the request's ephemeral key by this
//	    package's own compact-JWE code, which refuses every other alg, enc, zip and crit)
//	Response.VPToken --Query.CheckVPToken(PresentationVerifier)--> presentations per query id
//
// Data flow, wallet side:
//
//	link --ParseAuthorizationURL--> client_id, request_uri, method
//	JAR --ValidateRequestObject(Trust)--> *AuthorizationRequest (signature, chain to the
//	    wallet's verifier roots, client_id prefix rules, response_uri, nonce, query, key)
//	stored credentials as []Credential --Query.Evaluate--> candidates and the queries to answer
//	Response{VPToken, State} --EncryptedForm(key, enc) or Form--> the form to post
//
// CredentialQuery.Match is the one DCQL matching rule: the wallet uses it to pick credentials
// and claims, the verifier to check what was disclosed. The mdoc SessionTranscript for
// redirects (Appendix B.2.6.1) is SessionTranscript.
//
// Every failure is an *Error carrying the OpenID4VP error code (§8.5) a peer receives and a
// Reason naming the failed check; messages never carry claim values or keys.
package oid4vp
