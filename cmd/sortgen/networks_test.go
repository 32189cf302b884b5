package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/networks"
)

// sortgenOutput runs the command line and returns exit status, stdout and
// stderr.
func sortgenOutput(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writeNetworkFile writes a network file for the tests to read.
func writeNetworkFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestNetworksJSON(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-n", "16", "-network", "best"}, `{"n":16,"network":"best","size":60,"depth":10,"verified":"exhaustive"}`},
		{[]string{"-n", "16", "-network", "best_depth"}, `{"n":16,"network":"best_depth","size":61,"depth":9,"verified":"exhaustive"}`},
		{[]string{"-n", "8", "-network", "odd_even"}, `{"n":8,"network":"odd_even","size":28,"depth":8,"verified":"exhaustive"}`},
		{[]string{"-n", "32", "-network", "oddeven_merge"}, `{"n":32,"network":"oddeven_merge","size":191,"depth":15,"verified":"exhaustive"}`},
		{[]string{"-n", "64", "-network", "best"}, `{"n":64,"network":"best","size":521,"depth":21,"verified":"random"}`},
		{[]string{"-network", "bitonic", "-n", "40"}, `{"n":40,"network":"bitonic","size":`},
	}
	for _, tt := range tests {
		code, out, errb := sortgenOutput(append([]string{"networks", "-json"}, tt.args...)...)
		require.Equal(t, 0, code, errb)
		require.Empty(t, errb)
		require.True(t, strings.HasPrefix(out, tt.want), "got %s", out)
		require.True(t, strings.HasSuffix(out, "}\n"))
	}
}

func TestNetworksText(t *testing.T) {
	code, out, _ := sortgenOutput("networks", "-n", "10", "-network", "best")
	require.Equal(t, 0, code)
	// The first layer of best(10) compares 5 pairs: 3^5 inputs.
	require.Equal(t, "best: n=10, 29 comparators, 8 layers; sorts: proved on all 243 0-1 inputs the first layer can produce (0-1 principle)\n", out)

	code, out, _ = sortgenOutput("networks", "-n", "40", "-network", "pairwise")
	require.Equal(t, 0, code)
	require.Contains(t, out, "random inputs checked (not a proof)")
}

func TestNetworksFromFile(t *testing.T) {
	path := writeNetworkFile(t, "four.txt", "[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n")
	code, out, errb := sortgenOutput("networks", "-in", path, "-json")
	require.Equal(t, 0, code, errb)
	require.Equal(t, `{"n":4,"network":"four.txt","size":5,"depth":3,"verified":"exhaustive"}`+"\n", out)

	// n from the command line for a file with an unused top wire.
	code, out, errb = sortgenOutput("networks", "-in", path, "-n", "5", "-json")
	require.Equal(t, 1, code, errb)
	require.Contains(t, out, `"n":5`)
	require.Contains(t, out, `"verified":"failed"`)

	// A network that does not sort: exit 1 with a counterexample.
	bad := writeNetworkFile(t, "bad.json", `{"N":4,"nw":[[0,2],[1,3],[0,1],[2,3]]}`)
	code, out, _ = sortgenOutput("networks", "-in", bad, "-json")
	require.Equal(t, 1, code)
	var report networkReport
	require.NoError(t, json.Unmarshal([]byte(out), &report))
	require.Equal(t, "failed", report.Verified)
	require.Len(t, report.Counterexample, 4)

	code, out, _ = sortgenOutput("networks", "-in", bad)
	require.Equal(t, 1, code)
	require.Contains(t, out, "bad.json: n=4, 4 comparators, 2 layers; NOT a sorting network: input [")
}

func TestNetworksPrint(t *testing.T) {
	code, out, errb := sortgenOutput("networks", "-n", "4", "-network", "best", "-print", "layers")
	require.Equal(t, 0, code, errb)
	require.Equal(t, "[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n", out)

	// Converting a file and reading it back gives the same network.
	code, out, _ = sortgenOutput("networks", "-n", "24", "-network", "best", "-print", "json")
	require.Equal(t, 0, code)
	path := writeNetworkFile(t, "best24.json", out)
	code, out, _ = sortgenOutput("networks", "-in", path, "-print", "flat")
	require.Equal(t, 0, code)
	got, err := networks.Parse([]byte(out))
	require.NoError(t, err)
	want, _ := networks.Best(24)
	require.True(t, want.Equal(got))
}

func TestNetworksUsageErrors(t *testing.T) {
	dir := t.TempDir()
	broken := writeNetworkFile(t, "broken.txt", "[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2(]\n")
	huge := writeNetworkFile(t, "huge.json", `{"N":65536,"nw":[[0,65535]]}`)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-n", "1", "-network", "best"}, "sortgen: networks: -n must be in 2..1024 (got 1)"},
		{[]string{"-n", "5000", "-network", "best"}, "sortgen: networks: -n must be in 2..1024 (got 5000)"},
		{[]string{"-n", "65", "-network", "best"}, "sortgen: networks: best known networks exist for n = 2..64 only (got 65)"},
		{[]string{"-n", "8", "-network", "quick"}, `sortgen: networks: unknown network "quick" (known: best, best_depth, bitonic, merge_exchange, odd_even, oddeven_merge, pairwise)`},
		{[]string{"-n", "8"}, "sortgen: networks: need -n N and -network NAME, or -in FILE"},
		{[]string{"-network", "best"}, "sortgen: networks: need -n N and -network NAME, or -in FILE"},
		{[]string{"-n", "x"}, `sortgen: networks: invalid value "x" for flag -n: parse error`},
		{[]string{"-bogus"}, "sortgen: networks: flag provided but not defined: -bogus"},
		{[]string{"-n", "8", "-network", "best", "extra"}, `sortgen: networks: unexpected argument "extra"`},
		{[]string{"-n", "8", "-network", "best", "-print", "yaml"}, `sortgen: networks: -print must be json, layers or flat (got "yaml")`},
		{[]string{"-in", broken, "-network", "best"}, "sortgen: networks: give -network or -in, not both"},
		{[]string{"-in", broken}, "sortgen: networks: " + broken + ": line 3, column 6: expected ')', found '('"},
		{[]string{"-in", huge}, "sortgen: networks: " + huge + ": 65536 wires, more than the 1024 sortgen handles"},
		{[]string{"-in", filepath.Join(dir, "missing.json")}, "sortgen: networks: open " + filepath.Join(dir, "missing.json") + ": no such file or directory"},
	}
	for _, tt := range tests {
		code, out, errb := sortgenOutput(append([]string{"networks"}, tt.args...)...)
		require.Equal(t, 2, code, "%v", tt.args)
		require.Empty(t, out)
		require.Equal(t, tt.want+"\n", errb, "%v", tt.args)
	}
}

func TestNetworksHelp(t *testing.T) {
	code, out, _ := sortgenOutput("networks", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, out, "usage: sortgen networks")
	require.Contains(t, out, "-network")
}

// svgElements parses the SVG, failing on malformed XML, and counts
// elements by name and comparator groups by colour.
func svgElements(t *testing.T, svg string) (map[string]int, map[string]int) {
	t.Helper()
	counts, colours := map[string]int{}, map[string]int{}
	dec := xml.NewDecoder(strings.NewReader(svg))
	inComparators := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch el := tok.(type) {
		case xml.StartElement:
			counts[el.Name.Local]++
			for _, a := range el.Attr {
				if a.Name.Local == "class" && a.Value == "comparators" {
					inComparators = 1
				}
				if inComparators > 0 && el.Name.Local == "g" && a.Name.Local == "stroke" {
					colours[a.Value]++
				}
			}
			if inComparators > 0 {
				inComparators++
			}
		case xml.EndElement:
			if inComparators > 0 {
				inComparators--
				if inComparators == 1 {
					inComparators = 0
				}
			}
		}
	}
	return counts, colours
}

func TestDraw(t *testing.T) {
	out := filepath.Join(t.TempDir(), "net.svg")
	code, stdout, errb := sortgenOutput("draw", "-n", "8", "-network", "bitonic", "-o", out)
	require.Equal(t, 0, code, errb)
	require.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	svg := string(data)
	require.True(t, strings.HasPrefix(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""))
	require.Contains(t, svg, "bitonic: n=8, 24 comparators, 6 layers")
	counts, colours := svgElements(t, svg)
	require.Equal(t, 2*24, counts["circle"])
	require.Equal(t, 24-6, colours[svgAscending])
	require.Equal(t, 6, colours[svgReversed])
	require.Equal(t, 6, counts["path"]) // an arrow head per reversed comparator
	require.Contains(t, svg, "reversed")

	// To standard output, from a file; no reversed comparators.
	path := writeNetworkFile(t, "a&b.txt", "[(0,1),(2,3)]\n[(1,2)]\n")
	code, stdout, _ = sortgenOutput("draw", "-in", path)
	require.Equal(t, 0, code)
	counts, colours = svgElements(t, stdout)
	require.Equal(t, 6, counts["circle"])
	require.Equal(t, 3, colours[svgAscending])
	require.Zero(t, colours[svgReversed])
	require.Contains(t, stdout, "a&amp;b.txt: n=4")
	require.NotContains(t, stdout, "reversed")
}

func TestDrawErrors(t *testing.T) {
	code, _, errb := sortgenOutput("draw", "-n", "1", "-network", "best", "-o", "x.svg")
	require.Equal(t, 2, code)
	require.Equal(t, "sortgen: draw: -n must be in 2..1024 (got 1)\n", errb)
	code, _, errb = sortgenOutput("draw", "-n", "8", "-network", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, errb, `sortgen: draw: unknown network "nope"`)
	code, _, errb = sortgenOutput("draw", "-x")
	require.Equal(t, 2, code)
	require.Equal(t, "sortgen: draw: flag provided but not defined: -x\n", errb)
	code, _, errb = sortgenOutput("draw", "-n", "4", "-network", "best", "-o", filepath.Join(t.TempDir(), "no", "such", "dir.svg"))
	require.Equal(t, 1, code)
	require.Contains(t, errb, "sortgen: draw: open ")
}

func TestPackColumns(t *testing.T) {
	tests := []struct {
		layer []networks.Comparator
		cols  []int
		count int
	}{
		{[]networks.Comparator{{P: 0, Q: 1}, {P: 2, Q: 3}, {P: 4, Q: 5}}, []int{0, 0, 0}, 1},
		{[]networks.Comparator{{P: 0, Q: 8}, {P: 1, Q: 9}, {P: 2, Q: 7}}, []int{0, 1, 2}, 3},
		// (1,2) lies within (0,3) and needs a second column; (4,5) fits
		// in the first.
		{[]networks.Comparator{{P: 0, Q: 3}, {P: 1, Q: 2}, {P: 4, Q: 5}}, []int{0, 1, 0}, 2},
		{[]networks.Comparator{{P: 3, Q: 0}, {P: 5, Q: 4}}, []int{0, 0}, 1},
		{nil, []int{}, 0},
	}
	for _, tt := range tests {
		cols, count := packColumns(tt.layer)
		require.Equal(t, tt.cols, cols, "%v", tt.layer)
		require.Equal(t, tt.count, count)
	}
}

// Every command that reads a network file refuses one past the limits
// of package networks with a usage error naming the limit, instead of
// reading it whole.
func TestNetworkFileLimits(t *testing.T) {
	dir := t.TempDir()
	// A sparse file: past MaxFileBytes without taking the disk space.
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(networks.MaxFileBytes+1))
	require.NoError(t, f.Close())
	many := filepath.Join(dir, "many.txt")
	require.NoError(t, os.WriteFile(many, []byte(strings.Repeat("0 1\n", networks.MaxComparators+1)), 0o644))

	for _, tc := range []struct{ file, want string }{
		{big, "big.txt: larger than 32 MiB (MaxFileBytes), the most a network file may have\n"},
		{many, "many.txt: line 1048577, column 1: more than 1048576 comparators (MaxComparators), the most a network file may have\n"},
	} {
		for _, cmd := range [][]string{{"networks"}, {"draw"}, {"generate", "-o", filepath.Join(dir, "k")}} {
			code, stdout, errb := sortgenOutput(append(cmd, "-in", tc.file)...)
			require.Equal(t, 2, code, "%v: %s", cmd, errb)
			require.Empty(t, stdout)
			require.True(t, strings.HasPrefix(errb, "sortgen: "+cmd[0]+": "), errb)
			require.True(t, strings.HasSuffix(errb, tc.want), errb)
			require.NoDirExists(t, filepath.Join(dir, "k"))
		}
	}
}

// TestNetworksTopK prunes networks to selection networks and verifies
// them as such; a selection network read from a file fails as a sorter
// and passes with -topk.
func TestNetworksTopK(t *testing.T) {
	code, out, errb := sortgenOutput("networks", "-json", "-n", "32", "-network", "bitonic", "-topk", "1")
	require.Equal(t, 0, code, errb)
	require.Equal(t, `{"n":32,"network":"bitonic","size":191,"depth":15,"topk":1,"verified":"exhaustive"}`+"\n", out)

	code, out, _ = sortgenOutput("networks", "-n", "16", "-network", "best", "-topk", "3")
	require.Equal(t, 0, code)
	require.Regexp(t, `^best top-3: n=16, \d+ comparators, \d+ layers; selects the 3 largest in order: proved`, out)

	code, sel, errb := sortgenOutput("networks", "-n", "12", "-network", "odd_even", "-topk", "2", "-print", "layers")
	require.Equal(t, 0, code, errb)
	path := writeNetworkFile(t, "sel.txt", sel)
	code, out, _ = sortgenOutput("networks", "-in", path)
	require.Equal(t, 1, code)
	require.Contains(t, out, "NOT a sorting network")
	code, out, _ = sortgenOutput("networks", "-in", path, "-topk", "2")
	require.Equal(t, 0, code, out)
	code, out, _ = sortgenOutput("networks", "-in", path, "-topk", "12")
	require.Equal(t, 1, code)
	require.Contains(t, out, "NOT a top-12 selection network")

	code, _, errb = sortgenOutput("networks", "-n", "8", "-network", "bitonic", "-topk", "9")
	require.Equal(t, 2, code)
	require.Contains(t, errb, "top-k needs 1 <= k <= n = 8, got k = 9")

	code, svg, errb := sortgenOutput("draw", "-n", "16", "-network", "bitonic", "-topk", "3")
	require.Equal(t, 0, code, errb)
	require.Contains(t, svg, "<title>bitonic top-3: n=16, 64 comparators")
}

// TestNetworksSplitterSelection builds difftopk's splitter selection
// network, which needs -topk, and verifies it as a selection network.
func TestNetworksSplitterSelection(t *testing.T) {
	for _, tc := range []struct {
		n, k int
		want string
	}{
		{100, 5, `{"n":100,"network":"splitter_selection","size":314,"depth":20,"topk":5,"verified":"random"}`},
		{32, 5, `{"n":32,"network":"splitter_selection","size":96,"depth":13,"topk":5,"verified":"exhaustive"}`},
		{16, 3, `{"n":16,"network":"splitter_selection","size":31,"depth":7,"topk":3,"verified":"exhaustive"}`},
		{8, 1, `{"n":8,"network":"splitter_selection","size":7,"depth":3,"topk":1,"verified":"exhaustive"}`},
	} {
		code, out, errb := sortgenOutput("networks", "-json", "-n", strconv.Itoa(tc.n), "-network", "splitter_selection", "-topk", strconv.Itoa(tc.k))
		require.Equal(t, 0, code, errb)
		require.Equal(t, tc.want+"\n", out)
	}
	code, out, _ := sortgenOutput("networks", "-n", "10", "-network", "splitter_selection", "-topk", "2")
	require.Equal(t, 0, code)
	require.Regexp(t, `^splitter_selection top-2: n=10, 17 comparators, 7 layers; selects the 2 largest in order: proved`, out)

	code, svg, errb := sortgenOutput("draw", "-n", "16", "-network", "splitter_selection", "-topk", "3")
	require.Equal(t, 0, code, errb)
	require.Contains(t, svg, "<title>splitter_selection top-3: n=16, 31 comparators")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"networks", "-n", "16", "-network", "splitter_selection"}, "sortgen: networks: splitter_selection selects the top k: it needs -topk K (networks and draw take it)\n"},
		{[]string{"draw", "-n", "16", "-network", "splitter_selection"}, "sortgen: draw: splitter_selection selects the top k: it needs -topk K (networks and draw take it)\n"},
		{[]string{"networks", "-n", "8", "-network", "splitter_selection", "-topk", "9"}, "sortgen: networks: top-k needs 1 <= k <= n = 8, got k = 9\n"},
		{[]string{"networks", "-n", "8", "-network", "splitter_selection", "-topk", "-2"}, "sortgen: networks: top-k needs 1 <= k <= n = 8, got k = -2\n"},
		{[]string{"generate", "-n", "8", "-network", "splitter_selection", "-o", filepath.Join(t.TempDir(), "k")}, "sortgen: generate: splitter_selection selects the top k: it needs -topk K (networks and draw take it)\n"},
	} {
		code, out, errb := sortgenOutput(tc.args...)
		require.Equal(t, 2, code, "%v", tc.args)
		require.Empty(t, out)
		require.Equal(t, tc.want, errb, "%v", tc.args)
	}

	code, out, _ = sortgenOutput("networks", "-h")
	require.Equal(t, 0, code)
	require.Contains(t, out, "splitter_selection, a selection network for the top -topk K")
}
