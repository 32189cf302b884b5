package networks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func layers(n int, ls ...[]Comparator) *Network { return &Network{N: n, Layers: ls} }

func TestParseValid(t *testing.T) {
	sorter4 := layers(4, []Comparator{{0, 2}, {1, 3}}, []Comparator{{0, 1}, {2, 3}}, []Comparator{{1, 2}})
	tests := []struct {
		name, in string
		format   Format
		want     *Network
	}{
		{"json", `{"N":4,"L":5,"D":3,"nw":[[0,2],[1,3],[0,1],[2,3],[1,2]]}`, FormatJSON, sorter4},
		{"json without L and D, extra keys", "\n {\"symmetric\": true, \"nw\": [[0,2],[1,3],[0,1],[2,3],[1,2]], \"N\": 4, \"x\": {\"y\": [1, \"]\"]}}\n", FormatJSON, sorter4},
		{"json unused top wire", `{"N":6,"nw":[[0,2],[1,3],[0,1],[2,3],[1,2]]}`, FormatJSON, layers(6, sorter4.Layers...)},
		{"json empty", `{"N":3,"nw":[]}`, FormatJSON, layers(3)},
		{"layers", "[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n", FormatLayers, sorter4},
		{"layers messy", "# Sorting 4 inputs\n\n  [ ( 0 , 2 ) , (1,3), ]  # first\r\n[(0,1) (2,3)]\n\n[\n  (1,2)\n]", FormatLayers, sorter4},
		{"layers not as flat", "[(0,1)]\n[(2,3)]\n", FormatLayers, layers(4, []Comparator{{0, 1}}, []Comparator{{2, 3}})},
		{"layers reversed", "[(1,0)]\n[(0,1)]\n", FormatLayers, layers(2, []Comparator{{1, 0}}, []Comparator{{0, 1}})},
		{"flat one line", "[(0,2),(1,3),(0,1),(2,3),(1,2)]", FormatFlat, sorter4},
		{"flat many lines", "[(0,2),(1,3),\n (0,1),(2,3),\n (1,2)]\n", FormatFlat, sorter4},
		{"flat json-like", "[[0,2],[1,3],[0,1],[2,3],[1,2]]", FormatFlat, sorter4},
		{"flat pairs", "(0,2) (1,3)\n(0,1),(2,3),(1,2)", FormatFlat, sorter4},
		{"flat bracket pairs", "[0,2]\n[1,3]\n[0,1]\n[2,3]\n[1,2]\n", FormatFlat, sorter4},
		{"flat bare pairs", "0 2\n1 3\n0,1\n2\t3 ,\n# done soon\n1 2 # last\n", FormatFlat, sorter4},
		{"one disjoint list", "[(0,1),(2,3)]", FormatFlat, layers(4, []Comparator{{0, 1}, {2, 3}})},
		{"n from comment", "# n = 5\n[(0,1)]\n", FormatFlat, layers(5, []Comparator{{0, 1}})},
		{"n only", "# N=3\n", FormatFlat, layers(3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw, err := Parse([]byte(tt.in))
			require.NoError(t, err)
			require.Equal(t, tt.want, nw)
			nw, err = ParseFormat([]byte(tt.in), tt.format, tt.want.N)
			require.NoError(t, err)
			require.Equal(t, tt.want, nw)
		})
	}
}

func TestParseFormatForced(t *testing.T) {
	// Flat joins several lists into one list.
	nw, err := ParseFormat([]byte("[(0,1)]\n[(2,3)]\n"), FormatFlat, 0)
	require.NoError(t, err)
	require.Equal(t, layers(4, []Comparator{{0, 1}, {2, 3}}), nw)
	// Layers takes a single list as one layer.
	_, err = ParseFormat([]byte("[(0,1),(1,2)]"), FormatLayers, 0)
	require.EqualError(t, err, "networks: line 1, column 8: comparator (1,2): wire 1 used twice in one layer")
	_, err = ParseFormat([]byte("(0,1)"), FormatLayers, 0)
	require.EqualError(t, err, "networks: line 1, column 1: expected a layer, a bracketed list of pairs")
	_, err = ParseFormat([]byte("[(0,1)]"), FormatJSON, 0)
	require.EqualError(t, err, "networks: line 1, column 1: expected '{', found '['")
	// n given.
	nw, err = ParseFormat([]byte("[(0,1)]"), FormatAuto, 3)
	require.NoError(t, err)
	require.Equal(t, 3, nw.N)
	_, err = ParseFormat([]byte("[(0,3)]"), FormatAuto, 3)
	require.EqualError(t, err, "networks: line 1, column 2: comparator (0,3): wire 3 out of range for n=3")
	_, err = ParseFormat([]byte("# n=4\n[(0,1)]"), FormatAuto, 3)
	require.EqualError(t, err, "networks: the file says n = 4, expected 3")
	_, err = ParseFormat([]byte(`{"N":4,"nw":[]}`), FormatAuto, 3)
	require.EqualError(t, err, "networks: line 1, column 6: N = 4, expected 3")
	_, err = ParseFormat(nil, FormatAuto, 1)
	require.Error(t, err)
	_, err = ParseFormat(nil, Format(9), 0)
	require.Error(t, err)
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "no comparators, so no number of wires; give one with a line \"# n=N\""},
		{"# just a comment\n", "no comparators, so no number of wires; give one with a line \"# n=N\""},
		{"[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2(]", "line 3, column 6: expected ')', found '('"},
		{"[(0,2),(1,3)]\n[(0,1),(2,3)\n", "line 3, column 1: unexpected end of input, expected ']' closing the '[' at line 2, column 1"},
		{"[(0,2),(1,3)]\n[(0,1),(1,3)]\n", "line 2, column 8: comparator (1,3): wire 1 used twice in one layer"},
		{"[(0,2),(1,3)]\n[]\n", "line 2, column 1: empty layer"},
		{"[(0,0)]", "line 1, column 2: comparator (0,0): p == q"},
		{"[(0,-1)]", "line 1, column 5: negative wire -1"},
		{"[(0,99999999999999999999999)]", "line 1, column 5: wire 99999999999999999999999 too large (at most 65535)"},
		{"[(0,65536)]", "line 1, column 5: wire 65536 too large (at most 65535)"},
		{"[(0,x)]", "line 1, column 5: expected a wire number, found 'x'"},
		{"[(0,1) x]", "line 1, column 8: expected '(' or ']', found 'x'"},
		{"[(0,1),(1,2)]\n(2,3)\n", "line 2, column 1: a pair outside brackets among bracketed lists: put every pair in a list (layers) or none (flat)"},
		{"0 1\n2\n3\n", "line 2, column 2: expected a second wire number on the same line, found '\\n'"},
		{"0 1 2 3\n", "line 1, column 5: expected end of line after the pair, found '2'"},
		{"x", "line 1, column 1: expected '[', '(' or a wire number, found 'x'"},
		{"[(0,1)] é", "line 1, column 9: expected '[', '(' or a wire number, found 'é'"},
		{"# n=1\n", "line 1, column 1: n = 1 out of range [2,65536]"},
		{"# n=3\n# n=4\n", "line 2, column 1: n = 4 contradicts an earlier n = 3"},
		{"# n=3\n[(0,3)]", "line 2, column 2: comparator (0,3): wire 3 out of range for n=3"},
		{`{"N":4,"L":5,` + "\n" + `"nw":[[0,1],[2,3],[1,2],,]}`, "line 2, column 25: invalid character ',' looking for beginning of value"},
		{`{"N":4,"L":5,` + "\n" + `"nw":[[0,1],[2,5]]}`, "line 2, column 13: comparator (2,5): wire 5 out of range for n=4"},
		{`{"N":4,"L":5,"nw":[[0,1],[2,3]]}`, "line 1, column 12: L = 5 but \"nw\" has 2 comparators"},
		{`{"N":4,"D":1,"nw":[[0,1],[1,2]]}`, "line 1, column 12: D = 1 but \"nw\" has depth 2"},
		{`{"N":4,"nw":[[0,1],[1,1]]}`, "line 1, column 20: comparator (1,1): p == q"},
		{`{"N":4,"nw":[[0,1],[2,3]]}` + "\n x", "line 2, column 2: unexpected data after the JSON object"},
		{`{"N":4,"nw":[[0,1],[2,3]]` + "\n x", "line 2, column 2: invalid character 'x' after object key:value pair"},
		{`{"N":4,"nw":[[0,1],[2,3]]`, "line 1, column 26: unexpected end of input"},
		{`{"N":1.5,"nw":[]}`, "line 1, column 6: N: expected an integer, found 1.5"},
		{`{"N":1,"nw":[]}`, "line 1, column 6: N 1 out of range [2,65536]"},
		{`{"N":"4","nw":[]}`, "line 1, column 6: N: expected an integer, found \"4\""},
		{`{"N":4,"nw":[[0,1,2]]}`, "line 1, column 19: expected ']' after two wire numbers, found 2"},
		{`{"N":4,"nw":[[0]]}`, "line 1, column 16: expected a wire number"},
		{`{"N":4,"nw":[0,1]}`, "line 1, column 14: expected a comparator [p,q], found 0"},
		{`{"N":4,"nw":[[0,-1]]}`, "line 1, column 17: wire -1 out of range [0,65535]"},
		{`{"N":4,"N":4,"nw":[]}`, "line 1, column 8: duplicate key \"N\""},
		{`{"nw":[[0,1]]}`, "line 1, column 14: missing \"N\", the number of wires"},
		{`{"N":4}`, "line 1, column 7: missing \"nw\", the list of comparators"},
		{`{"N":4,"x":[}`, "line 1, column 13: invalid character '}' looking for beginning of value"},
		{`{"N":4 "nw":[]}`, "line 1, column 8: invalid character '\"' after object key:value pair"},
		{`{`, "line 1, column 2: unexpected end of input"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		assert.EqualError(t, err, "networks: "+tt.want, "input %q", tt.in)
		var pe *ParseError
		require.True(t, errors.As(err, &pe))
	}
}

// roundTrip writes nw in every format and reads it back.
func roundTrip(t testing.TB, nw *Network) {
	t.Helper()
	flat, err := FromFlat(nw.N, nw.Comparators())
	require.NoError(t, err)
	for _, f := range []Format{FormatJSON, FormatLayers, FormatFlat} {
		var b bytes.Buffer
		require.NoError(t, Write(&b, nw, f))
		for _, as := range []Format{FormatAuto, f} {
			got, err := ParseFormat(b.Bytes(), as, 0)
			require.NoError(t, err, "%v read as %v:\n%s", f, as, b.String())
			want := nw
			if f != FormatLayers {
				want = flat
			}
			require.True(t, want.Equal(got), "%v read as %v:\n%s", f, as, b.String())
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, name := range Names() {
		for _, n := range []int{2, 3, 7, 16, 33, 64} {
			roundTrip(t, mustByName(t, name, n))
		}
	}
	roundTrip(t, layers(5))
	roundTrip(t, layers(5, []Comparator{{0, 1}}))
	roundTrip(t, layers(4, []Comparator{{0, 1}}, []Comparator{{2, 3}})) // not as FromFlat lays it out
	roundTrip(t, layers(3, []Comparator{{2, 0}}, []Comparator{{1, 0}}))
}

func TestWriteFormats(t *testing.T) {
	nw := mustByName(t, "best", 4)
	var b bytes.Buffer
	require.NoError(t, Write(&b, nw, FormatLayers))
	require.Equal(t, "[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n", b.String())
	require.Equal(t, nw.String(), b.String())
	b.Reset()
	require.NoError(t, Write(&b, nw, FormatFlat))
	require.Equal(t, "[(0,2),(1,3),(0,1),(2,3),(1,2)]\n", b.String())
	b.Reset()
	require.NoError(t, Write(&b, nw, FormatJSON))
	require.Equal(t, `{
  "N": 4,
  "L": 5,
  "D": 3,
  "nw": [
    [0,2], [1,3],
    [0,1], [2,3],
    [1,2]
  ]
}
`, b.String())
	b.Reset()
	require.NoError(t, Write(&b, layers(3), FormatJSON))
	require.Equal(t, "{\n  \"N\": 3,\n  \"L\": 0,\n  \"D\": 0,\n  \"nw\": []\n}\n", b.String())
	b.Reset()
	require.NoError(t, Write(&b, layers(6, []Comparator{{0, 1}}), FormatLayers))
	require.Equal(t, "# n=6\n[(0,1)]\n", b.String())

	require.Error(t, Write(&b, layers(1), FormatJSON))
	require.Error(t, Write(&b, nw, FormatAuto))
}

func TestFormatNames(t *testing.T) {
	for _, f := range []Format{FormatAuto, FormatJSON, FormatLayers, FormatFlat} {
		got, err := FormatByName(f.String())
		require.NoError(t, err)
		require.Equal(t, f, got)
	}
	_, err := FormatByName("yaml")
	require.ErrorContains(t, err, `unknown format "yaml"`)
	require.Equal(t, "Format(7)", Format(7).String())
}

// TestParseSorterHunterFiles reads the published files in the shared
// folder (beside the repository, as the reference tests need it too) and
// checks them against the table.
func TestParseSorterHunterFiles(t *testing.T) {
	files, _ := filepath.Glob("../../shared/networks/sorterhunter/Sort_*.json")
	if len(files) == 0 {
		t.Fatal("SorterHunter files not found in ../shared/networks/sorterhunter: the shared folder must sit beside the repository (README, Set-up)")
	}
	compared := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		nw, err := Parse(data)
		require.NoError(t, err, file)
		for _, e := range bestTable {
			if e.source == filepath.Base(file) {
				table, err := e.network()
				require.NoError(t, err)
				require.True(t, table.Equal(nw), file)
				compared++
			}
		}
	}
	// Every entry of the table was converted from one of the files.
	require.Equal(t, len(bestTable), compared)
}

// FuzzParse checks that no input makes Parse panic, and that whatever it
// accepts is valid and survives writing and reading back in every format.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"N":4,"L":5,"D":3,"nw":[[0,2],[1,3],[0,1],[2,3],[1,2]]}`,
		`{"N":4,"symmetric":false,"nw":[[0,2],[1,3]],"x":[{"a":null}]}`,
		`{"N":4,"L":5,"nw":[[0,2],[1,3],[0,1],[2,3],[1,2]`,
		`{"N":4,"nw":[[0,2],[1,3,4]]}`,
		`{"N":70000,"nw":[]}`,
		"[(0,2),(1,3)]\n[(0,1),(2,3)]\n[(1,2)]\n",
		"# n=6\n[(0,1)]\n[(2,1)]\n",
		"[(0,2),(1,3)]\n[(0,1),(1,3)]\n",
		"[(0,2),(1,3)\n",
		"[(0,2),(1,3),(0,1),(2,3),(1,2)]",
		"(0,2) (1,3) [0,1]",
		"0 2\n1 3\n0 1\n",
		"0 2 1\n",
		"[(5,5)]",
		"[(0,-3)]",
		"# n=2\n# n=3",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nw, err := Parse(data)
		if err != nil {
			return
		}
		require.NoError(t, nw.Validate())
		if nw.N > 1000 || nw.Size() > 10000 {
			return // valid but too slow to round-trip often
		}
		roundTrip(t, nw)
		if !strings.Contains(string(data), "{") {
			_, err := ParseFormat(data, FormatFlat, 0)
			require.NoError(t, err)
		}
	})
}

// blanks is an endless reader of spaces that counts what it gives.
type blanks struct{ read int }

func (b *blanks) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	b.read += len(p)
	return len(p), nil
}

// ReadFormat stops after MaxFileBytes instead of reading the whole input.
func TestReadFormatSizeLimit(t *testing.T) {
	r := &blanks{}
	_, err := ReadFormat(r, FormatAuto, 0)
	require.EqualError(t, err, "networks: larger than 32 MiB (MaxFileBytes), the most a network file may have")
	require.LessOrEqual(t, r.read, MaxFileBytes+64<<10, "read only a little past the limit")

	// Up to the limit, blanks and all, is fine.
	data := append([]byte("0 1\n"), bytes.Repeat([]byte{' '}, MaxFileBytes-4)...)
	nw, err := ReadFormat(bytes.NewReader(data), FormatAuto, 0)
	require.NoError(t, err)
	require.Equal(t, 1, nw.Size())
	_, err = ReadFormat(bytes.NewReader(append(data, ' ')), FormatAuto, 0)
	require.ErrorContains(t, err, "MaxFileBytes")
}

// The parsers stop at the first comparator past MaxComparators, in every
// format, and say where and why.
func TestParseComparatorLimit(t *testing.T) {
	lines := strings.Repeat("0 1\n", MaxComparators)
	nw, err := Parse([]byte(lines))
	require.NoError(t, err)
	require.Equal(t, MaxComparators, nw.Size())

	want := fmt.Sprintf("networks: line %d, column 1: more than 1048576 comparators (MaxComparators), the most a network file may have", MaxComparators+1)
	_, err = Parse([]byte(lines + "0 1\n"))
	require.EqualError(t, err, want)
	_, err = Parse([]byte(strings.ReplaceAll(lines, "0 1\n", "(0,1)\n") + "(0,1)\n"))
	require.EqualError(t, err, want)
	_, err = Parse([]byte("[" + strings.Repeat("(0,1),", MaxComparators) + "(0,1)]"))
	require.EqualError(t, err, fmt.Sprintf("networks: line 1, column %d: more than 1048576 comparators (MaxComparators), the most a network file may have", 2+6*MaxComparators))
	_, err = Parse([]byte(`{"N":2,"nw":[` + strings.Repeat("[0,1],\n", MaxComparators) + "[0,1]]}"))
	require.EqualError(t, err, want)
}

// Locating comparators for errors must not rescan the file for each one,
// which is quadratic in the comparators: the bound lies between the two
// (bench/README.md has the times).
func TestParseLargeJSONInLinearTime(t *testing.T) {
	nw := mustByName(t, "odd_even", 1024)
	var b bytes.Buffer
	require.NoError(t, Write(&b, nw, FormatJSON))
	start := time.Now()
	got, err := Parse(b.Bytes())
	took := time.Since(start)
	require.NoError(t, err)
	require.True(t, got.Equal(nw))
	require.Less(t, took, 10*time.Second)
	t.Logf("%d bytes, %d comparators in %v", b.Len(), nw.Size(), took)
}
