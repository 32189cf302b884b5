// The kernels checked in below this directory, one package per
// configuration, are produced by the lines that follow, each with
// -register so that importing it registers it with the runtime; the last
// line rewrites index.go, which imports them all. Regenerate all of them
// with
//
//	go generate ./generated/
//
// Each package has the portable Go kernels and, for amd64, the AVX2+FMA
// assembly that sortgen writes by default (kernels_amd64.s,
// stubs_amd64.go, kernels_amd64.go). It imports the standard library,
// runtime/registry of this module and, on amd64 without purego,
// golang.org/x/sys/cpu.

package generated

//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 3 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 5 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 7 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 9 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 15 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 16 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 32 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 16 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap errorfree -base cauchy -type float64
// Sizes and swaps the benchmarks (bench/) measure.
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network odd_even -n 8 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap errorfree -base cauchy -type float64
// Sizes above the unrolling budget (gen.UnrollBudget): looped kernels, for
// the benchmarks against the interpreter at n = 256 and 1024.
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 256 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 1024 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 8 -swap hard -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -swap hard -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 128 -swap hard -type float32
// The fastest batch sorter at n = 32: SorterHunter's best network (185
// comparators against bitonic's 240).
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network best -n 32 -swap hard -type float32
// Top-k packages (sortgen -topk): selection networks with ForwardTopK and
// BackwardTopK.
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network splitter_selection -n 100 -topk 5 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network splitter_selection -n 100 -topk 5 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -register -network bitonic -n 32 -topk 1 -swap cauchy -type float32
//go:generate go run ./internal/mkindex
