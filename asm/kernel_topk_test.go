package asm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
)

// TestGenerateTopK emits top-k packages of every swap and element type
// and checks the files as TestGenerateAll does (no AVX-512 register or
// instruction in the top-k kernels either) and that the top-k functions
// are there exactly for the passes the swap has.
func TestGenerateTopK(t *testing.T) {
	type sw struct{ swap, base string }
	swaps := []sw{{"hard", ""}}
	for _, f := range plan.SoftFuncs {
		swaps = append(swaps, sw{f.String(), ""}, sw{"errorfree", f.String()})
	}
	for _, s := range swaps {
		for _, e := range []plan.Elem{plan.Float32, plan.Float64} {
			for _, c := range []struct {
				network string
				n, k    int
			}{{"odd_even", 9, 3}, {"splitter_selection", 40, 5}, {"bitonic", 32, 20}} {
				what := fmt.Sprintf("%s n=%d k=%d %v %v", c.network, c.n, c.k, s, e)
				p, err := plan.NamedTopK(c.network, c.n, c.k, s.swap, s.base, e)
				require.NoError(t, err, what)
				files, err := Generate(p, "kernel")
				require.NoError(t, err, what)
				checkFiles(t, files)
				src, stubs := string(files[FileAsm]), string(files[FileStubs])
				diffable := p.Swap.Differentiable()
				for stem, want := range map[string]bool{
					fnTopKValues: true, fnTopKSweep: true,
					fnTopKValuesTape: diffable, fnTopKWork: diffable, fnBackwardWork: diffable,
				} {
					for _, fn := range []string{"avx2" + stem, "avx512" + stem} {
						require.Equal(t, want, strings.Contains(src, "TEXT ·"+fn+"("), "%s: %s in the assembly", what, fn)
						require.Equal(t, want, strings.Contains(stubs, "func "+fn+"("), "%s: %s in the stubs", what, fn)
					}
				}
				glue := string(files[FileGo])
				require.Contains(t, glue, "func forwardTopKImpl(", what)
				require.Equal(t, diffable, strings.Contains(glue, "func backwardTopKImpl("), what)
			}
		}
	}
}

// TestGenerateSortingHasNoTopK: a sorting plan gets no top-k kernels.
func TestGenerateSortingHasNoTopK(t *testing.T) {
	p := testPlan(t, "odd_even", 9, "cauchy", "", plan.Float32)
	files, err := Generate(p, "kernel")
	require.NoError(t, err)
	for _, fn := range []string{fnTopKValues, fnTopKValuesTape, fnTopKSweep, fnTopKWork, fnBackwardWork} {
		require.NotContains(t, string(files[FileAsm]), fn+"(")
	}
	require.NotContains(t, string(files[FileGo]), "TopK")
}

// TestTopKCodeSize: the top-k kernels loop over the step table and over
// long rows of Z, so the code grows neither with the network nor with k.
func TestTopKCodeSize(t *testing.T) {
	lines := func(network string, n, k int) int {
		p, err := plan.NamedTopK(network, n, k, "cauchy", "", plan.Float32)
		require.NoError(t, err)
		files, err := Generate(p, "kernel")
		require.NoError(t, err)
		src := string(files[FileAsm])
		return strings.Count(src, "\n\t") - strings.Count(src, "\tDATA ")
	}
	// The longest rows of Z unrolled whole, and the longest remainder
	// after the loop over chunks.
	bound := max(lines("bitonic", 32, 2*topKUnroll), lines("bitonic", 32, 3*topKUnroll-1))
	for _, c := range []struct {
		network string
		n, k    int
	}{{"bitonic", 256, 40}, {"bitonic", 256, 203}, {"odd_even", 200, 100}, {"splitter_selection", 500, 10}} {
		require.LessOrEqual(t, lines(c.network, c.n, c.k), bound, "%s n=%d k=%d", c.network, c.n, c.k)
	}
}
