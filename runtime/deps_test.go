package runtime

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The runtime is the sorter, its layer and its losses: the training kit
// (runtime/train) builds on it, never the other way round, and gonum is
// the kit's dependency alone, so a program that only sorts does not link
// it.
func TestRuntimeImportsNoTrainingKit(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "-test", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/sortgen/sortgen/gen/plan", "the listing should hold the runtime's own imports")
	for _, p := range deps {
		require.False(t, p == "github.com/sortgen/sortgen/runtime/train" || strings.HasPrefix(p, "gonum.org/"),
			"runtime depends on %s", p)
	}
}

// A program links the generated kernels it imports, and only those: the
// runtime finds them in the registry, never by importing them, and the
// registry, which every registering kernel package imports, imports
// nothing of this module.
func TestRuntimeImportsNoKernels(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".", "./registry").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/sortgen/sortgen/runtime/registry")
	for _, p := range deps {
		require.False(t, strings.HasPrefix(p, "github.com/sortgen/sortgen/generated"), "runtime depends on %s", p)
	}
	out, err = exec.Command(goCmd, "list", "-deps", "./registry").Output()
	require.NoError(t, err)
	for _, p := range strings.Fields(string(out)) {
		require.False(t, p != "github.com/sortgen/sortgen/runtime/registry" && strings.Contains(p, "."),
			"the registry depends on %s, not only the standard library", p)
	}
}
