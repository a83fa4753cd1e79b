// Package loadtest drives idgate's airport gate API the way a busy airport would and measures
// how close one gate verification gets to the public-key work it cannot avoid.
//
// # Data flow
//
//  1. World (self-contained mode): a fresh development PKI (certs.Init) in a temp dir, a Token
//     Status List served on 127.0.0.1 signed with the PKI's status-list key, and the verifier
//     started as a separate process (Config.ServerCommand + --gates/--listen 127.0.0.1:0); its
//     address is read from its "verifier listening" log line and /readyz is awaited. With
//     Config.Target an already running verifier is used instead (its PKI in Config.PKIDir).
//  2. Setup through the real API: PUT /v1/gates/{gate} with the operator token.
//  3. Passengers, before any timing: a device key, an mDL or employee ID (credential.Issue)
//     carrying a face_template sealed to the gate reader key (biometric.Seal) from a random
//     unit 128-d template, an airline-signed BCBP (boardingpass.Sign) for the gate's flight,
//     and a live template about 0.2 away from the enrolled one. The gate nonce (POST
//     /v1/gates/{gate}/nonce) and KB-JWT presentation of each are bound in batches just
//     before they are driven (batches.go): the timed phase runs in segments, each batch is
//     built between them with the clock and the CPU meters stopped, and a segment ends before
//     its oldest nonce is three quarters of its lifetime old (the nonce's expires_at), so no
//     request fails nonce_invalid however long the phase. The bodies are kept as bytes, so
//     the timed loop only sends bytes and reads a status.
//  4. Drive POST /v1/gates/{gate}/verify over keep-alive connections, one raw connection per
//     worker (rawhttp.go: the request line and headers are built once, each request is one
//     writev of header and body, each answer is read by a minimal bounded parser), so the
//     generator, which shares the cores with the server, spends little more than its system
//     calls: closed loop (max throughput) or open loop at a fixed arrival rate (latency
//     measured from the scheduled send time, so a slow server cannot hide queueing; the
//     half-rate phase spreads its arrivals over HalfRateConnections, 32 gate terminals). Bounded by time and by the passenger count; each latency goes into a
//     preallocated slot; an error is a non-200 status or a decision other than allow.
//  5. Crypto bound, after the load phase while the server is idle: GOMAXPROCS goroutines run
//     exactly 3× ECDSA P-256 verify (SHA-256 over the real signing-input sizes of the issuer
//     JWT, KB-JWT and BCBP) + 1× P-256 ECDH per gate verification; ratio = throughput/bound.
//     With HalfRate a second batch of fresh passengers then runs open loop at half the
//     measured throughput ("p99 at half of the maximum rate"). Around each timed phase the
//     server's CPU (/proc/PID/stat, self-contained mode) and the generator's (getrusage) are
//     read, so CPU per request can be set against the bound's CPU per operation (cpu_ratio),
//     a comparison that neighbours on a shared machine do not distort.
//     With FloorCommand the same requests then go, closed loop, to an HTTP-only server (the
//     verifier's fasthttp settings, a fixed answer of a real decision's size): the HTTP floor,
//     what loopback HTTP costs per request on this machine without any gate work.
//  6. Identify mode (Config.IdentifyGallery = N): N passengers enrol at check-in through the
//     real enrol-batch route (500 a request), a stranger's face warms (loads) the gallery, then
//     POST /v1/gates/{gate}/identify is driven with the enrolled passengers' live templates.
//  7. Soak (Config.Soak, after the closed loop and the half-rate phase): an open loop at
//     SoakFraction (80%) of the measured throughput for the given duration on
//     HalfRateConnections connections. Holders (4,096 credentials with device keys and sealed
//     faces), one airline-signed boarding pass per arrival and one ECDSA presignature per
//     arrival (presign.go: k and r drawn before the arrivals start) are made first; while the
//     arrivals run, a feed fetches one gate nonce per request and completes its KB-JWT, so
//     every request is a fresh boarding with a fresh nonce. Each window (a minute) reports
//     requests, errors, p50/p99/max, the generator's lag and shortfall, and the verifier's
//     RSS and open files (/proc/PID) and goroutines and heap (its /metrics); judgeSoak holds
//     the run against the goal (10 minutes, no error, RSS, goroutines and open files at most
//     10% above the first window's end, no window's p99 above twice the median window's and
//     no upward trend).
//  8. Live JPEG mode (Config.LiveJPEG): the credentials carry the template of one photo and
//     every request sends another photo of the same person as live_jpeg, so each allow has
//     gone through the verifier's camera path (decode, detection, landmarks, liveness,
//     descriptor, match) as well as the credential and pass checks. `idgate loadtest
//     --live-jpeg` runs it one request at a time for a bounded number of passengers and
//     reports p50/p90/p99/max and the verifier's CPU per request.
//  9. Mdoc mode (Config.Mdoc): each passenger's ID is the mDL as an mdoc (mdoc.Issue under the
//     PKI's Document Signer, Table 5's mandatory elements plus the sealed face_template), and
//     each request carries {mdoc, nonce}: a DeviceResponse disclosing family_name, given_name
//     and face_template, device-signed over gate.MdocSessionTranscript for its gate nonce. The
//     bound is the same three ECDSA verifications (issuerAuth, device signature, pass) and one
//     ECDH.
//
// Nothing here logs templates, presentations or passes; the verifier's own logs are drained
// and only its last lines are kept for error messages.
package loadtest
