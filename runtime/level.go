package runtime

import "github.com/sortgen/sortgen/runtime/internal/vbce"

// SetLevel selects the instruction set of the runtime's own vector kernels
// (the BCE of StepBCE, BCE and BCEPT, and the input check of every call)
// in the process, and returns the previous one: "go", "avx2", "avx512", or
// "" for the fastest the CPU and build run (the default). It is for
// benchmarks and tests, beside the SetLevel of each generated kernel
// package (registry.Kernel.SetLevel), which sets that package's kernels.
// A level the CPU lacks is an error, and nothing changes. Every level
// gives the same results to rounding (the gradients bit for bit).
func SetLevel(level string) (previous string, err error) { return vbce.SetLevel(level) }

// Level names the level of the runtime's own vector kernels.
func Level() string { return vbce.Level() }

// Levels lists the levels of the runtime's own vector kernels this CPU and
// build run, slowest ("go") first.
func Levels() []string { return vbce.Levels() }
