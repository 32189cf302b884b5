// Package avx2 is the code-generation base beneath the kernel emitter
// (package asm), the vector-math library (asm/vecmath) and the module's
// other avo generators (runtime/internal/vbce, asm/internal/vecmathtest):
// the instruction layer Vec (YMM registers, or ZMM ones for the AVX-512
// functions, NewWide), the register allocator, restricted to X0-X15/Y0-Y15
// except in functions named avx512, and the compile and print pipeline
// (Compile, Assemble).
//
// It is a package of its own, below both emitters, so that neither owns
// what the other uses and every generated assembly file goes through one
// pipeline.
package avx2
