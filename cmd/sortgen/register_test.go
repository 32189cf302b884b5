package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sortgen/sortgen/internal/testmod"
)

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
	m := testmod.New(t, "example.com/user")
	dir := m.Dir
	m.Write(t, "main.go", []byte(backendProgram))
	for _, p := range strings.Fields(m.Go(t, nil, "list", "-deps", ".")) {
		require.False(t, strings.HasPrefix(p, "github.com/sortgen/sortgen/generated"), "a program importing the runtime links %s", p)
	}
	require.Equal(t, "interpreter\n", m.Go(t, nil, "run", "."))

	t.Chdir(dir)
	code, _, stderr := invoke("-register", "-n", "24", "-network", "bitonic", "-swap", "cauchy", "-o", "kernels/sort24")
	require.Equal(t, 0, code, stderr)
	prog := strings.Replace(backendProgram, "// IMPORTS", `_ "example.com/user/kernels/sort24"`, 1)
	m.Write(t, "main.go", []byte(prog))
	got := strings.TrimSpace(m.Go(t, nil, "run", "."))
	require.Regexp(t, `^generated/(avx512|avx2|go) example.com/user/kernels/sort24$`, got)
	m.Go(t, nil, "vet", "./...")
	out := m.Go(t, nil, "test", "-short", "./kernels/sort24")
	require.Contains(t, out, "ok")
	// The registration test ran, and the package names its registry import.
	out = m.Go(t, nil, "test", "-short", "-run", "TestRegistered", "-v", "./kernels/sort24")
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
