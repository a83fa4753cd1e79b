//go:build amd64 && !purego

#include "textflag.h"
#include "go_asm.h"

// Fused scan kernels: for four 128-byte rows of unsigned codes per iteration, the exact
// raw = Σ row[i]·q[i] (probe held in registers for the whole call), then the float32 score
// ((float32(raw-bias)·inv)·dotScale)+norm2 in the same order and rounding as probe.score, and
// a compare against the caller's bar. The function returns how many rows scored below it, so
// the Go loop only revisits a block that holds a candidate: after the first few blocks almost
// none do, and the scan is the kernel streaming memory. Rows are read once, in order, so the
// hardware prefetcher covers them (explicit PREFETCHT0 ahead measured no better).
//
// Registers: SI codes, BX inv, R8 norm2, DI out, DX *probe, CX iterations left, R9 count.
// Y0-Y3 accumulate the four rows, Y4-Y7 are scratch.

// REDUCE4 folds Y0-Y3 (8 int32 lanes per row) into X0 = [r0 r1 r2 r3]: after two VPHADDD
// levels each 128-bit half holds one partial sum per row, and the halves are added.
#define REDUCE4 \
	VPHADDD Y1, Y0, Y0; \
	VPHADDD Y3, Y2, Y2; \
	VPHADDD Y2, Y0, Y0; \
	VEXTRACTI128 $1, Y0, X1; \
	VPADDD X1, X0, X0

// SCORE4 turns X0 into four scores at (DI) and adds the number below bar to R9. VCMPPS
// predicate 1 is LT_OS: false for NaN, like Go's <.
#define SCORE4 \
	VPBROADCASTD probe_bias(DX), X4; \
	VPSUBD X4, X0, X0; \
	VCVTDQ2PS X0, X0; \
	VMULPS (BX), X0, X0; \
	VBROADCASTSS probe_dotScale(DX), X5; \
	VMULPS X5, X0, X0; \
	VADDPS (R8), X0, X0; \
	VMOVUPS X0, (DI); \
	VBROADCASTSS bar+48(FP), X6; \
	VCMPPS $1, X6, X0, X1; \
	VMOVMSKPS X1, AX; \
	POPCNTL AX, AX; \
	ADDQ AX, R9

// ARGS loads the arguments shared by both kernels and leaves CX = n/4.
#define ARGS \
	MOVQ codes+0(FP), SI; \
	MOVQ inv+8(FP), BX; \
	MOVQ norm2+16(FP), R8; \
	MOVQ out+24(FP), DI; \
	MOVQ n+32(FP), CX; \
	MOVQ p+40(FP), DX; \
	XORQ R9, R9; \
	SHRQ $2, CX

// NEXT4 advances every stream by four rows.
#define NEXT4 \
	ADDQ $512, SI; \
	ADDQ $16, BX; \
	ADDQ $16, R8; \
	ADDQ $16, DI

// AVX2, per 16-byte chunk of a row: VPMOVZXBW widens 16 codes to int16, VPMADDWD multiplies by
// the matching 16 sign-extended probe values (Y8-Y15) and adds adjacent pairs into 8 int32
// lanes. Exact: |pair| ≤ 2·255·128 < 2³¹. (VPMADDUBSW would halve the work but its int16 pair
// sums saturate at these magnitudes.)

// ZCHUNK0 starts the accumulators with bytes 0-15 of each row.
#define ZCHUNK0 \
	VPMOVZXBW 0(SI), Y4; \
	VPMOVZXBW 128(SI), Y5; \
	VPMOVZXBW 256(SI), Y6; \
	VPMOVZXBW 384(SI), Y7; \
	VPMADDWD Y8, Y4, Y0; \
	VPMADDWD Y8, Y5, Y1; \
	VPMADDWD Y8, Y6, Y2; \
	VPMADDWD Y8, Y7, Y3

// ZCHUNK adds bytes [off, off+16) of each row times probe register P.
#define ZCHUNK(off, P) \
	VPMOVZXBW (off)(SI), Y4; \
	VPMOVZXBW (128+off)(SI), Y5; \
	VPMOVZXBW (256+off)(SI), Y6; \
	VPMOVZXBW (384+off)(SI), Y7; \
	VPMADDWD P, Y4, Y4; \
	VPMADDWD P, Y5, Y5; \
	VPMADDWD P, Y6, Y6; \
	VPMADDWD P, Y7, Y7; \
	VPADDD Y4, Y0, Y0; \
	VPADDD Y5, Y1, Y1; \
	VPADDD Y6, Y2, Y2; \
	VPADDD Y7, Y3, Y3

// func scoreRowsAVX2(codes *byte, inv *float32, norm2 *float32, out *float32, n int, p *probe, bar float32) int
// n must be a multiple of 4; codes must hold n*128 bytes, inv, norm2 and out n float32s.
TEXT ·scoreRowsAVX2(SB), NOSPLIT, $0-64
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
	NEXT4
	DECQ CX
	JNZ  avx2loop

	VZEROUPPER

avx2done:
	MOVQ R9, ret+56(FP)
	RET

// AVX-512 VNNI on YMM (needs AVX512VL): VPDPBUSD multiplies 32 unsigned row bytes by 32 signed
// probe bytes (Y8-Y11) and adds each group of four products into an int32 lane of the
// accumulator, without intermediate saturation. Two instructions per 32 bytes instead of six.

// VCHUNK adds bytes [off, off+32) of each row times probe register P.
#define VCHUNK(off, P) \
	VMOVDQU (off)(SI), Y4; \
	VMOVDQU (128+off)(SI), Y5; \
	VMOVDQU (256+off)(SI), Y6; \
	VMOVDQU (384+off)(SI), Y7; \
	VPDPBUSD P, Y4, Y0; \
	VPDPBUSD P, Y5, Y1; \
	VPDPBUSD P, Y6, Y2; \
	VPDPBUSD P, Y7, Y3

// func scoreRowsVNNI(codes *byte, inv *float32, norm2 *float32, out *float32, n int, p *probe, bar float32) int
// n must be a multiple of 4; codes must hold n*128 bytes, inv, norm2 and out n float32s.
TEXT ·scoreRowsVNNI(SB), NOSPLIT, $0-64
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
	NEXT4
	DECQ CX
	JNZ  vnniloop

	VZEROUPPER

vnnidone:
	MOVQ R9, ret+56(FP)
	RET

// func sumWordsAVX2(p *uint64, n int) uint64
// Sums n uint64s (n a positive multiple of 16) with 256-bit loads into four accumulators: the
// read-only streaming loop BenchmarkMemoryBandwidth uses as the machine's bandwidth ceiling,
// with the same load width as dotRowsAVX2 so the comparison is about memory, not the loop.
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
