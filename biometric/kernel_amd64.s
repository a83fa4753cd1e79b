//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// Fused scan kernels. A call scores n rows (n a multiple of 4) as four streams: the rows are
// split into quarters of Q = n/4 and iteration i handles rows i, Q+i, 2Q+i and 3Q+i. For the
// four rows it computes the exact raw = Σ row[i]·q[i] (probe held in registers for the whole
// call), then the float32 score ((float32(raw-bias)·inv)·dotScale)+norm2 in the same order
// and rounding as probe.score, stores each score at its row's index in out, and compares it
// with the caller's bar: mask[i] bit s is set when row s*Q+i scored below it. The function
// returns how many rows did, so the Go loop skips a block without candidates and otherwise
// visits only the rows whose bit is set.
//
// Why four streams: with 4 KiB pages the hardware prefetcher restarts at every page, and one
// sequential stream per core leaves DRAM bandwidth unused on the machines measured (a
// four-stream read is ~25-40% faster than a one-stream read; BenchmarkMemoryBandwidth). Four
// distant streams keep four times as many line fills in flight. Explicit PREFETCHT0 ahead of
// a single stream measured no better.
//
// Registers: SI codes, BX inv, R8 norm2, DI out (all at stream 0), R10/R11 the byte offsets of
// streams 1 and 3 in codes (stream 2 is R10*2), R12/R13 the same for the float32 arrays,
// R14 the mask byte, DX *probe, CX iterations left, R9 count. (R14 is scratch in ABI0; the
// wrapper restores g.) Y0-Y3 accumulate the four rows, Y4-Y7 are scratch.

// ARGS loads the arguments shared by both kernels, sets up the stream offsets and leaves
// CX = Q with ZF set when it is 0.
#define ARGS \
	MOVQ codes+0(FP), SI; \
	MOVQ inv+8(FP), BX; \
	MOVQ norm2+16(FP), R8; \
	MOVQ out+24(FP), DI; \
	MOVQ mask+32(FP), R14; \
	MOVQ n+40(FP), CX; \
	MOVQ p+48(FP), DX; \
	XORQ R9, R9; \
	SHRQ $2, CX; \
	MOVQ CX, R10; \
	SHLQ $7, R10; \
	LEAQ (R10)(R10*2), R11; \
	MOVQ CX, R12; \
	SHLQ $2, R12; \
	LEAQ (R12)(R12*2), R13; \
	TESTQ CX, CX

// REDUCE4 folds Y0-Y3 (8 int32 lanes per row) into X0 = [r0 r1 r2 r3]: after two VPHADDD
// levels each 128-bit half holds one partial sum per row, and the halves are added.
#define REDUCE4 \
	VPHADDD Y1, Y0, Y0; \
	VPHADDD Y3, Y2, Y2; \
	VPHADDD Y2, Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPADDD X1, X0, X0

// SCORE4 turns X0 into the four streams' scores, stores them, stores the below-bar bits
// (bit s for stream s) as this iteration's mask byte, and adds their number to R9. VCMPPS predicate 1 is LT_OS: false for NaN, like Go's <.
#define SCORE4 \
	VPBROADCASTD probe_bias(DX), X4; \
	VPSUBD X4, X0, X0; \
	VCVTDQ2PS X0, X0; \
	VMOVSS (BX), X5; \
	VINSERTPS $0x10, (BX)(R12*1), X5, X5; \
	VINSERTPS $0x20, (BX)(R12*2), X5, X5; \
	VINSERTPS $0x30, (BX)(R13*1), X5, X5; \
	VMULPS X5, X0, X0; \
	VBROADCASTSS probe_dotScale(DX), X6; \
	VMULPS X6, X0, X0; \
	VMOVSS (R8), X7; \
	VINSERTPS $0x10, (R8)(R12*1), X7, X7; \
	VINSERTPS $0x20, (R8)(R12*2), X7, X7; \
	VINSERTPS $0x30, (R8)(R13*1), X7, X7; \
	VADDPS X7, X0, X0; \
	VMOVSS X0, (DI); \
	VEXTRACTPS $1, X0, (DI)(R12*1); \
	VEXTRACTPS $2, X0, (DI)(R12*2); \
	VEXTRACTPS $3, X0, (DI)(R13*1); \
	VBROADCASTSS bar+56(FP), X4; \
	VCMPPS $1, X4, X0, X1; \
	VMOVMSKPS X1, AX; \
	MOVB AX, (R14); \
	POPCNTL AX, AX; \
	ADDQ AX, R9

// NEXT advances every stream by one row.
#define NEXT \
	INCQ R14; \
	ADDQ $128, SI; \
	ADDQ $4, BX; \
	ADDQ $4, R8; \
	ADDQ $4, DI

// AVX2, per 16-byte chunk of a row: VPMOVZXBW widens 16 codes to int16, VPMADDWD multiplies by
// the matching 16 sign-extended probe values (Y8-Y15) and adds adjacent pairs into 8 int32
// lanes. Exact: |pair| ≤ 2·255·128 < 2³¹. (VPMADDUBSW would halve the work but its int16 pair
// sums saturate at these magnitudes.)

// ZCHUNK0 starts the accumulators with bytes 0-15 of each stream's row.
#define ZCHUNK0 \
	VPMOVZXBW (SI), Y4; \
	VPMOVZXBW (SI)(R10*1), Y5; \
	VPMOVZXBW (SI)(R10*2), Y6; \
	VPMOVZXBW (SI)(R11*1), Y7; \
	VPMADDWD Y8, Y4, Y0; \
	VPMADDWD Y8, Y5, Y1; \
	VPMADDWD Y8, Y6, Y2; \
	VPMADDWD Y8, Y7, Y3

// ZCHUNK adds bytes [off, off+16) of each stream's row times probe register P.
#define ZCHUNK(off, P) \
	VPMOVZXBW off(SI), Y4; \
	VPMOVZXBW off(SI)(R10*1), Y5; \
	VPMOVZXBW off(SI)(R10*2), Y6; \
	VPMOVZXBW off(SI)(R11*1), Y7; \
	VPMADDWD P, Y4, Y4; \
	VPMADDWD P, Y5, Y5; \
	VPMADDWD P, Y6, Y6; \
	VPMADDWD P, Y7, Y7; \
	VPADDD Y4, Y0, Y0; \
	VPADDD Y5, Y1, Y1; \
	VPADDD Y6, Y2, Y2; \
	VPADDD Y7, Y3, Y3

// func scoreRowsAVX2(codes *byte, inv *float32, norm2 *float32, out *float32, mask *byte, n int, p *probe, bar float32) int
// n must be a multiple of 4; codes must hold n*128 bytes, inv, norm2 and out n float32s,
// mask n/4 bytes.
TEXT ·scoreRowsAVX2(SB), NOSPLIT, $0-72
	ARGS
	JZ   avx2done
	LEAQ (probe_codes+probeCodes_wide)(DX), AX
	VMOVDQU 0(AX), Y8
	VMOVDQU 32(AX), Y9
	VMOVDQU 64(AX), Y10
	VMOVDQU 96(AX), Y11
	VMOVDQU 128(AX), Y12
	VMOVDQU 160(AX), Y13
	VMOVDQU 192(AX), Y14
	VMOVDQU 224(AX), Y15

avx2loop:
	ZCHUNK0
	ZCHUNK(16, Y9)
	ZCHUNK(32, Y10)
	ZCHUNK(48, Y11)
	ZCHUNK(64, Y12)
	ZCHUNK(80, Y13)
	ZCHUNK(96, Y14)
	ZCHUNK(112, Y15)
	REDUCE4
	SCORE4
	NEXT
	DECQ CX
	JNZ  avx2loop

	VZEROUPPER

avx2done:
	MOVQ R9, ret+64(FP)
	RET

// AVX-512 VNNI on YMM (needs AVX512VL): VPDPBUSD multiplies 32 unsigned row bytes by 32 signed
// probe bytes (Y8-Y11) and adds each group of four products into an int32 lane of the
// accumulator, without intermediate saturation. Two instructions per 32 bytes instead of six.

// VCHUNK adds bytes [off, off+32) of each stream's row times probe register P.
#define VCHUNK(off, P) \
	VMOVDQU off(SI), Y4; \
	VMOVDQU off(SI)(R10*1), Y5; \
	VMOVDQU off(SI)(R10*2), Y6; \
	VMOVDQU off(SI)(R11*1), Y7; \
	VPDPBUSD P, Y4, Y0; \
	VPDPBUSD P, Y5, Y1; \
	VPDPBUSD P, Y6, Y2; \
	VPDPBUSD P, Y7, Y3

// func scoreRowsVNNI(codes *byte, inv *float32, norm2 *float32, out *float32, mask *byte, n int, p *probe, bar float32) int
// n must be a multiple of 4; codes must hold n*128 bytes, inv, norm2 and out n float32s,
// mask n/4 bytes.
TEXT ·scoreRowsVNNI(SB), NOSPLIT, $0-72
	ARGS
	JZ   vnnidone
	LEAQ (probe_codes+probeCodes_narrow)(DX), AX
	VMOVDQU 0(AX), Y8
	VMOVDQU 32(AX), Y9
	VMOVDQU 64(AX), Y10
	VMOVDQU 96(AX), Y11

vnniloop:
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VCHUNK(0, Y8)
	VCHUNK(32, Y9)
	VCHUNK(64, Y10)
	VCHUNK(96, Y11)
	REDUCE4
	SCORE4
	NEXT
	DECQ CX
	JNZ  vnniloop

	VZEROUPPER

vnnidone:
	MOVQ R9, ret+64(FP)
	RET

// func sumWordsAVX2(p *uint64, n int) uint64
// Sums n uint64s (n a positive multiple of 16) with 256-bit loads into four accumulators: the
// one-stream read loop of BenchmarkMemoryBandwidth, same load width as the scan kernels.
TEXT ·sumWordsAVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $4, CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    sumdone

sumloop:
	VPADDQ 0(SI), Y0, Y0
	VPADDQ 32(SI), Y1, Y1
	VPADDQ 64(SI), Y2, Y2
	VPADDQ 96(SI), Y3, Y3
	ADDQ   $128, SI
	DECQ   CX
	JNZ    sumloop

sumdone:
	VPADDQ Y1, Y0, Y0
	VPADDQ Y3, Y2, Y2
	VPADDQ Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	VMOVQ  X0, AX
	VZEROUPPER
	MOVQ AX, ret+16(FP)
	RET

// func sumWords4AVX2(p *uint64, n int) uint64
// Sums n uint64s (n a positive multiple of 16) as four streams, one per quarter, 256-bit
// loads: the access pattern of the scan kernels, for BenchmarkMemoryBandwidth.
TEXT ·sumWords4AVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $4, CX          // iterations: n/4 words per quarter, 4 words per load
	MOVQ CX, R10
	SHLQ $5, R10         // quarter length in bytes
	LEAQ (R10)(R10*2), R11
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	TESTQ CX, CX
	JZ    sum4done

sum4loop:
	VPADDQ (SI), Y0, Y0
	VPADDQ (SI)(R10*1), Y1, Y1
	VPADDQ (SI)(R10*2), Y2, Y2
	VPADDQ (SI)(R11*1), Y3, Y3
	ADDQ   $32, SI
	DECQ   CX
	JNZ    sum4loop

sum4done:
	VPADDQ Y1, Y0, Y0
	VPADDQ Y3, Y2, Y2
	VPADDQ Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	VMOVQ  X0, AX
	VZEROUPPER
	MOVQ AX, ret+16(FP)
	RET
