// Package generated links every checked-in kernel package: importing it,
//
//	import _ "github.com/sortgen/sortgen/generated"
//
// registers all of them with the runtime (package runtime/registry), so
// that runtime.New runs a generated kernel for each configuration below
// instead of the interpreter. A program that needs one configuration
// imports that package alone, which links far less:
//
//	import _ "github.com/sortgen/sortgen/generated/oddeven_n32_cauchy_f32"
//
// The packages are named network_nN_swap[_base]_type after their
// configuration, with the underscores of network and swap names dropped
// (gen.PackageName): oddeven_n32_cauchy_f32, bitonic_n16_errorfree_cauchy_f64.
// Each has AVX2+FMA assembly for amd64, which it picks at run time on CPUs
// that have both (golang.org/x/sys/cpu), and portable Go kernels for the
// remaining rows of a batch, other CPUs and other architectures; -tags
// purego builds the portable kernels only.
//
// The //go:generate lines of gen.go list them; rebuild every kernel and the
// index (index.go) with `go generate ./generated/`. A test in cmd/sortgen
// fails when the checked-in files differ from what that would write.
package generated
