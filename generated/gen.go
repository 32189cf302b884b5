// The kernels checked in below this directory, one package per
// configuration, are produced by the lines that follow; the last one
// rewrites index.go, which registers them for the runtime. Regenerate all
// of them with
//
//	go generate ./generated/
//
// A package is named network_nN_swap[_base]_type, with the underscores of
// the network and swap names dropped (gen.PackageName): for example
// oddeven_n32_cauchy_f32 or bitonic_n16_errorfree_cauchy_f64. Each has the
// portable Go kernels and, for amd64, the AVX2+FMA assembly that sortgen
// writes by default (kernels_amd64.s, stubs_amd64.go, kernels_amd64.go),
// which it runs on CPUs with both; -tags purego leaves the assembly out. A
// package imports the standard library and, on amd64 without purego,
// golang.org/x/sys/cpu; it can be copied into any module that requires
// golang.org/x/sys (go mod tidy adds it).

package generated

//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 3 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 5 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 7 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 9 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 15 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 16 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 32 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 16 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap errorfree -base cauchy -type float64
// Sizes and swaps the benchmarks (bench/) measure.
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network odd_even -n 8 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap errorfree -base cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap cauchy -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap logistic -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap logistic -type float64
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap errorfree -base cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap errorfree -base cauchy -type float64
// Sizes above the unrolling budget (gen.UnrollBudget): looped kernels, for
// the benchmarks against the interpreter at n = 256 and 1024.
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 256 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 1024 -swap cauchy -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 8 -swap hard -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 32 -swap hard -type float32
//go:generate go run github.com/sortgen/sortgen/cmd/sortgen -network bitonic -n 128 -swap hard -type float32
//go:generate go run ./internal/mkindex
