package gen

import (
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/internal/testmod"
)

func newTopKPlan(t testing.TB, network string, n, k int, swap string, elem plan.Elem) *plan.Plan {
	t.Helper()
	p, err := plan.NamedTopK(network, n, k, swap, "", elem)
	require.NoError(t, err)
	return p
}

func TestPlanPackageName(t *testing.T) {
	for _, tc := range []struct {
		network, swap string
		n, k          int
		elem          plan.Elem
		want          string
	}{
		{plan.SplitterSelection, "cauchy", 100, 5, plan.Float32, "splitterselection_n100_top5_cauchy_f32"},
		{"odd_even", "errorfree", 9, 3, plan.Float64, "oddeven_n9_top3_errorfree_cauchy_f64"},
		{"bitonic", "hard", 32, 1, plan.Float32, "bitonic_n32_top1_hard_f32"},
	} {
		p := newTopKPlan(t, tc.network, tc.n, tc.k, tc.swap, tc.elem)
		require.Equal(t, tc.want, PlanPackageName(p))
		require.True(t, token.IsIdentifier(PlanPackageName(p)))
	}
	// Sorting plans keep their names.
	p := newPlan(t, "odd_even", 9, "errorfree", "", plan.Float64)
	require.Equal(t, "oddeven_n9_errorfree_cauchy_f64", PlanPackageName(p))
}

func TestTopKCommand(t *testing.T) {
	p := newTopKPlan(t, plan.SplitterSelection, 100, 5, "cauchy", plan.Float32)
	require.Equal(t, "go run github.com/sortgen/sortgen/cmd/sortgen -network splitter_selection -n 100 -topk 5 -swap cauchy -type float32",
		Command(p, "splitterselection_n100_top5_cauchy_f32"))
	require.Equal(t, "go run github.com/sortgen/sortgen/cmd/sortgen -network splitter_selection -n 100 -topk 5 -swap cauchy -type float32 -pkg top5",
		Command(p, "top5"))
}

// TestGenerateTopK checks the files and the exported API of top-k packages,
// and that a sorting package has none of it.
func TestGenerateTopK(t *testing.T) {
	for _, tc := range []struct {
		network, swap string
		n, k          int
		funcs         []string // exported functions
	}{
		{plan.SplitterSelection, "cauchy", 100, 5, []string{"Backward", "BackwardP", "BackwardTopK", "Forward", "ForwardP", "ForwardTopK", "Sort"}},
		{"odd_even", "errorfree", 9, 3, []string{"Backward", "BackwardP", "BackwardTopK", "Forward", "ForwardP", "ForwardTopK", "Sort"}},
		{"bitonic", "hard", 16, 2, []string{"ForwardP", "ForwardTopK", "Sort"}},
	} {
		p := newTopKPlan(t, tc.network, tc.n, tc.k, tc.swap, plan.Float64)
		pkg := PlanPackageName(p)
		files, err := Generate(p, Options{ImportPath: "example.com/k/" + pkg, Register: true})
		require.NoError(t, err)
		for _, name := range []string{"kernels_topk.go", pkg + "_topk_test.go", "register.go"} {
			require.Contains(t, files, name, pkg)
		}
		api := string(files["api.go"])
		require.Contains(t, api, "\tTopK = "+strconv.Itoa(tc.k)+"\n")
		require.Contains(t, api, "\tXTapeLen = "+strconv.Itoa(p.XTapeLen)+"\n")
		f, err := parser.ParseFile(token.NewFileSet(), "api.go", files["api.go"], 0)
		require.NoError(t, err)
		var exported []string
		for name, obj := range f.Scope.Objects {
			if obj.Kind.String() == "func" && token.IsExported(name) {
				exported = append(exported, name)
			}
		}
		sort.Strings(exported)
		require.Equal(t, tc.funcs, exported, pkg)
		reg := string(files["register.go"])
		require.Contains(t, reg, "TopK:        TopK,")
		require.Contains(t, reg, "ForwardTopK:")
		require.Equal(t, p.Swap.Differentiable(), strings.Contains(reg, "BackwardTopK:"), pkg)
		require.Contains(t, string(files["register_test.go"]), "registry.Lookup(Fingerprint, TopK, Swap, Base, Elem)")
		doc := string(files["doc.go"])
		require.Contains(t, doc, " -topk "+strconv.Itoa(tc.k)+" ", "the regeneration command")
		require.Contains(t, doc, "runs a top-"+strconv.Itoa(tc.k)+" selection network")
	}
	p := newPlan(t, "odd_even", 9, "cauchy", "", plan.Float32)
	files, err := Generate(p, Options{})
	require.NoError(t, err)
	require.NotContains(t, files, "kernels_topk.go")
	require.NotContains(t, string(files["api.go"]), "TopK")

	bad := *newTopKPlan(t, "odd_even", 8, 3, "cauchy", plan.Float32)
	bad.XTapeLen++
	_, err = Generate(&bad, Options{})
	require.ErrorContains(t, err, "inconsistent top-k plan")
	sorting := *p
	sorting.XTapeLen = 5
	_, err = Generate(&sorting, Options{})
	require.ErrorContains(t, err, "X tape")
}

// TestTopKPackagesCompile builds two pure-Go top-k packages in a fresh
// module and runs their tests (the packages with the assembly, by the
// CLI, are cmd/sortgen's TestTopKPackagesInFreshModule).
func TestTopKPackagesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles generated packages")
	}
	m := testmod.New(t, "example.com/topk")
	for _, p := range []*plan.Plan{
		newTopKPlan(t, "odd_even", 9, 3, "errorfree", plan.Float64),
		newTopKPlan(t, "bitonic", 16, 3, "logistic_phi", plan.Float64),
	} {
		files, err := Generate(p, Options{})
		require.NoError(t, err)
		m.WriteFiles(t, PlanPackageName(p), files)
	}
	m.Go(t, nil, "vet", "./...")
	m.Go(t, nil, "test", "./...")
}
