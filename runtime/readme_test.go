package runtime

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/runtime/registry"
)

// The README lists the checked-in kernels, the ones the runtime picks up
// without generating anything: the list must be what generated/ holds.
func TestReadmeListsGeneratedKernels(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	// The element types of each network, swap and size ...
	type config struct {
		net, swap string
		n         int
	}
	elems := map[config][]string{}
	for _, k := range registry.All() {
		swap := "`" + k.Swap + "`"
		if k.Base != "" {
			swap += " (base `" + k.Base + "`)"
		}
		net := "`" + k.Network + "`"
		if k.TopK > 0 {
			net += fmt.Sprintf(" top-%d", k.TopK)
		}
		c := config{net, swap, k.N}
		elems[c] = append(elems[c], "`"+k.Elem+"`")
	}
	// ... then the swaps of each network, set of sizes and of types.
	type group struct {
		net, sizes, types string
		swaps             []string
	}
	var groups []*group
	sizes := map[[3]string][]int{}
	for c, e := range elems {
		slices.Sort(e)
		k := [3]string{c.net, c.swap, strings.Join(e, " and ")}
		sizes[k] = append(sizes[k], c.n)
	}
	for k, ns := range sizes {
		slices.Sort(ns)
		s := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ns)), ", "), "[]")
		i := slices.IndexFunc(groups, func(g *group) bool { return g.net == k[0] && g.sizes == s && g.types == k[2] })
		if i < 0 {
			groups = append(groups, &group{net: k[0], sizes: s, types: k[2]})
			i = len(groups) - 1
		}
		groups[i].swaps = append(groups[i].swaps, k[1])
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(-cmp.Compare(a.net, b.net), -cmp.Compare(len(a.types), len(b.types)), cmp.Compare(a.sizes, b.sizes))
	})
	var want strings.Builder
	for _, g := range groups {
		slices.Sort(g.swaps)
		swaps := strings.Join(g.swaps, ", ")
		if k := len(g.swaps); k > 1 {
			swaps = strings.Join(g.swaps[:k-1], ", ") + " and " + g.swaps[k-1]
		}
		fmt.Fprintf(&want, "- %s n = %s: %s; %s\n", g.net, g.sizes, swaps, g.types)
	}
	require.NotEmpty(t, groups)
	dirs, err := os.ReadDir("../generated")
	require.NoError(t, err)
	pkgs := 0
	for _, d := range dirs {
		if d.IsDir() && d.Name() != "internal" {
			pkgs++
		}
	}
	require.Len(t, registry.All(), pkgs, "the registry and the packages under generated/")
	require.Contains(t, string(readme), "each with its assembly:\n\n"+want.String()+"\n",
		"README.md's list of the kernels in generated/ should read:\n%s", want.String())
}
