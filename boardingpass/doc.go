// Package boardingpass encodes, parses, signs and verifies IATA Resolution 792 Bar Coded
// Boarding Passes (BCBP), format code 'M', versions 1..8.
//
// # Layout
//
// A pass is the unique mandatory items (23 characters: 'M', number of legs 1..4, the
// passenger name in 20 characters, the electronic ticket indicator), then for each leg its
// repeated mandatory items (35 characters) and a 2-hex size of the leg's conditional section,
// then the section itself, then optionally a security section ('^', type, 2-hex length, data).
// Leg 1's conditional section starts with '>' and the version number, then the 2-hex-sized
// unique conditional items; every leg then has the 2-hex-sized repeated conditional items and
// the "individual airline use" data that fills the rest of its section.
//
// # Data flow
//
// Parse walks that layout by position, trusting nothing: the input is bounded (MaxLen), must
// be printable ASCII, and each size field is checked against the data that follows it. Items
// are read as far as each size field announces, so versions with fewer items (v2/v3 have no
// fast track) and truncated sections parse, and data beyond the known items is kept verbatim:
// Encode(Parse(s)) == s. Every failure is an *Error with a stable Code, the element name and
// the byte offset. Values are returned without their space padding; Encode validates widths
// and characters and pads them again.
//
// # Bookings
//
// Leg.Booking returns what a leg books (carrier, flight, date, PNR, origin, check-in
// sequence) in canonical form, for single-use checks: upper case, no padding, numbers with
// at least four digits. Parse keeps fields as written, so two passes of one booking written
// by different channels ("348 " and "0348", "abc123" and "ABC123") parse differently but
// have one Booking; a field with no canonical form is a CodeBadField error. booking.go says
// why the canonical form, and not a stricter Parse, is where spellings are reconciled.
//
// # Airline signing profile
//
// Resolution 792 leaves the security data to the airline. idgate's profile: security type
// '1', length 0x56, data = base64url without padding of the raw ECDSA P-256 signature r||s
// (64 bytes, 86 characters) over the SHA-256 of every character before '^'. Sign appends the
// section with a certs.Signer (the airline's key, "airline-XX"); Verify parses, requires the
// section, picks the airline (the unique item "airline designator of boarding pass issuer"
// when present, else leg 1's operating carrier), asks Keys for the certificates trusted for
// certs.PurposeBoardingPass and that designator, and accepts the pass if one of them, valid
// at the given time and holding a P-256 key, verifies the signature. VerifyFor takes the
// designator from the caller instead (a gate: the flight's operating carrier), so no
// trusted airline can sign for another's flights. '^' may appear only as the start of the
// security section (Parse and Encode reject it in fields), so the signed part is unambiguous. A pass signed under
// another scheme (other type or length) is rejected with CodeBadSecurity, never accepted.
//
// The package logs nothing; callers must not log full pass strings (they carry the name,
// PNR and frequent-flyer number).
package boardingpass
