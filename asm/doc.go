// Package asm emits the assembly backend of a generated kernel package,
// AVX2+FMA and AVX-512 beside it: Generate(plan, package) returns the amd64
// files that sit next to the Go emitter's files (gen.Generate with
// Options.Asm).
//
// # Emitted files
//
//   - kernels_amd64.s (//go:build !purego): the assembly, built with avo
//     as a library. Every kernel exists at two levels, avx2X on YMM
//     registers and avx512X on ZMM registers (the same emitter at two
//     widths): the forward kernels Sort, ForwardP (P, optional
//     differences) and, for a differentiable swap, Forward (tape) and
//     ForwardPTape (P, tape, optional differences), the backward kernels
//     Backward and BackwardP. A top-k plan (plan.TopK = k > 0) adds the
//     kernels of ForwardTopK and BackwardTopK (kernel_topk.go): TopKValues
//     and, for a differentiable swap, TopKValuesTape (the value pass,
//     writing every step's forward weight), TopKSweep (X = P[:, n-k:]
//     right to left from the identity's last k columns, optionally
//     recording the differences of Z's rows), TopKWork (dL/dX through the
//     steps first to last, writing the X tape's work entries) and
//     BackwardWork (the value backward pass with the work entries in place
//     of P's dot products), the block transposes TransposeIn and
//     TransposeOut (in registers: 8x8 or 4x4 YMM, 16x16 or 8x8 ZMM), and
//     AllFinite (asm.AllFinite, AllFiniteWide: no NaN or infinity in a
//     slice, the fast path of the input check). Read-only data: the step
//     tables and the vector constants.
//   - stubs_amd64.go (//go:build !purego): avo's //go:noescape stubs.
//   - kernels_amd64.go (//go:build !purego): the xxxImpl functions the
//     package's checked entry points call. They run whole blocks of rows in
//     assembly at the level in use (golang.org/x/sys/cpu picks AVX-512 F
//     and DQ, else AVX2+FMA, at start-up; the exported SetLevel switches,
//     Level and Levels report) and everything else in the generic Go
//     kernels (xxxGeneric), and allFinite, which runs the level's
//     AllFinite kernel, or allFiniteGeneric at the Go level. Its comments
//     document the batching, the aliasing rules and the tape layout.
//
// # Kernels
//
// A block is Lanes(elem) consecutive rows (8 float32, 4 float64), one per
// YMM lane, at the AVX2 level, twice as many (one per ZMM lane) at the
// AVX-512 level: every comparator is the same instruction sequence for
// every lane. The Go side transposes the block into lane-major scratch
// (wire w of lane l at w*L + l, P column-major at (j*n + i)*L + l; a
// register's width, 32 or 64 bytes, per wire or matrix entry), the kernel
// runs the network on the scratch, and the Go side transposes the results
// back. The tape is written lane-major
// directly into the block's part of the caller's tape.
//
// The network is not unrolled: the kernels walk a step table in read-only
// data (see kernel_table.go), a list of runs of comparators whose wires
// and support rows advance by constant deltas, so the code size does not
// depend on the network and large networks (n = 1024, even odd-even
// transposition's 523,776 comparators) assemble quickly. For each
// comparator only its support rows of P (plan.Step.Rows) are updated, two
// rows per loop iteration.
//
// Arithmetic follows runtime/interp.go: the values are mixed as
// w*a + (1-w)*b and (1-w)*a + w*b with separately rounded products (a tie
// stays a tie); P and the gradient of P are mixed with FMAs; the hard and
// error-free swaps select exactly with a VCMPPS/VCMPPD (a <= b, ties keep
// their order) and VBLENDVPS/VBLENDVPD, so their values and P are
// bit-identical to the generic kernels. Weights are computed in float64
// for both element types, like the generic kernels (float32 lanes are
// widened in two halves), by package asm/vecmath (Math.Alpha; reciprocal
// and optimal are exact transcriptions of plan.Alpha). Instructions,
// constants and the compile pipeline are package asm/avx2's, shared with
// vecmath.
//
// # Registers
//
// The register allocator (avx2.AllocateRegisters) restricts the avx2
// functions to X0-X15/Y0-Y15 (never the AVX-512-only X16-X31/Y16-Y31, no Z
// or K registers) and fails rather than spill into AVX-512 registers; only
// functions named avx512 get all 32 vector registers and K1-K7, and only
// they use AVX-512 instructions (F and DQ). No function uses R15. A CPU
// with AVX2 and FMA only therefore never faults: the dispatch calls no
// avx512 function there.
//
// The avx512 kernels blend with opmask registers (VCMPPS into K, then
// VBLENDMPS) where the avx2 ones use VBLENDVPS on a vector mask; the
// results are the same bit for bit.
package asm
