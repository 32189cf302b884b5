package gen

import "github.com/sortgen/sortgen/gen/plan"

// A ContractFunc is one function an emitted package's files promise each
// other, with its signature in Go syntax, T standing for the element type.
type ContractFunc struct {
	Name, Signature string
}

// The contract between the files of an emitted package. The Go renderer's
// files (api.go, kernels_generic.go) define the entry points and the
// portable kernels; a dispatch file, impl_noasm.go from this package or
// kernels_amd64.go from the AVX2 renderer (package asm), defines the
// dispatch functions, which the entry points call on checked arguments
// and which may call the portable kernels. Both renderers write to it, and
// gen/emit's tests check every emitted file set against it.
var (
	// EntryPoints are the exported functions of api.go.
	EntryPoints = []ContractFunc{
		{"Sort", "func(y, x []T, beta, lambda float64) error"},
		{"Forward", "func(y, tape, x []T, beta, lambda float64) error"},
		{"ForwardP", "func(y, pt, tape, diff, x []T, beta, lambda float64) error"},
		{"Backward", "func(gx, gy, tape []T) error"},
		{"BackwardP", "func(gx, gy, gpt, tape, diff []T) error"},
		{"ForwardTopK", "func(top, xk, tape, xtape, x []T, beta, lambda float64) error"},
		{"BackwardTopK", "func(gx, gtop, gxk, tape, xtape []T) error"},
	}
	// Portable are the portable kernels of kernels_generic.go (of
	// kernels_topk.go for the top-k ones) and allFiniteGeneric of api.go.
	Portable = []ContractFunc{
		{"sortGeneric", "func(y, x []T, beta, lambda float64)"},
		{"forwardGeneric", "func(y, tape, x []T, beta, lambda float64)"},
		{"forwardPGeneric", "func(y, pt, tape, diff, x []T, beta, lambda float64)"},
		{"backwardGeneric", "func(gx, gy, tape []T)"},
		{"backwardPGeneric", "func(gx, gy, gpt, tape, diff []T)"},
		{"forwardTopKGeneric", "func(top, xk, tape, xtape, x []T, beta, lambda float64)"},
		{"backwardTopKGeneric", "func(gx, gtop, gxk, tape, xtape []T)"},
		{"allFiniteGeneric", "func(s []T) bool"},
	}
	// Dispatch are the functions every dispatch file defines.
	Dispatch = []ContractFunc{
		{"sortImpl", "func(y, x []T, beta, lambda float64)"},
		{"forwardImpl", "func(y, tape, x []T, beta, lambda float64)"},
		{"forwardPImpl", "func(y, pt, tape, diff, x []T, beta, lambda float64)"},
		{"backwardImpl", "func(gx, gy, tape []T)"},
		{"backwardPImpl", "func(gx, gy, gpt, tape, diff []T)"},
		{"allFinite", "func(s []T) bool"},
		{"SetLevel", "func(level string) (previous string, err error)"},
		{"Level", "func() string"},
		{"Levels", "func() []string"},
		{"tapeToGeneric", "func(tape, diff []T, batch int) (genericTape, genericDiff []T)"},
		{"forwardTopKImpl", "func(top, xk, tape, xtape, x []T, beta, lambda float64)"},
		{"backwardTopKImpl", "func(gx, gtop, gxk, tape, xtape []T)"},
		{"xtapeToGeneric", "func(xtape []T, batch int) []T"},
	}
)

// backwardOnly names the contract functions a package without a backward
// pass (the hard swap) leaves out.
var backwardOnly = map[string]bool{
	"Forward": true, "Backward": true, "BackwardP": true,
	"forwardGeneric": true, "backwardGeneric": true, "backwardPGeneric": true,
	"forwardImpl": true, "backwardImpl": true, "backwardPImpl": true,
	"tapeToGeneric": true,
	"BackwardTopK":  true, "backwardTopKGeneric": true, "backwardTopKImpl": true,
	"xtapeToGeneric": true,
}

// topKOnly names the contract functions only a top-k package (plan.TopK >
// 0) has.
var topKOnly = map[string]bool{
	"ForwardTopK": true, "BackwardTopK": true,
	"forwardTopKGeneric": true, "backwardTopKGeneric": true,
	"forwardTopKImpl": true, "backwardTopKImpl": true, "xtapeToGeneric": true,
}

// ContractFor is the part of fs the package of p has: the backward pass
// only for a differentiable swap, the top-k functions only for a top-k
// plan.
func ContractFor(p *plan.Plan, fs []ContractFunc) []ContractFunc {
	var out []ContractFunc
	for _, f := range fs {
		if (p.Swap.Differentiable() || !backwardOnly[f.Name]) && (p.TopK > 0 || !topKOnly[f.Name]) {
			out = append(out, f)
		}
	}
	return out
}
