// Package gate is idgate's airport boarding gate: one call decides whether a passenger may
// board, from their mobile ID (SD-JWT VC + KB-JWT, or the mDL as an ISO/IEC 18013-5 mdoc),
// their airline-signed IATA boarding pass
// and a live face capture; or, for walk-through boarding, from the live face alone against the
// flight's gallery of faces enrolled at check-in.
//
// # Data flow
//
// The domain takes decoded values and returns typed results; HTTP is a thin fasthttp shell in
// verifier/gate_http.go (routes listed on verifier.GateAPI).
//
//   - Operators configure a gate (PutGate): the flight (carrier, number, date) it boards,
//     boarding open or closed, the scheduled departure. Stored in the Store.
//   - The gate terminal asks for a nonce (GateNonce): single use, short-lived (NonceTTL), kept
//     in a bounded in-memory store, or in the Store when instances share it (SharedNonces,
//     NonceStore), bound to the gate's audience Audience+"/gates/"+id.
//   - Verify(gate, VerifyRequest): the nonce is read from the KB-JWT and consumed first (so a
//     replay costs no crypto; it is put back only when every check passed and the Store then
//     failed to record the boarding or enrolment, so the same request can be retried); then credential.Verifier checks the ID (issuer signature,
//     trust list, time, key binding to that nonce and audience, Token Status List; name and
//     face_template must be disclosed); boardingpass.VerifyFor checks the signature under a
//     key trusted for the flight's operating carrier, or, for code-share and interline
//     passes, under the key of the one partner the pass names as its issuer when
//     Config.PassPartners lists that partner for the carrier (Decision.SignedBy says which);
//     trusted issuer and airline keys verify through certs/es256's precomputed tables once
//     the trust list has accepted them; the pass must have a leg that carrier operates for the gate's
//     flight and date, and a date of issue within PassIssueWindow (30 days) before the
//     flight date (BCBP dates have no year; a pass without one is denied pass_stale); its
//     Resolution 792 name must match the ID's (NameMatches: upper-case, diacritics folded or
//     ICAO-transliterated, non-letters dropped, truncation only when all 20 characters end
//     in a letter, titles dropped, CHD/INF passes never match); the face_template is opened with
//     the gate reader key (biometric.Open) and compared 1:1 with the live template at the
//     OperatingPoint. Only when all of that passed is the pass marked boarded — an atomic
//     insert in the Store keyed by flight and PassID (SHA-256 of the canonical booking: PNR, origin, check-in sequence), so
//     exactly one of any number of concurrent requests for one pass is allowed.
//   - An mdoc ID (VerifyRequest.Mdoc, EnrolRequest.Mdoc: the base64url DeviceResponse of the mDL,
//     with Nonce, the nonce the terminal obtained; exactly one of presentation and mdoc) is
//     device-signed over MdocSessionTranscript(audience, nonce): OpenID4VP 1.0 Appendix B's
//     handover (oid4vp.SessionTranscript) with client_id and response_uri both the audience the
//     nonce endpoint returned, the nonce, and a null thumbprint (the response is not encrypted;
//     the terminal posts it over TLS). The audience names the verifier and the gate (or the
//     flight's check-in), the nonce the attempt, so a response made for another gate, flight,
//     verifier or nonce fails the device signature; the wallet computes it from the nonce
//     response alone, and the endpoint URL, which a verifier behind a proxy does not know, is
//     not needed. A DeviceResponse carries no readable nonce: the nonce is consumed first as for
//     a presentation, then Config.Mdoc (mdoc.Verifier over the trust list's IACA roots for the
//     mDL doctype) checks the chain, validity, element digests and the device signature over
//     that transcript. family_name and given_name (org.iso.18013.5.1) go into the same name
//     match; face_template (org.idgate.mdl.1) is the same sealed JWE; the MSO's status_list
//     entry is checked through Config.Status and kept at enrolment for Identify. Failures are
//     the same reasons as an SD-JWT VC's (mdoc's codes carry the same strings in
//     credential_code); a gate without Config.Mdoc denies credential_invalid
//     (mdoc_not_accepted) before consuming the nonce. The nonce's TTL bounds the response's
//     age, as the KB-JWT's iat does a presentation's.
//   - Enrol(flight, EnrolRequest) at check-in runs the same credential, pass, flight and name
//     checks against a check-in nonce and stores the sealed template (the JWE, never the
//     vector) linked to the PassID, with the ID's status list reference and expiry. Identify(gate,
//     live face) opens the flight's enrolments into a biometric.Gallery (cached per flight),
//     searches 1:N, and boards the nearest enrolment under the threshold (deny
//     ambiguous_match if a second one is also under it) if the enrolled ID has not expired
//     (credential_expired) and its status is still valid (Config.Status, the status checker
//     Verify uses, whose cache makes this a lookup; credential_revoked, credential_suspended,
//     status_unavailable otherwise).
//     With GallerySync (instances sharing a Store), a loaded gallery picks up, at most
//     GallerySync late, the enrolments made or replaced through other instances
//     (Store.EnrolmentsSince; gallery_sync.go: read and opened outside the gallery's lock).
//   - EnrolBatch checks up to MaxEnrolBatch check-ins on every core and stores the allowed
//     ones in one transaction (Store.EnrolBatch; all or nothing); the first load of a flight's
//     gallery opens its sealed templates on every core.
//   - Purge (RunPurge) deletes a flight's enrolments and boarding records Retention after its
//     departure and drops in-memory gallery entries past it (each entry keeps its departure,
//     so instances sharing a Store all drop theirs). Departures supplied at PutGate or Enrol
//     must lie within -24 h..+48 h of the flight date; the default is flight date + 40 h
//     (later than any local end of that date). Nothing else biometric is kept.
//   - Only an allow carries a score (Decision.Score, and "score" in its JSON): a distance
//     returned with any deny of Verify or Identify would be an oracle to hill-climb a
//     synthetic face towards a template. live_jpeg must be a JPEG; the face extractor
//     decodes only while holding a worker.
//   - Every live_jpeg goes through passive liveness (biometric/liveness, run by the
//     FaceExtractor on the same decoded image and face box as the template): a spoof is denied
//     presentation_attack, a capture without a liveness result liveness_unverified
//     (checks.liveness). A live_template was captured by the terminal, out of idgate's sight:
//     Config.Liveness.RequireForTemplates denies it liveness_unverified unless its gate id is
//     in TrustedGates (checks.liveness "terminal"); off, it is accepted with checks.liveness
//     skipped. The liveness score, like the distance, is rendered with an allow only.
//   - Single use is keyed on the booking (flight, PNR, origin, check-in sequence) in
//     canonical form (boardingpass.Leg.Booking: case, padding and leading zeros do not
//     count), not on the pass's bytes, so a reprinted pass for the same check-in, however
//     its channel writes the booking, cannot board again; a pass whose booking has no
//     canonical form is denied pass_malformed.
//
// Every outcome is a Decision {decision: allow|deny, reasons[], checks{credential,
// boarding_pass, flight, name, face, single_use, liveness}, score (allow only), threshold,
// liveness_score (allow only), liveness_threshold, pass_ref}; reasons are
// the stable Reason codes. Errors outside decisions are *Error with a stable Code. Logs
// (log/slog) carry the gate, flight, decision, reasons and a 16-hex-digit pass hash — never a
// pass, presentation, mdoc or template. Metrics are Prometheus text (Metrics.WritePrometheus).
//
// # Driving the API (load tests, terminals)
//
// JSON in and out over keep-alive HTTP/1.1; request bodies are flat objects of strings with the
// exact member names, decoded strictly in one pass (no duplicates, no nulls, no case variants,
// nothing after the object: internal/jsonscan). Gate terminals send their bearer token on every
// call. Per boarding: POST /v1/gates/{gate}/nonce (201
// {nonce, audience, expires_at}); the wallet signs its KB-JWT with that audience and nonce (or
// its mdoc over MdocSessionTranscript(audience, nonce));
// POST /v1/gates/{gate}/verify {"presentation" | "mdoc"+"nonce", "bcbp", "live_template"} answers 200 allow or
// 403 deny (404 unknown gate, 400 malformed). Pre-generate distinct passengers: a pass boards
// once, a nonce works once. Setup: PUT /v1/gates/{gate} with "Authorization: Bearer
// <operator token>" and {"carrier":"IG","number":"101","date":"YYYY-MM-DD","boarding":true}.
package gate
