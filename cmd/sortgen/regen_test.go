package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const regenPrefix = "go run github.com/sortgen/sortgen/cmd/sortgen "

// regenLine is the command doc.go of the package in dir gives, and where
// it says to run it.
func regenLine(t *testing.T, dir string) (line, from string) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(dir, "doc.go"))
	require.NoError(t, err)
	text := string(doc)
	i := strings.Index(text, "// Regenerate it, from ")
	require.Positive(t, i, "no regeneration line in\n%s", text)
	from, _, _ = strings.Cut(text[i+len("// Regenerate it, from "):], ",")
	rest := text[i:]
	j := strings.Index(rest, "//\t")
	require.Positive(t, j)
	line, _, _ = strings.Cut(rest[j+len("//\t"):], "\n")
	return line, from
}

// The doc.go line names -o relative to the module root and the flags that
// differ from their defaults, and nothing else; run verbatim from the
// module root it writes the identical package. The packages are written
// from generated/, as go generate ./generated/ does.
func TestRegenerateCommand(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644))
	work := filepath.Join(root, "generated")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "nets"), 0o755))
	require.NoError(t, os.Mkdir(work, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "nets", "chain.txt"), []byte(notSorting), 0o644))
	for _, tc := range []struct {
		args []string
		dir  string // relative to the module root
		want string // after regenPrefix
	}{
		{[]string{"-n", "3"}, "generated/oddeven_n3_cauchy_f32",
			"-n 3 -o generated/oddeven_n3_cauchy_f32"},
		{[]string{"-network", "odd_even", "-n", "3", "-swap", "cauchy", "-type", "float32", "-asm=true", "-pkg", "oddeven_n3_cauchy_f32"}, "generated/oddeven_n3_cauchy_f32",
			"-n 3 -o generated/oddeven_n3_cauchy_f32"},
		{[]string{"-n", "4", "-swap", "errorfree", "-base", "cauchy"}, "generated/oddeven_n4_errorfree_cauchy_f32",
			"-n 4 -swap errorfree -o generated/oddeven_n4_errorfree_cauchy_f32"},
		{[]string{"-network", "bitonic", "-n", "8", "-swap", "errorfree", "-base", "logistic", "-type", "float64", "-pkg", "mysort", "-asm=false"}, "generated/mysort",
			"-network bitonic -n 8 -swap errorfree -base logistic -type float64 -pkg mysort -asm=false -o generated/mysort"},
		{[]string{"-in", "../nets/chain.txt", "-n", "4", "-swap", "hard", "-partial", "-o", "../out/k"}, "out/k",
			"-in nets/chain.txt -n 4 -swap hard -partial -o out/k"},
		{[]string{"-network", "splitter_selection", "-n", "20", "-topk", "3", "-type", "float64"}, "generated/splitterselection_n20_top3_cauchy_f64",
			"-network splitter_selection -n 20 -topk 3 -type float64 -o generated/splitterselection_n20_top3_cauchy_f64"},
		{[]string{"-in", "../nets/chain.txt", "-n", "4", "-topk", "2", "-partial", "-asm=false"}, "generated/chain_n4_top2_cauchy_f32",
			"-in nets/chain.txt -n 4 -topk 2 -partial -asm=false -o generated/chain_n4_top2_cauchy_f32"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Chdir(work)
			code, stdout, stderr := invoke(tc.args...)
			require.Equal(t, 0, code, stderr)
			dir := filepath.Join(root, filepath.FromSlash(tc.dir))
			require.Equal(t, dir+"\n", stdout)
			line, from := regenLine(t, dir)
			require.Equal(t, regenPrefix+tc.want, line)
			require.Equal(t, "the root of its module", from)

			before := snapshot(t, dir)
			require.NoError(t, os.RemoveAll(dir))
			t.Chdir(root)
			code, _, stderr = invoke(strings.Fields(strings.TrimPrefix(line, regenPrefix))...)
			require.Equal(t, 0, code, stderr)
			require.Empty(t, changed(before, snapshot(t, dir)))
		})
	}
}

// Outside a module the line is run beside the package, and -o appears
// only where ./PKG is not the directory.
func TestRegenerateCommandOutsideModule(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	code, _, stderr := invoke("-n", "3")
	require.Equal(t, 0, code, stderr)
	line, from := regenLine(t, filepath.Join(root, "oddeven_n3_cauchy_f32"))
	require.Equal(t, regenPrefix+"-n 3", line)
	require.Equal(t, "the directory that holds it", from)

	code, _, stderr = invoke("-n", "3", "-o", "my sort's dir")
	require.Equal(t, 0, code, stderr)
	line, _ = regenLine(t, filepath.Join(root, "my sort's dir"))
	require.Equal(t, regenPrefix+`-n 3 -o 'my sort'\''s dir'`, line)
}
