// Package asm emits the AVX2+FMA assembly backend of a generated kernel
// package: Generate(plan, package) returns the amd64 files that sit next to
// the Go emitter's files (gen.Generate with Options.Asm).
//
// # Emitted files
//
//   - kernels_amd64.s (//go:build !purego): the assembly, built with avo
//     as a library. Two block transposes (avx2TransposeIn/Out), the
//     forward kernels avx2Sort, avx2ForwardP (P, optional differences) and,
//     for a differentiable swap, avx2Forward (tape) and avx2ForwardPTape (P,
//     tape, optional differences), the backward kernels avx2Backward
//     and avx2BackwardP, and avx2AllFinite (AllFinite: no NaN or
//     infinity in a slice, the fast path of the input check), plus
//     read-only data: the step tables and the vector constants. A top-k
//     plan (plan.TopK = k > 0) adds the kernels of ForwardTopK and
//     BackwardTopK (kernel_topk.go): avx2TopKValues and, for a
//     differentiable swap, avx2TopKValuesTape (the value pass, writing
//     every step's forward weight), avx2TopKSweep (X = P[:, n-k:] right to
//     left from the identity's last k columns, optionally recording the
//     differences of Z's rows), avx2TopKWork (dL/dX through the steps
//     first to last, writing the X tape's work entries) and
//     avx2BackwardWork (the value backward pass with the work entries in
//     place of P's dot products).
//   - stubs_amd64.go (//go:build !purego): avo's //go:noescape stubs.
//   - kernels_amd64.go (//go:build !purego): the xxxImpl functions the
//     package's checked entry points call. They run whole blocks of rows in
//     assembly when the CPU has AVX2 and FMA (golang.org/x/sys/cpu, read
//     once into the package variable avx2Enabled, which the exported
//     SetAVX2 can clear and AVX2 reports) and everything else in
//     the generic Go kernels (xxxGeneric), and allFinite, which runs
//     avx2AllFinite, or allFiniteGeneric, on the same switch. Its comments
//     document the batching, the aliasing rules and the tape layout.
//
// # Kernels
//
// A block is Lanes(elem) consecutive rows (8 float32, 4 float64), one per
// YMM lane: every comparator is the same instruction sequence for every
// lane. The Go side transposes the block into lane-major scratch (wire w of
// lane l at w*L + l, P column-major at (j*n + i)*L + l; 32 bytes per
// wire or matrix entry), the kernel runs the network on the scratch, and
// the Go side transposes the results back. The tape is written lane-major
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
// The register allocator is avo's with the register set restricted to
// X0-X15/Y0-Y15 (never the AVX-512-only X16-X31/Y16-Y31, no Z or K
// registers) and without R15; allocation fails rather than spilling into
// AVX-512 registers. No AVX-512 instruction is used.
package asm
