package emit

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// TestPackage checks the file lists of a package with and without the
// assembly, and that every file carries the generated-code header.
func TestPackage(t *testing.T) {
	nw, err := networks.ByName("odd_even", 5)
	require.NoError(t, err)
	p, err := plan.New("odd_even", nw, plan.Swap{Func: plan.Cauchy}, plan.Float32)
	require.NoError(t, err)
	for _, withAsm := range []bool{false, true} {
		files, err := Package(p, gen.Options{Asm: withAsm})
		require.NoError(t, err)
		var names []string
		for name, src := range files {
			names = append(names, name)
			require.True(t, strings.HasPrefix(string(src), gen.Header), "%s has no header", name)
		}
		slices.Sort(names)
		want := []string{"api.go", "doc.go", "impl_noasm.go", "kernels_generic.go", "oddeven_n5_cauchy_f32_test.go", "swap.go"}
		if withAsm {
			want = append(want, "kernels_amd64.go", "kernels_amd64.s", "stubs_amd64.go")
			slices.Sort(want)
		}
		require.Equal(t, want, names, "asm=%v", withAsm)
	}
}
