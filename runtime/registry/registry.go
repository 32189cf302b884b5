// Package registry is where kernel packages generated with
// `sortgen -register` announce themselves, so that runtime.New can run
// them: a package registers its kernels in an init function, so a program
// links exactly the kernels it imports (blank-import
// github.com/sortgen/sortgen/generated for every checked-in one).
//
// The package has no dependencies beyond the standard library, so that a
// registering kernel package stays small and embeddable anywhere.
//
// A registration is keyed by the network's fingerprint, the swap function,
// its base and the element type: the runtime uses a kernel only for
// exactly its configuration. The first registration of a key wins; a later
// one is refused with ErrConflict and kept for Rejected, so two copies of
// one configuration (the checked-in one and a user's own, say) never make
// the choice depend on the order of package initialisation silently.
package registry

import (
	"errors"
	"fmt"
	"sync"
)

// Funcs are the entry points of one kernel package for element type T.
// Slices are row-major batches; P is column-major per sample
// (pt[b*n*n + j*n + i] = P[i][j]); see the kernel packages' docs. Only
// Funcs[float32] and Funcs[float64] are registered; the constraint admits
// the types derived from them so that generic code can name Funcs[T].
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
	// ForwardTopK writes the top values (k per row) and X = P[:, n-k:]
	// (row-major n x k per row) of a top-k package; tape and xtape may be
	// nil (no backward pass). Nil in a sorting package.
	ForwardTopK func(top, xk, tape, xtape, x []T, beta, lambda float64) error
	// BackwardTopK maps dL/dtop (gtop, may be nil) and dL/dX (gxk, may be
	// nil, overwritten) to dL/dx; xtape's work entries are overwritten.
	// Nil in a sorting package and for the hard swap.
	BackwardTopK func(gx, gtop, gxk, tape, xtape []T) error
}

// A Kernel describes one kernel package.
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
	// TopK is k for a top-k package (its network is a selection network
	// of the k largest, with ForwardTopK and BackwardTopK), 0 for a sorting
	// package; XTapeLen is then its per-row X tape length.
	TopK     int
	XTapeLen int
	// SetLevel is the package's SetLevel, for benchmarks and tests: it
	// switches every caller of the package in the process to the kernels
	// of a level ("go", "avx2", "avx512", or "" for the fastest the CPU
	// runs) and returns the previous one; a level the CPU or build lacks is
	// an error. A tape must be read back at the level that recorded it.
	SetLevel func(level string) (previous string, err error)
	// Level names the kernels the package's entry points run now.
	Level func() string
	// Levels lists the levels the CPU and build run, slowest ("go") first.
	Levels  func() []string
	Float32 *Funcs[float32] // set exactly when Elem is "float32"
	Float64 *Funcs[float64] // set exactly when Elem is "float64"
}

// ErrConflict is the error of a registration whose configuration is
// registered already.
var ErrConflict = errors.New("registry: configuration registered already")

// Validate reports what makes k unusable: a missing field or entry point,
// or Funcs that disagree with Elem.
func (k *Kernel) Validate() error {
	if k == nil {
		return errors.New("registry: nil kernel")
	}
	name := k.Package
	if name == "" {
		return errors.New("registry: kernel without a package path")
	}
	switch {
	case k.N < 2:
		return fmt.Errorf("registry: %s: N is %d, not >= 2", name, k.N)
	case k.Network == "" || k.Swap == "":
		return fmt.Errorf("registry: %s: no network or swap name", name)
	case k.TapeLen < 0 || k.DiffLen < 0 || k.XTapeLen < 0:
		return fmt.Errorf("registry: %s: negative tape or difference length", name)
	case k.TopK < 0 || k.TopK >= k.N || (k.TopK == 0) != (k.XTapeLen == 0):
		return fmt.Errorf("registry: %s: top-k %d with X tape length %d on %d wires", name, k.TopK, k.XTapeLen, k.N)
	case k.SetLevel == nil || k.Level == nil || k.Levels == nil:
		return fmt.Errorf("registry: %s: no SetLevel, Level or Levels", name)
	}
	hard := k.Swap == "hard"
	switch k.Elem {
	case "float32":
		if k.Float64 != nil {
			return fmt.Errorf("registry: %s: float64 entry points in a float32 kernel", name)
		}
		return validFuncs(name, k.Float32, hard, k.TopK > 0)
	case "float64":
		if k.Float32 != nil {
			return fmt.Errorf("registry: %s: float32 entry points in a float64 kernel", name)
		}
		return validFuncs(name, k.Float64, hard, k.TopK > 0)
	}
	return fmt.Errorf("registry: %s: element type %q, want float32 or float64", name, k.Elem)
}

func validFuncs[T ~float32 | ~float64](name string, f *Funcs[T], hard, topK bool) error {
	switch {
	case f == nil:
		return fmt.Errorf("registry: %s: no entry points", name)
	case f.Sort == nil || f.ForwardP == nil:
		return fmt.Errorf("registry: %s: no Sort or ForwardP", name)
	case !hard && (f.Forward == nil || f.Backward == nil || f.BackwardP == nil):
		return fmt.Errorf("registry: %s: a differentiable swap without Forward, Backward or BackwardP", name)
	case topK && (f.ForwardTopK == nil || (!hard && f.BackwardTopK == nil)):
		return fmt.Errorf("registry: %s: a top-k kernel without ForwardTopK or BackwardTopK", name)
	case !topK && (f.ForwardTopK != nil || f.BackwardTopK != nil):
		return fmt.Errorf("registry: %s: a sorting kernel with top-k entry points", name)
	}
	return nil
}

type key struct {
	fingerprint     uint64
	topK            int
	swap, base, elt string
}

var (
	mu       sync.RWMutex
	byKey    = map[key]*Kernel{}
	order    []*Kernel
	rejected []error
)

// Register makes k available to Lookup. It refuses, with an error that
// Rejected also lists, a kernel that fails Validate or whose configuration
// is registered already (ErrConflict). Generated packages call it from
// init and ignore the error: a program asks Rejected.
func Register(k *Kernel) error {
	err := k.Validate()
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		rejected = append(rejected, err)
		return err
	}
	kk := key{k.Fingerprint, k.TopK, k.Swap, k.Base, k.Elem}
	if prev, dup := byKey[kk]; dup {
		err := fmt.Errorf("%w: %s has the configuration of %s (%s n=%d %s %s)",
			ErrConflict, k.Package, prev.Package, k.Network, k.N, k.Swap, k.Elem)
		rejected = append(rejected, err)
		return err
	}
	byKey[kk] = k
	order = append(order, k)
	return nil
}

// Lookup returns the kernel registered for a network fingerprint, top-k
// (0 for a sorting kernel), swap, base ("" unless swap is errorfree) and
// element type, if there is one.
func Lookup(fingerprint uint64, topK int, swap, base, elem string) (*Kernel, bool) {
	mu.RLock()
	defer mu.RUnlock()
	k, ok := byKey[key{fingerprint, topK, swap, base, elem}]
	return k, ok
}

// All lists the registered kernels in the order they were registered.
func All() []*Kernel {
	mu.RLock()
	defer mu.RUnlock()
	return append([]*Kernel(nil), order...)
}

// Rejected lists the errors of the registrations Register refused.
func Rejected() []error {
	mu.RLock()
	defer mu.RUnlock()
	return append([]error(nil), rejected...)
}
