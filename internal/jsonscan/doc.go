// Package jsonscan holds idgate's strict JSON decoders: Decode, which every API's request
// bodies go through, and FlatObject, a one-pass scanner for flat JSON objects whose member
// values are all strings (the shape of the gate's request bodies).
//
// Decode walks the token stream against the Go type it fills and refuses what encoding/json
// lets through: duplicate member names at any depth, names matching a field only when case is
// folded, unknown members (unless Options.IgnoreUnknown), nesting over MaxDepth and anything
// after the value; encoding/json then decodes the body it has checked.
//
// Data flow: FlatObject walks the body once. Each member name and value is located by a single
// scan for its closing quote (eight bytes at a time while the bytes are plain printable ASCII);
// values containing escapes are then decoded per RFC 8259 section 7. Every member is handed to a
// visitor, which maps names to fields; the caller enforces known names and uniqueness.
//
// FlatObject is deliberately stricter than encoding/json, never looser:
//   - the top level must be exactly one object, with only RFC 8259 whitespace around it;
//   - every value must be a string (no null, numbers, booleans, arrays or nested objects, so no
//     nesting depth to bound);
//   - member names may not contain escapes (callers match them byte-exactly);
//   - invalid UTF-8 (including UTF-8-encoded surrogates) and unpaired \u surrogates are rejected
//     rather than replaced with U+FFFD.
package jsonscan
