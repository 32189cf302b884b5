package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// userModule makes a module that requires this one (replaced by the
// repository, with its go.sum, so that the build stays offline).
func userModule(t *testing.T, path string) string {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dir := t.TempDir()
	mod := "module " + path + "\n\ngo 1.26.0\n\nrequire github.com/sortgen/sortgen v0.0.0\n\nreplace github.com/sortgen/sortgen => " + repo + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644))
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	return dir
}

const backendProgram = `package main

import (
	"fmt"
	"os"

	"github.com/sortgen/sortgen/runtime"
	// IMPORTS
)

func main() {
	s, err := runtime.New[float32](runtime.Config{Network: "bitonic", N: 24, Swap: "cauchy", Steepness: 10})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(s.Backend())
}
`

// The promise to a user: a program that imports the runtime links
// no generated package, and a package the user generates with -register
// is what runtime.New runs for its configuration once it is imported.
func TestRegisterInUserModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a user module")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	dir := userModule(t, "example.com/user")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(backendProgram), 0o644))
	goCmd(t, dir, "mod", "tidy")
	for _, p := range strings.Fields(goCmd(t, dir, "list", "-deps", ".")) {
		require.False(t, strings.HasPrefix(p, "github.com/sortgen/sortgen/generated"), "a program importing the runtime links %s", p)
	}
	require.Equal(t, "interpreter\n", goCmd(t, dir, "run", "."))

	t.Chdir(dir)
	code, _, stderr := invoke("-register", "-n", "24", "-network", "bitonic", "-swap", "cauchy", "-o", "kernels/sort24")
	require.Equal(t, 0, code, stderr)
	prog := strings.Replace(backendProgram, "// IMPORTS", `_ "example.com/user/kernels/sort24"`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(prog), 0o644))
	goCmd(t, dir, "mod", "tidy")
	got := strings.TrimSpace(goCmd(t, dir, "run", "."))
	require.Regexp(t, `^generated/(avx2|go) example.com/user/kernels/sort24$`, got)
	goCmd(t, dir, "vet", "./...")
	out := goCmd(t, dir, "test", "-short", "./kernels/sort24")
	require.Contains(t, out, "ok")
	// The registration test ran, and the package names its registry import.
	out = goCmd(t, dir, "test", "-short", "-run", "TestRegistered", "-v", "./kernels/sort24")
	require.Contains(t, out, "--- PASS: TestRegistered")
	doc, err := os.ReadFile(filepath.Join(dir, "kernels", "sort24", "doc.go"))
	require.NoError(t, err)
	require.Contains(t, string(doc), "-register -o kernels/sort24")
	require.Contains(t, string(doc), `import _ "example.com/user/kernels/sort24"`)
}

func TestRegisterOutsideModule(t *testing.T) {
	t.Chdir(t.TempDir())
	code, _, stderr := invoke("-register", "-n", "4")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "-register")
	require.Contains(t, stderr, "not inside a module")
	_, err := os.Stat("oddeven_n4_cauchy_f32")
	require.ErrorIs(t, err, os.ErrNotExist, "nothing is written")
}
