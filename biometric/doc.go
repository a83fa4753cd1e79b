// Package biometric holds face templates and everything done with them that needs no cgo:
// encoding, 1:1 verification, 1:N search, sealing for storage and transport, and the
// statistics used to calibrate a decision threshold.
//
// Data flow:
//
//   - biometric/face (cgo, dlib) turns a photo into a 128-float descriptor and wraps it with
//     NewTemplate, tagged with the ModelID of the network that produced it.
//   - The issuer seals the template for a gate reader's ECDH P-256 key with Seal (compact JWE,
//     ECDH-ES+A256KW / A256GCM) and puts the string in the credential's selectively disclosable
//     face_template claim. Galleries keep the same sealed form at rest. Open reverses it on the
//     reader side; its input is untrusted and bounded.
//   - At the gate, OperatingPoint.Verify compares the live capture with the disclosed template
//     (1:1), or Gallery.Search finds the nearest enrolled travellers (1:N): a vectorised scan
//     over 8-bit quantised rows followed by an exact float32 re-rank of the best candidates.
//   - Calibrate turns labelled templates into genuine/impostor distance distributions and
//     FMR/FNMR per threshold; `idgate face calibrate` uses it to choose the OperatingPoint.
//
// # 1:N scan
//
// A 1:N search is memory-bound: it streams the whole gallery once per query. Storage is
// struct-of-arrays: per row 128 bytes of codes (quantize.go: per-vector scale, signed code
// c in ±127 stored as c+128) and two float32 scan factors (1/scale, exact ‖x‖²); the float32
// vectors are touched only by the re-rank.
//
//   - scanAll (scan.go) splits the rows into 16384-row (2 MiB) chunks that GOMAXPROCS
//     workers claim from an atomic counter, so a core slowed by other load does less of the
//     work. Each worker keeps the k+32 best rows in a bounded max-heap.
//   - A worker calls scoreRows (kernel*.go) on blocks that start at 256 rows and double up to
//     a whole chunk, so the bar (the worst kept score) is tight before the big calls. The
//     amd64 kernels (kernel_amd64.s) read each call as four streams, one per quarter, four
//     rows per iteration (one from each), with the probe held in registers: AVX-512 VNNI on
//     YMM (VPDPBUSD: unsigned row bytes × signed probe bytes into int32, two instructions per
//     32 bytes) when the CPU has it, else AVX2 (VPMOVZXBW + VPMADDWD against the probe
//     sign-extended to int16). Both give the exact integer dot product, then compute the
//     float32 score ‖g‖² - 2⟨g,p⟩ in the same operation order and rounding as the Go
//     reference, compare it with the bar and write a bit per row below it. Go skips a call
//     with no bit set, which after the first few is nearly every call, and otherwise pushes
//     only the marked rows: the heap costs nothing measurable.
//   - Four streams rather than one: with 4 KiB pages the hardware prefetcher restarts at each
//     page, and one sequential stream per core leaves DRAM bandwidth unused here (a
//     four-stream read is ~25-40% faster than a one-stream read; PREFETCHT0 ahead of one
//     stream did not help).
//   - Without AVX2 (other architectures, or the purego build tag) a portable Go kernel runs;
//     kernel_test.go checks every available kernel bit for bit against it (scores, count and
//     mask), including the extremes of both operand ranges, tails and unaligned rows.
//   - The candidates of all workers are re-ranked with exact float32 distances. Quantisation
//     error on the squared distance is at most ~0.013 on Gaussian test vectors
//     (TestScoreError); the 32 extra candidates absorb it, and Search returns the same top-k
//     as a brute-force float32 scan on the idols set and on random 49k-row galleries.
//
// BenchmarkMemoryBandwidth/DRAM is the reference: a parallel four-stream 256-bit read of
// 128 MB (a 1M gallery's codes) with the same workers and chunking as the scan.
// BenchmarkSearch/N=1000000 reports bw-ratio, read time over scan time measured in adjacent
// pairs, because the bandwidth of this shared machine varies several-fold within a run.
//
// Templates of different models are never compared (ErrModelMismatch). Every error is an *Error
// with a stable Code; raw vectors never appear in error messages.
package biometric
