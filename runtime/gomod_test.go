package runtime

import (
	"go/version"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The go line of go.mod is the lowest its dependencies allow: every module
// that requires this one gets at least this go line, so a higher one (the
// patch release of the toolchain, say) would force an upgrade on users.
func TestGoLineIsTheFloor(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goCmd, "list", "-m", "-f", "{{.Main}} {{.Path}} {{.GoVersion}}", "all").Output()
	require.NoError(t, err)
	var declared, floor string
	var by []string
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue // a module without a go line
		}
		v := "go" + f[2]
		if f[0] == "true" {
			declared = v
			continue
		}
		switch c := version.Compare(v, floor); {
		case c > 0:
			floor, by = v, []string{f[1]}
		case c == 0:
			by = append(by, f[1])
		}
	}
	require.NotEmpty(t, declared, "no main module in:\n%s", out)
	require.Equal(t, floor, declared, "go.mod declares %s, but the highest go line of a dependency is %s (%s)", declared, floor, strings.Join(by, ", "))
}
