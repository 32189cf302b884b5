package runtime

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"unsafe"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
	"github.com/sortgen/sortgen/runtime/internal/vbce"
)

// Float is the element type of a sorter.
type Float interface{ ~float32 | ~float64 }

// Backend selects how a sorter runs its plan.
type Backend int

const (
	// Auto uses a generated kernel when one exists, else the interpreter.
	Auto Backend = iota
	// Interpreter walks the plan step by step (the test oracle).
	Interpreter
	// Generated requires a generated kernel and fails without one.
	Generated
)

func (b Backend) String() string {
	switch b {
	case Auto:
		return "auto"
	case Interpreter:
		return "interpreter"
	case Generated:
		return "generated"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// Config describes a differentiable sorter.
type Config struct {
	// Network names a topology (see networks.Names); ignored when Net is set.
	Network string
	// Net is an explicit network; its N must equal N when N is set.
	Net *networks.Network
	// N is the number of items per row.
	N int
	// Swap names the swap function (logistic, logistic_phi, gaussian,
	// reciprocal, cauchy, optimal, hard, errorfree).
	Swap string
	// Base is the soft function errorfree differentiates through
	// (default cauchy); empty for other swaps.
	Base string
	// Steepness is beta, in (0, plan.MaxSteepness].
	Steepness float64
	// ARTLambda is the exponent of logistic_phi, in [0, plan.MaxARTLambda].
	ARTLambda float64
	// Partial accepts a network that does not sort (a selection network).
	Partial bool
	// TopK, when positive, makes a top-k sorter (1 <= TopK < N): the
	// network is pruned to the comparators the last TopK outputs depend on
	// (a selection network of the TopK largest; Network may also be
	// "splitter_selection"), and ForwardTopK computes the top values and
	// X = P[:, n-k:] at k entries per comparator. A given Net must select
	// the TopK largest (networks.VerifyTopK) but need not sort. Sort,
	// Forward and Backward run the pruned network: only its last TopK
	// outputs, and P's last TopK columns, are meaningful. 0 makes a
	// sorting sorter.
	TopK int
	// Backend forces a backend; Auto picks the fastest available.
	Backend Backend
	// Workers bounds the goroutines a call uses (never more than
	// GOMAXPROCS at the time of the call); 0 means GOMAXPROCS. A batch is
	// split into chunks of rows that idle goroutines claim, so a call on a
	// busy machine is not held up by a worker whose thread is not running.
	// After a call, workers poll for the next one for a fraction of a
	// millisecond before they sleep (waking a sleeping thread costs about
	// as much as a small call): set Workers to 1 where that is unwelcome.
	Workers int
	// MaxTapeBytes bounds the column-difference tape (batch*DiffLen
	// elements) that a forward pass with WantP|WantGrad keeps for the
	// gradient with respect to P. A pass whose tape would be larger runs
	// in segments instead: it keeps a few snapshots per row, and its
	// backward pass recomputes the differences segment by segment, on the
	// interpreter (see the package documentation and Result.Segments),
	// with bitwise the interpreter's results. 0 means
	// DefaultMaxTapeBytes (512 MiB); a negative value runs every such
	// pass in segments.
	MaxTapeBytes int64
	// SegmentSteps, when positive, makes recomputation segments that many
	// comparators long (the last may be shorter) instead of the size that
	// uses the least memory. It exists for tests.
	SegmentSteps int
}

// DefaultConfig is diffsort's default for a network name, size and swap:
// steepness 10, ART exponent 0.25.
func DefaultConfig(network string, n int, swap string) Config {
	return Config{Network: network, N: n, Swap: swap, Steepness: plan.DefaultParams.Steepness, ARTLambda: plan.DefaultParams.ARTLambda}
}

// elemOf is the plan element type of T, named types such as
// `type score float32` included.
func elemOf[T Float]() plan.Elem {
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		return plan.Float32
	}
	return plan.Float64
}

// kernel is what every backend implements on a batch of rows.
type kernel[T Float] interface {
	sort(y, x []T)
	forward(y, pt, tape, diff, x []T)
	backward(gx, gy, gpt, tape, diff []T)
	// forwardTopK writes the top values (k per row) and X (n x k per row)
	// of a top-k plan; tape and xtape nil: inference.
	forwardTopK(top, xk, tape, xtape, x []T)
	// backwardTopK maps dL/dtop and dL/dX (either may be nil; gxk may be
	// overwritten) to gx.
	backwardTopK(gx, gtop, gxk, tape, xtape []T)
}

// A Sorter runs one configuration on batches. It is safe for concurrent use.
type Sorter[T Float] struct {
	cfg     Config
	plan    *plan.Plan
	k       kernel[T]
	backend string
	workers int
	pool    workers[T]
	// ip runs segmented passes (it is k when k is the interpreter),
	// which borrow their work space from scratch.
	ip      *interpreter[T]
	scratch scratchPool[T]
}

// New builds a sorter, validating the configuration and the network (a
// network that does not sort is rejected unless cfg.Partial).
func New[T Float](cfg Config) (*Sorter[T], error) {
	swap, err := plan.ParseSwap(cfg.Swap, cfg.Base)
	if err != nil {
		return nil, err
	}
	prm := plan.Params{Steepness: cfg.Steepness, ARTLambda: cfg.ARTLambda}
	if err := prm.Validate(); err != nil {
		return nil, err
	}
	if cfg.SegmentSteps < 0 {
		return nil, fmt.Errorf("runtime: SegmentSteps is %d, not >= 0", cfg.SegmentSteps)
	}
	if cfg.TopK != 0 {
		return newTopK[T](cfg, swap, prm)
	}
	nw, name := cfg.Net, cfg.Network
	if nw == nil {
		if cfg.N < 2 {
			return nil, fmt.Errorf("%w (got %d)", networks.ErrTooFewWires, cfg.N)
		}
		if name == plan.SplitterSelection {
			return nil, errors.New("runtime: splitter_selection is a selection network: set Config.TopK")
		}
		if nw, err = networks.ByName(name, cfg.N); err != nil {
			return nil, err
		}
	} else if cfg.N != 0 && cfg.N != nw.N {
		return nil, fmt.Errorf("runtime: config N=%d but the network has %d wires", cfg.N, nw.N)
	}
	if cfg.Net != nil {
		// Named constructors are proved by the networks package's tests; a
		// network from elsewhere is checked here by the 0-1 principle.
		if err := networks.Check(nw, cfg.Partial); err != nil {
			return nil, err
		}
	}
	p, err := plan.New(name, nw, swap, elemOf[T]())
	if err != nil {
		return nil, err
	}
	return newSorter[T](cfg, p, prm)
}

// newSorter picks the backend of a sorter for the plan p.
func newSorter[T Float](cfg Config, p *plan.Plan, prm plan.Params) (*Sorter[T], error) {
	s := &Sorter[T]{cfg: cfg, plan: p, workers: cfg.Workers, ip: newInterpreter[T](p, prm)}
	if s.workers <= 0 {
		s.workers = goruntime.GOMAXPROCS(0)
	}
	if cfg.Backend != Interpreter {
		if gk, ok := lookupGenerated[T](p, prm); ok {
			s.k, s.backend = gk, "generated"
		} else if cfg.Backend == Generated {
			return nil, fmt.Errorf("runtime: no generated kernel for %s n=%d%s swap %v %v", p.Name, p.N(), topKName(p), p.Swap, p.Elem)
		}
	}
	if s.k == nil {
		s.k, s.backend = s.ip, "interpreter"
	}
	return s, nil
}

// N is the number of items per row.
func (s *Sorter[T]) N() int { return s.plan.N() }

// Plan is the kernel plan the sorter runs.
func (s *Sorter[T]) Plan() *plan.Plan { return s.plan }

// Backend names the backend in use: "interpreter", or, for a kernel
// package registered for exactly this configuration (package registry),
// "generated/", the level of the kernels it runs ("avx512", "avx2" or "go";
// it changes when the package's SetLevel is called) and its import path:
// "generated/avx2 github.com/sortgen/sortgen/generated/oddeven_n32_cauchy_f32".
func (s *Sorter[T]) Backend() string {
	if g, ok := s.k.(*generatedKernel[T]); ok {
		return g.name()
	}
	return s.backend
}

// ErrNotFinite is returned for NaN or infinite inputs.
var ErrNotFinite = errors.New("runtime: input is NaN or infinite")

// errNilResult is the error of a nil *Result argument.
var errNilResult = errors.New("runtime: the result is nil (pass the address of a Result, which may be the zero value)")

func (s *Sorter[T]) checkRows(what string, x []T) (batch int, err error) {
	n := s.N()
	if len(x) == 0 || len(x)%n != 0 {
		return 0, fmt.Errorf("runtime: %s has length %d, not a positive multiple of n=%d", what, len(x), n)
	}
	if i := firstNotFinite(x); i >= 0 {
		return 0, fmt.Errorf("%w: %s[%d] (row %d) = %v", ErrNotFinite, what, i, i/n, float64(x[i]))
	}
	return len(x) / n, nil
}

// firstNotFinite is the index of the first NaN or infinite element of x,
// or -1. The check is on the hot path of every call: vbce.AllFinite (an
// AVX2 kernel on amd64) answers first, and only the rare non-finite input
// is scanned again for the index.
func firstNotFinite[T Float](x []T) int {
	if vbce.AllFinite(x) {
		return -1
	}
	for i, v := range x {
		// v - v is 0 exactly when v is finite (NaN otherwise).
		if v-v != 0 {
			return i
		}
	}
	return -1
}

// Sort writes the relaxed sorted values of every row of x into y
// (inference: no P, no tape). y may be x.
func (s *Sorter[T]) Sort(y, x []T) error {
	if _, err := s.checkRows("x", x); err != nil {
		return err
	}
	if len(y) != len(x) {
		return fmt.Errorf("runtime: y has length %d, x has %d", len(y), len(x))
	}
	n := s.N()
	c := s.pool.get()
	c.k, c.op, c.n, c.y, c.x = s.k, opSort, n, y, x
	s.pool.run(s, s.workers, len(x)/n, c)
	s.pool.release(c)
	return nil
}

// Want selects what a forward pass computes besides the sorted values.
type Want int

const (
	// WantP computes the relaxed permutation matrix P.
	WantP Want = 1 << iota
	// WantGrad keeps what Backward needs (and, with WantP, what the
	// gradient with respect to P needs).
	WantGrad
)

// A Result holds a forward pass; reuse it across calls to avoid allocation.
type Result[T Float] struct {
	n, batch int
	want     Want
	plan     *plan.Plan
	// Y holds the sorted values, row-major (batch x n).
	Y              []T
	pt, tape, diff []T // nil when not computed
	ptBuf, tapeBuf []T
	diffBuf        []T
	p, ranks       []T
	pValid         bool
	ranksValid     bool
	gpWork         []T
	// backend is the Backend that wrote the tape: a generated package
	// lays its tape out per level (AVX-512, AVX2 or portable), so a
	// backward pass after SetLevel switched it would read the tape wrongly.
	backend string
	// A segmented pass keeps snapshots instead of diff (nil otherwise):
	// snapLen per row, at the starts of the segments segs (then the number
	// of steps); segDiff is the largest segment's difference count.
	snap, snapBuf    []T
	snapLen, segDiff int
	segs             []int
	// stepped marks a StepBCE result: Y and P, no tape.
	stepped bool
}

// Batch is the number of rows.
func (r *Result[T]) Batch() int { return r.batch }

// Segments is the number of recomputation segments of the forward pass: 0
// when it kept the whole column-difference tape (or computed none), else
// the number of segments its backward pass recomputes one at a time (on
// the interpreter, which also ran the forward pass). See
// Config.MaxTapeBytes.
func (r *Result[T]) Segments() int {
	if r.snap == nil {
		return 0
	}
	return len(r.segs) - 1
}

// PT is P column-major per sample (kernel layout): PT()[b*n*n + j*n + i] is
// P[i][j]. It is nil without WantP.
func (r *Result[T]) PT() []T { return r.pt }

// P is P in SPEC orientation, row-major per sample: P()[b*n*n + i*n + j]
// is the weight of input i at sorted position j, so y = x @ P. It is
// computed from PT on first use; nil without WantP.
func (r *Result[T]) P() []T {
	if r.pt == nil {
		return nil
	}
	if !r.pValid {
		r.p = grow(r.p, len(r.pt))
		transpose(r.p, r.pt, r.n)
		r.pValid = true
	}
	return r.p
}

// Ranks is P times (0, 1, ..., n-1): the expected sorted position of each
// input, batch x n. Nil without WantP.
func (r *Result[T]) Ranks() []T {
	if r.pt == nil {
		return nil
	}
	if !r.ranksValid {
		n := r.n
		r.ranks = grow(r.ranks, r.batch*n)
		clear(r.ranks)
		r.ranksValid = true
		for b := 0; b < r.batch; b++ {
			m := r.pt[b*n*n : (b+1)*n*n]
			rk := r.ranks[b*n : (b+1)*n]
			for j := 1; j < n; j++ {
				col := m[j*n : (j+1)*n]
				for i, v := range col {
					rk[i] += T(j) * v
				}
			}
		}
	}
	return r.ranks
}

// transpose writes the per-sample transposes of n x n matrices src to dst.
func transpose[T Float](dst, src []T, n int) {
	for o := 0; o+n*n <= len(src); o += n * n {
		s, d := src[o:o+n*n], dst[o:o+n*n]
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				d[j*n+i] = s[i*n+j]
			}
		}
	}
}

func grow[T Float](buf []T, n int) []T {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]T, n)
}

// Forward runs the network on every row of x.
func (s *Sorter[T]) Forward(x []T, want Want) (*Result[T], error) {
	r := new(Result[T])
	if err := s.ForwardInto(r, x, want); err != nil {
		return nil, err
	}
	return r, nil
}

// ForwardInto is Forward into a reusable result: buffers grow as needed
// and are reused, so a steady loop allocates nothing.
func (s *Sorter[T]) ForwardInto(r *Result[T], x []T, want Want) error {
	if r == nil {
		return errNilResult
	}
	batch, err := s.checkRows("x", x)
	if err != nil {
		return err
	}
	if want&WantGrad != 0 && !s.plan.Swap.Differentiable() {
		return fmt.Errorf("runtime: swap %v is not differentiable", s.plan.Swap)
	}
	p, n := s.plan, s.N()
	r.n, r.batch, r.want, r.plan = n, batch, want, p
	r.Y = grow(r.Y, batch*n)
	r.pt, r.tape, r.diff, r.snap = nil, nil, nil, nil
	if want&WantP != 0 {
		r.ptBuf = grow(r.ptBuf, batch*n*n)
		r.pt = r.ptBuf
	}
	segmented := false
	if want&WantGrad != 0 {
		r.tapeBuf = grow(r.tapeBuf, batch*p.TapeLen)
		r.tape = r.tapeBuf
		if want&WantP != 0 {
			if segmented = s.segmented(batch); segmented {
				k := segmentCount(p, batch, goroutines(s.workers, batch))
				r.segs, r.segDiff = appendSegments(r.segs, p, k, s.cfg.SegmentSteps)
				r.snapLen = snapshotLen(n, len(r.segs)-1)
				r.snapBuf = grow(r.snapBuf, batch*r.snapLen)
				r.snap = r.snapBuf
			} else {
				r.diffBuf = grow(r.diffBuf, batch*p.DiffLen)
				r.diff = r.diffBuf
			}
		}
	}
	r.pValid, r.ranksValid, r.stepped = false, false, false
	c := s.pool.get()
	c.k, c.op, c.n, c.tapeLen, c.diffLen = s.k, opForward, n, p.TapeLen, p.DiffLen
	c.y, c.x, c.pt, c.tape, c.diff = r.Y, x, r.pt, r.tape, r.diff
	r.backend = s.Backend()
	if segmented {
		// Only the interpreter runs a range of steps.
		c.op, c.ip, c.snap, c.snapLen, c.segs = opForwardSegmented, s.ip, r.snap, r.snapLen, r.segs
		r.backend = "interpreter"
	}
	s.pool.run(s, s.workers, batch, c)
	s.pool.release(c)
	return nil
}

// Backward maps dL/dy (gy, batch x n, may be nil) and dL/dP (gP in SPEC
// orientation, batch x n x n, may be nil) to dL/dx. The result must come
// from a forward pass with WantGrad (and WantP when gP is given).
func (s *Sorter[T]) Backward(r *Result[T], gy, gP []T) ([]T, error) {
	if r == nil {
		return nil, errNilResult
	}
	gx := make([]T, r.batch*r.n)
	if err := s.BackwardInto(gx, r, gy, gP); err != nil {
		return nil, err
	}
	return gx, nil
}

// BackwardInto is Backward into gx (batch x n); gx may be gy.
func (s *Sorter[T]) BackwardInto(gx []T, r *Result[T], gy, gP []T) error {
	if gP != nil {
		if err := s.checkBackward(gx, r, gy, gP); err != nil {
			return err
		}
		r.gpWork = grow(r.gpWork, len(gP))
		transpose(r.gpWork, gP, r.n)
		return s.backward(gx, r, gy, r.gpWork)
	}
	return s.BackwardPT(gx, r, gy, nil)
}

// BackwardPT is BackwardInto with dL/dP given column-major per sample, in
// the layout of Result.PT. gPT is used as work space and overwritten.
func (s *Sorter[T]) BackwardPT(gx []T, r *Result[T], gy, gPT []T) error {
	if err := s.checkBackward(gx, r, gy, gPT); err != nil {
		return err
	}
	return s.backward(gx, r, gy, gPT)
}

func (s *Sorter[T]) checkBackward(gx []T, r *Result[T], gy, gP []T) error {
	switch {
	case r == nil:
		return errNilResult
	case r.plan != s.plan:
		return errors.New("runtime: result does not come from this sorter")
	case r.stepped:
		return errStepped
	case r.tape == nil:
		return errors.New("runtime: backward needs a forward pass with WantGrad")
	case r.snap == nil && r.backend != s.Backend():
		// (A segmented pass ran on the interpreter, whose tape layout
		// does not change, and its backward pass runs there too.)
		return fmt.Errorf("runtime: the forward pass ran on %s, the backend is now %s (SetLevel was called in between): run the forward pass again", r.backend, s.Backend())
	case gP != nil && r.diff == nil && r.snap == nil:
		return errors.New("runtime: a gradient with respect to P needs a forward pass with WantP|WantGrad")
	case len(gx) != r.batch*r.n:
		return fmt.Errorf("runtime: gx has length %d, want %d", len(gx), r.batch*r.n)
	case gy != nil && len(gy) != r.batch*r.n:
		return fmt.Errorf("runtime: gy has length %d, want %d", len(gy), r.batch*r.n)
	case gP != nil && len(gP) != r.batch*r.n*r.n:
		return fmt.Errorf("runtime: gP has length %d, want %d", len(gP), r.batch*r.n*r.n)
	}
	if gy != nil {
		if err := finite("gy", gy); err != nil {
			return err
		}
	}
	// gP is n*n per row: rather than scan it, backward checks the n
	// entries of dL/dx it flows into.
	return nil
}

func finite[T Float](what string, x []T) error {
	if i := firstNotFinite(x); i >= 0 {
		return fmt.Errorf("%w: %s[%d] = %v", ErrNotFinite, what, i, float64(x[i]))
	}
	return nil
}

func (s *Sorter[T]) backward(gx []T, r *Result[T], gy, gpt []T) error {
	p, n := s.plan, r.n
	c := s.pool.get()
	c.k, c.op, c.n, c.tapeLen, c.diffLen = s.k, opBackward, n, p.TapeLen, p.DiffLen
	c.gx, c.gy, c.gpt, c.tape, c.diff = gx, gy, gpt, r.tape, r.diff
	if r.snap != nil {
		// The forward pass ran on the interpreter: so does this one, and
		// with dL/dP it recomputes the differences segment by segment.
		c.k = s.ip
		if gpt != nil {
			c.op, c.ip, c.snap, c.snapLen, c.segs, c.segDiff = opBackwardSegmented, s.ip, r.snap, r.snapLen, r.segs, r.segDiff
			c.scratch = &s.scratch
		}
	}
	s.pool.run(s, s.workers, r.batch, c)
	s.pool.release(c)
	if gpt != nil {
		if err := finite("dL/dx", gx); err != nil {
			return fmt.Errorf("%w (gP has a NaN or infinite entry, or the gradient overflowed)", err)
		}
	}
	return nil
}
