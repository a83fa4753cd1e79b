//go:build amd64 && !purego

#include "textflag.h"

// func kernel2x4FMA(c0, c1, b0, b1, b2, b3 *float32, n int, a *[8]float32)
//
// For j in 0..n-1 (n a multiple of 8), eight columns per iteration:
//   c0[j] += a[0]·b0[j] + a[1]·b1[j] + a[2]·b2[j] + a[3]·b3[j]
//   c1[j] += a[4]·b0[j] + a[5]·b1[j] + a[6]·b2[j] + a[7]·b3[j]
// Y0-Y7 hold the broadcast weights for the whole call, Y8-Y11 the four B rows, Y12/Y13 the
// two C rows. Iterations touch disjoint columns, so out-of-order execution overlaps the FMA
// chains of consecutive iterations.
TEXT ·kernel2x4FMA(SB), NOSPLIT, $0-64
	MOVQ c0+0(FP), DI
	MOVQ c1+8(FP), SI
	MOVQ b0+16(FP), R8
	MOVQ b1+24(FP), R9
	MOVQ b2+32(FP), R10
	MOVQ b3+40(FP), R11
	MOVQ n+48(FP), CX
	MOVQ a+56(FP), DX
	VBROADCASTSS 0(DX), Y0
	VBROADCASTSS 4(DX), Y1
	VBROADCASTSS 8(DX), Y2
	VBROADCASTSS 12(DX), Y3
	VBROADCASTSS 16(DX), Y4
	VBROADCASTSS 20(DX), Y5
	VBROADCASTSS 24(DX), Y6
	VBROADCASTSS 28(DX), Y7
	SHLQ $2, CX
	XORQ AX, AX

loop:
	CMPQ AX, CX
	JGE  done
	VMOVUPS (R8)(AX*1), Y8
	VMOVUPS (R9)(AX*1), Y9
	VMOVUPS (R10)(AX*1), Y10
	VMOVUPS (R11)(AX*1), Y11
	VMOVUPS (DI)(AX*1), Y12
	VMOVUPS (SI)(AX*1), Y13
	VFMADD231PS Y8, Y0, Y12
	VFMADD231PS Y8, Y4, Y13
	VFMADD231PS Y9, Y1, Y12
	VFMADD231PS Y9, Y5, Y13
	VFMADD231PS Y10, Y2, Y12
	VFMADD231PS Y10, Y6, Y13
	VFMADD231PS Y11, Y3, Y12
	VFMADD231PS Y11, Y7, Y13
	VMOVUPS Y12, (DI)(AX*1)
	VMOVUPS Y13, (SI)(AX*1)
	ADDQ $32, AX
	JMP  loop

done:
	VZEROUPPER
	RET

// func preluAVX2(x *float32, n int, a float32)
//
// x[i] = max(x[i], 0) + a·min(x[i], 0) for n (a multiple of 8) values: PReLU without the
// branch a sign test would mispredict on half of the activations.
TEXT ·preluAVX2(SB), NOSPLIT, $0-20
	MOVQ x+0(FP), DI
	MOVQ n+8(FP), CX
	VBROADCASTSS a+16(FP), Y0
	VXORPS Y1, Y1, Y1
	SHLQ $2, CX
	XORQ AX, AX

ploop:
	CMPQ AX, CX
	JGE  pdone
	VMOVUPS (DI)(AX*1), Y2
	VMINPS Y1, Y2, Y3
	VMAXPS Y1, Y2, Y2
	VFMADD231PS Y3, Y0, Y2
	VMOVUPS Y2, (DI)(AX*1)
	ADDQ $32, AX
	JMP  ploop

pdone:
	VZEROUPPER
	RET
