// Package vecmath emits vectorised math for the assembly kernels: exp, log,
// atan, erf, sigmoid and the swap weights of the soft swap functions
// (Math.Alpha), one sample per lane. New emits on YMM registers (8 float32
// or 4 float64 lanes) with AVX2 and FMA instructions only (no AVX-512
// instruction, no X16-X31/Y16-Y31, Z or K register); NewWide emits the
// same routines on ZMM registers (16 or 8 lanes, AVX-512 F and DQ; their
// comparisons go to opmask registers) for functions named avx512. Its
// instructions and constants are those of package avx2, shared with the
// kernel emitter (package asm).
//
// Every routine takes its inputs in registers (virtual or physical; never
// modified), returns its results in fresh virtual registers, and uses
// constants as memory operands of read-only vectors (64 bytes, of which YMM
// code reads the first half), so it needs few registers: a caller keeping c
// other values live across a routine that keeps live values live needs
// c + live <= 16 to stay within Y0-Y15 (32 at the wide level).
// AlphaLive gives live for Alpha; TestLiveness checks it and the peaks of
// the other routines (listed in vmRoutines, with beta and lambda in
// memory) on avo's liveness analysis, and TestReport logs them with the
// instruction counts.
//
// Accuracy, measured by asm/internal/vecmathtest over dense grids, random
// and log-uniform points and the special points of each routine (0, ±0,
// subnormals, ±1, the branch points of the reductions, the clamps, ±1e30,
// ±MaxFloat32, ±MaxFloat64, ±Inf) against double-double references (exp,
// log, sigmoid) or package math (atan, erf); float32 against the float64
// result rounded to float32. Maximum errors in ulps:
//
//	routine   float64                          float32
//	Exp       1     (subnormal results too)    1  (subnormal results too)
//	Log       0.82                             1
//	Atan      2     (against math.Atan)        2
//	Erf       1     (against math.Erf; |error| <= 1.2e-16)   1
//	Sigmoid   1.44                             1
//
// Alpha's errors against plan.Alpha are listed with Alpha.
package vecmath
