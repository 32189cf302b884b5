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
