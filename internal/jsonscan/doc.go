// Package jsonscan is a one-pass strict scanner for flat JSON objects whose member values are
// all strings: the shape of the gate's request bodies.
//
// Data flow: FlatObject walks the body once. Each member name and value is located by a single
// scan for its closing quote (eight bytes at a time while the bytes are plain printable ASCII);
// values containing escapes are then decoded per RFC 8259 section 7. Every member is handed to a
// visitor, which maps names to fields; the caller enforces known names and uniqueness.
//
// It is deliberately stricter than encoding/json, never looser:
//   - the top level must be exactly one object, with only RFC 8259 whitespace around it;
//   - every value must be a string (no null, numbers, booleans, arrays or nested objects, so no
//     nesting depth to bound);
//   - member names may not contain escapes (callers match them byte-exactly);
//   - invalid UTF-8 (including UTF-8-encoded surrogates) and unpaired \u surrogates are rejected
//     rather than replaced with U+FFFD.
package jsonscan
