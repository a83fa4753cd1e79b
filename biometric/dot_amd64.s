//go:build amd64 && !purego

#include "textflag.h"

// AVX2 code dot products: four 128-byte int8 rows per iteration against a probe held
// sign-extended (int16) in Y8-Y15 for the whole call.
//
// Per 16-byte chunk of a row: VPMOVSXBW widens 16 codes to int16, VPMADDWD multiplies by the
// matching 16 probe values and adds adjacent pairs into 8 int32 lanes. Both are exact for the
// full int8 range (|pair| ≤ 2·128² < 2³¹), unlike VPMADDUBSW, whose unsigned×signed int16
// pair sums saturate. Y0-Y3 accumulate the four rows; a VPHADDD tree then folds them into one
// XMM of four int32 results, stored with a single 16-byte write.

// CHUNK0 starts the accumulators with chunk 0 (bytes 0-15) of each row.
#define CHUNK0 \
	VPMOVSXBW 0(SI), Y4; \
	VPMOVSXBW 128(SI), Y5; \
	VPMOVSXBW 256(SI), Y6; \
	VPMOVSXBW 384(SI), Y7; \
	VPMADDWD Y8, Y4, Y0; \
	VPMADDWD Y8, Y5, Y1; \
	VPMADDWD Y8, Y6, Y2; \
	VPMADDWD Y8, Y7, Y3

// CHUNK adds chunk bytes [off, off+16) of each row times probe register P.
#define CHUNK(off, P) \
	VPMOVSXBW (off)(SI), Y4; \
	VPMOVSXBW (128+off)(SI), Y5; \
	VPMOVSXBW (256+off)(SI), Y6; \
	VPMOVSXBW (384+off)(SI), Y7; \
	VPMADDWD P, Y4, Y4; \
	VPMADDWD P, Y5, Y5; \
	VPMADDWD P, Y6, Y6; \
	VPMADDWD P, Y7, Y7; \
	VPADDD Y4, Y0, Y0; \
	VPADDD Y5, Y1, Y1; \
	VPADDD Y6, Y2, Y2; \
	VPADDD Y7, Y3, Y3

// func dotRowsAVX2(codes *byte, q *int16, out *int32, n int)
// n must be a positive multiple of 4; codes must hold n*128 bytes and out n int32s.
TEXT ·dotRowsAVX2(SB), NOSPLIT, $0-32
	MOVQ codes+0(FP), SI
	MOVQ q+8(FP), DX
	MOVQ out+16(FP), DI
	MOVQ n+24(FP), CX
	SHRQ $2, CX
	JZ   done

	VMOVDQU 0(DX), Y8
	VMOVDQU 32(DX), Y9
	VMOVDQU 64(DX), Y10
	VMOVDQU 96(DX), Y11
	VMOVDQU 128(DX), Y12
	VMOVDQU 160(DX), Y13
	VMOVDQU 192(DX), Y14
	VMOVDQU 224(DX), Y15

loop:
	CHUNK0
	CHUNK(16, Y9)
	CHUNK(32, Y10)
	CHUNK(48, Y11)
	CHUNK(64, Y12)
	CHUNK(80, Y13)
	CHUNK(96, Y14)
	CHUNK(112, Y15)

	// Fold 4x8 lanes into [r0 r1 r2 r3]: after two levels each 128-bit half holds one partial
	// sum per row, and the halves are added.
	VPHADDD Y1, Y0, Y0
	VPHADDD Y3, Y2, Y2
	VPHADDD Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD  X1, X0, X0
	VMOVDQU X0, 0(DI)

	ADDQ $512, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  loop

	VZEROUPPER

done:
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
