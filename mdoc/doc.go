// Package mdoc implements the ISO/IEC 18013-5 mobile document (mdoc) form of a credential, the
// mobile driving licence's doctype first: issuing, holder presentation and verification, over
// []byte in and typed values and errors out. HTTP and OpenID4VP transport live elsewhere
// (oid4vp computes the SessionTranscript this package signs and checks).
//
// Data flow:
//
//	issuer:   Issue(IssueInput, certs.Signer)
//	            -> one IssuerSignedItem per element: #6.24(<<{digestID, random(32), elementIdentifier, elementValue}>>)
//	            -> MSO {version, digestAlgorithm SHA-256, valueDigests[ns][digestID] = SHA-256(item bytes),
//	                    deviceKeyInfo.deviceKey (COSE_Key), docType, validityInfo, status.status_list{idx, uri}}
//	            -> issuerAuth = COSE_Sign1 ES256 over #6.24(<<MSO>>), DS certificate in x5chain (unprotected 33)
//	            => IssuerSigned bytes, stored by the holder
//	holder:   Present(IssuerSigned, Request, SessionTranscript, device key)
//	            -> the requested items copied byte for byte, issuerAuth unchanged
//	            -> deviceSignature = COSE_Sign1 ES256, detached, over
//	               #6.24(<<["DeviceAuthentication", SessionTranscript, docType, DeviceNameSpacesBytes]>>)
//	            => DeviceResponse bytes
//	verifier: Verifier.Verify(DeviceResponse, VerifyOptions{DocType, SessionTranscript, ReaderKey, OnlyDocument})
//	            -> strict decode; the document of DocType (alone, with OnlyDocument); DS chain to an IACA trusted for the docType at the MSO's signed time;
//	               issuerAuth signature; docType; validFrom <= now <= validUntil; each item's SHA-256
//	               over its #6.24 bytes as received; deviceSignature (or deviceMac: ECDH + HKDF
//	               "EMacKey") under the MSO's device key over the transcript the verifier computed
//	            => Verified{Elements, MSO (status reference), DeviceKey, Signer} or *Error{Code}
//
// Received bytes are never re-encoded: items, the MSO, DeviceNameSpacesBytes and the protected
// headers are kept as cbor.RawMessage and hashed or signed as they came. What idgate writes is
// CBOR core deterministic encoding.
//
// Decoding is strict and bounded (cbor.go): 1 MiB per message, nesting depth 16, 1024 array
// elements and map pairs, duplicate map keys and indefinite lengths refused, exact field names.
//
// COSE is this package's own code over fxamacker/cbor rather than github.com/veraison/go-cose:
// mdoc needs only untagged COSE_Sign1 with ES256 (attached for issuerAuth, detached for
// deviceSignature), COSE_Mac0 with HMAC 256/256 (go-cose has no Mac0) and an EC2 COSE_Key,
// about 200 lines; owning them keeps the protected header and payload as the bytes received
// under the same strict decoder, and lets the issuer signature use certs' precomputed ES256
// keys, which the verification benchmark relies on.
//
// Interoperability: scripts/mdl-interop.sh (run by make test) has the independent @auth0/mdl
// 3.0.1 verify idgate's DeviceResponse and idgate verify one @auth0/mdl issued and device-signed.
//
// Failures are *Error with a Code; codes that mean the same as an SD-JWT VC failure carry the
// same string as sdjwt's and credential's (malformed, signature_invalid, untrusted_issuer,
// issuer_cert_not_valid, expired, not_yet_valid, disclosure_unreferenced, kb_signature_invalid).
package mdoc
