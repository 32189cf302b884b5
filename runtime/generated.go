package runtime

import (
	"fmt"
	"math"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/generated"
)

// lookupGenerated adapts the generated kernel for p, if one is registered
// for exactly this network (by fingerprint), swap and element type. A
// kernel whose sizes disagree with the plan is ignored rather than trusted:
// it would come from a stale index.
func lookupGenerated[T Float](p *plan.Plan, prm plan.Params) (kernel[T], bool) {
	base := ""
	if p.Swap.Func == plan.ErrorFree {
		base = p.Swap.Base.String()
	}
	k, ok := generated.Lookup(p.Fingerprint(), p.Swap.Func.String(), base, p.Elem.String())
	if !ok || k.N != p.N() || k.TapeLen != p.TapeLen || k.DiffLen != p.DiffLen {
		return nil, false
	}
	// The assertion fails for types derived from float32 or float64, whose
	// slices the kernels cannot take: they keep the interpreter.
	var f *generated.Funcs[T]
	switch p.Elem {
	case plan.Float32:
		f, ok = any(k.Float32).(*generated.Funcs[T])
	case plan.Float64:
		f, ok = any(k.Float64).(*generated.Funcs[T])
	}
	if !ok || f == nil || f.Sort == nil || f.ForwardP == nil ||
		(p.Swap.Differentiable() && (f.Forward == nil || f.Backward == nil || f.BackwardP == nil)) {
		return nil, false
	}
	return &generatedKernel[T]{k: k, f: f, beta: prm.Steepness, lambda: prm.ARTLambda}, true
}

// generatedKernel runs a generated package's entry points. Their argument
// checks repeat the Sorter's, so an error here is a bug, not bad input.
type generatedKernel[T Float] struct {
	k            *generated.Kernel
	f            *generated.Funcs[T]
	beta, lambda float64
}

func (g *generatedKernel[T]) must(err error) {
	if err != nil {
		panic(fmt.Sprintf("runtime: generated kernel %s rejected arguments the sorter checked: %v", g.k.Package, err))
	}
}

func (g *generatedKernel[T]) sort(y, x []T) {
	if len(x) > 0 {
		g.must(g.f.Sort(y, x, g.beta, g.lambda))
	}
}

func (g *generatedKernel[T]) forward(y, pt, tape, diff, x []T) {
	switch {
	case len(x) == 0:
	case pt != nil:
		g.must(g.f.ForwardP(y, pt, tape, diff, x, g.beta, g.lambda))
	case tape != nil:
		g.must(g.f.Forward(y, tape, x, g.beta, g.lambda))
	default:
		g.must(g.f.Sort(y, x, g.beta, g.lambda))
	}
}

func (g *generatedKernel[T]) backward(gx, gy, gpt, tape, diff []T) {
	switch {
	case len(gx) == 0:
	case gpt != nil:
		// The sorter does not scan gP (n*n per row) but checks dL/dx after
		// the pass; the kernel does scan it, so its only possible complaint
		// is a non-finite entry, which is handed on as a NaN gradient.
		if err := g.f.BackwardP(gx, gy, gpt, tape, diff); err != nil {
			clear(gx)
			gx[0] = T(math.NaN())
		}
	default:
		g.must(g.f.Backward(gx, gy, tape))
	}
}

// generatedBackendName names the kernels a generated package runs at the
// moment: "avx2" when its entry points run whole blocks of rows in AVX2
// assembly (amd64 with AVX2 and FMA, not built with -tags purego, and not
// switched off with Kernel.SetAVX2), else "go" (its portable kernels). The
// answer can change when anything in the process calls the package's
// SetAVX2, so read it when it is reported rather than caching it.
func generatedBackendName(k *generated.Kernel) string {
	if k != nil && k.AVX2 != nil && k.AVX2() {
		return "avx2"
	}
	return "go"
}
