// Package generated holds the checked-in kernels for the common
// configurations and an index of them, so that the runtime can find the
// kernel for a configuration. Each kernel lives in its own package, which
// imports nothing of sortgen and can be copied anywhere; this package only
// lists them.
//
// Each package has AVX2+FMA assembly for amd64, which it picks at run time
// on CPUs that have both (golang.org/x/sys/cpu), and portable Go kernels
// for the remaining rows of a batch, other CPUs and other architectures;
// -tags purego builds the portable kernels only. Kernel.AVX2 reports which
// kernels a package runs, Kernel.SetAVX2 switches them.
//
// The packages are named network_nN_swap[_base]_type after their
// configuration, with the underscores of network and swap names dropped
// (gen.PackageName): oddeven_n32_cauchy_f32, bitonic_n16_errorfree_cauchy_f64.
// The //go:generate lines of gen.go list them; rebuild every kernel and the
// index (index.go) with `go generate ./generated/`. A test in cmd/sortgen
// fails when the checked-in files differ from what that would write.
package generated

// Funcs are the entry points of one generated kernel package for element
// type T. Slices are row-major batches; P is column-major per sample
// (pt[b*n*n + j*n + i] = P[i][j]); see the kernel packages' docs. Only
// Funcs[float32] and Funcs[float64] exist; the constraint admits the types
// derived from them so that generic code (the runtime's, over ~float32 |
// ~float64) can name Funcs[T].
type Funcs[T ~float32 | ~float64] struct {
	// Sort writes the relaxed sorted values of each row of x to y.
	Sort func(y, x []T, beta, lambda float64) error
	// Forward also records the tape for Backward. Nil for the hard swap.
	Forward func(y, tape, x []T, beta, lambda float64) error
	// ForwardP also computes P; tape and diff may be nil (no backward, or
	// no backward through P).
	ForwardP func(y, pt, tape, diff, x []T, beta, lambda float64) error
	// Backward maps dL/dy to dL/dx. Nil for the hard swap.
	Backward func(gx, gy, tape []T) error
	// BackwardP maps dL/dy (gy may be nil) and dL/dP (gpt, overwritten) to
	// dL/dx. Nil for the hard swap.
	BackwardP func(gx, gy, gpt, tape, diff []T) error
}

// A Kernel describes one generated kernel package.
type Kernel struct {
	Package     string // import path
	Network     string
	N           int
	Swap        string
	Base        string // soft base of errorfree, else ""
	Elem        string // "float32" or "float64"
	Fingerprint uint64 // plan.Fingerprint of the network
	TapeLen     int
	DiffLen     int
	// SetAVX2 is the package's SetAVX2, for benchmarks and tests: it
	// switches every caller of the package in the process between its AVX2
	// kernels and its portable Go kernels, and returns the previous setting.
	// Enabling has no effect on CPUs without AVX2+FMA (or in a build without
	// the assembly: not amd64, or the purego tag). A tape must be read back
	// with the setting that recorded it.
	SetAVX2 func(enabled bool) (previous bool)
	// AVX2 reports whether the package's entry points run whole blocks of
	// rows in its AVX2 kernels.
	AVX2    func() bool
	Float32 *Funcs[float32]
	Float64 *Funcs[float64]
}

var kernels []*Kernel

// Lookup returns the kernel generated for a network fingerprint, swap, base
// and element type, if there is one.
func Lookup(fingerprint uint64, swap, base, elem string) (*Kernel, bool) {
	for _, k := range kernels {
		if k.Fingerprint == fingerprint && k.Swap == swap && k.Base == base && k.Elem == elem {
			return k, true
		}
	}
	return nil, false
}

// All lists every generated kernel.
func All() []*Kernel { return append([]*Kernel(nil), kernels...) }
