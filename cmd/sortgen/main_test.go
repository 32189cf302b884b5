package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The top-level help names every command, one line each, however it is
// asked for.
func TestHelpListsCommands(t *testing.T) {
	want := []string{"generate", "networks", "draw", "check", "help"}
	for _, args := range [][]string{{"help"}, {"-h"}, {"-help"}, {"--help"}, {"help", "help"}} {
		code, stdout, stderr := invoke(args...)
		require.Equal(t, 0, code, "%q: %s", args, stderr)
		require.Empty(t, stderr)
		_, list, ok := strings.Cut(stdout, "\ncommands:\n")
		require.True(t, ok, stdout)
		var listed []string
		for _, line := range strings.Split(list, "\n") {
			if f := strings.Fields(line); strings.HasPrefix(line, "  ") && len(f) > 1 {
				listed = append(listed, f[0])
			}
		}
		require.Equal(t, want, listed, "%q:\n%s", args, stdout)
	}
}

// sortgen help CMD shows that command's own flags.
func TestHelpCommand(t *testing.T) {
	for cmd, flag := range map[string]string{"generate": "-swap", "networks": "-print", "draw": "-o FILE", "check": "-fly"} {
		code, stdout, stderr := invoke("help", cmd)
		require.Equal(t, 0, code, stderr)
		require.True(t, strings.HasPrefix(stdout, "usage: sortgen "+cmd), "%s:\n%s", cmd, stdout)
		require.Contains(t, stdout, "  "+flag, cmd)
		_, same, _ := invoke(cmd, "-h")
		require.Equal(t, same, stdout, "help %s is %s -h", cmd, cmd)
	}
}

func TestUnknownCommand(t *testing.T) {
	for _, args := range [][]string{{"foo"}, {"foo", "-n", "8"}, {"help", "foo"}} {
		code, stdout, stderr := invoke(args...)
		require.Equal(t, 2, code, "%q", args)
		require.Empty(t, stdout)
		require.True(t, strings.HasPrefix(stderr, `sortgen: unknown command "foo"`), stderr)
		require.Contains(t, stderr, "sortgen help")
		require.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	}
	code, _, stderr := invoke("help", "draw", "extra")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `unexpected argument "extra"`)
}

// Flags without a command still generate.
func TestFlagsMeanGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "k")
	code, stdout, stderr := invoke("-n", "8", "-swap", "errorfree", "-o", dir)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, dir+"\n", stdout)
	require.FileExists(t, filepath.Join(dir, "swap.go"))
	// After the flags, a word is an argument, not a command.
	code, _, stderr = invoke("-n", "8", "networks")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `generate: unexpected argument "networks"`)
}

// The generator never depends on its output: a broken checked-in kernel
// package must not stop sortgen from building and regenerating it.
func TestSortgenImportsNoGeneratedPackage(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/sortgen/sortgen/gen")
	for _, p := range deps {
		require.False(t, strings.HasPrefix(p, "github.com/sortgen/sortgen/generated"), "sortgen depends on %s", p)
	}
}
