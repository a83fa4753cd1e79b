// Package ratelimit is a per-client request limiter for anonymous HTTP endpoints: each client
// key gets a token bucket (Rate tokens a second, at most Burst saved up), and a request that
// finds the bucket empty is refused with how long until the next token.
//
// Data flow. A handler derives the key with ClientKey (the TCP peer's IP; an IPv6 address
// counts as its /64, since one host usually owns the whole /64) or Proxies.ClientKey, and
// calls Limiter.Allow. The
// bucket is kept in its GCRA form, one "theoretical arrival time" per key, which is the token
// bucket's arithmetic in integer nanoseconds: exact, and one int64 per client. Buckets live in
// one table bounded by MaxClients; when it is full the least recently seen client's bucket is
// dropped. A dropped client comes back with a full bucket, so a flood from many addresses can
// only reset other clients' limits, never lock a legitimate client out; it costs the flooder
// nothing that it did not already have. Allow is O(1), takes one mutex and starts no
// goroutines; the table needs no sweeping.
//
// Proxies. ClientKey reads r.RemoteAddr only, never X-Forwarded-For or Forwarded: those
// headers are written by the client and trivially spoofed, so trusting them would give every
// request its own bucket. Behind a reverse proxy every client would then share the proxy's
// address and one bucket, so Proxies.ClientKey believes X-Forwarded-For only when the TCP peer
// is one of the named proxies, and then only its rightmost address that is not a proxy (the
// one the last trusted proxy appended); what the client wrote to the left of it is ignored.
//
// What it does not do. It does not limit concurrency, bandwidth or request cost, and it does
// not share state between processes: N replicas allow N times the rate. A client holding many
// /64s (a /48) has as many buckets.
package ratelimit
