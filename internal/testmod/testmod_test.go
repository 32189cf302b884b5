package testmod

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestModule builds and runs a program that imports a package of the
// repository and one of its dependencies, offline.
func TestModule(t *testing.T) {
	m := New(t, "example.com/tm")
	if m.Path != "example.com/tm" {
		t.Errorf("Path = %q", m.Path)
	}
	m.WriteFiles(t, "cmd/hello", map[string][]byte{
		"main.go": []byte(`package main

import (
	"fmt"

	"golang.org/x/sys/cpu"

	"github.com/sortgen/sortgen/gen/plan"
	"example.com/tm/internal/greet"
)

func main() {
	_ = cpu.X86.HasAVX2
	fmt.Println(greet.Hello, plan.Float64)
}
`)})
	m.Write(t, "internal/greet/greet.go", []byte("package greet\n\nconst Hello = \"hello\"\n"))
	if got := m.Go(t, nil, "run", "./cmd/hello"); got != "hello float64\n" {
		t.Errorf("go run printed %q, want %q", got, "hello float64\n")
	}
	root := Root(t)
	if got := m.Go(t, nil, "list", "-m", "-f", "{{.Replace.Dir}}", RepoPath); got != root+"\n" {
		t.Errorf("the repository is replaced by %q, want %q", got, root)
	}
	if got := m.Go(t, []string{"GOARCH=arm64"}, "env", "GOARCH", "GOPROXY"); got != "arm64\noff\n" {
		t.Errorf("go env printed %q, want GOARCH=arm64 and GOPROXY=off", got)
	}
}

// fakeTB records a failure instead of stopping the test.
type fakeTB struct {
	testing.TB
	failure string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failure = fmt.Sprintf(format, args...)
}

func TestGoFails(t *testing.T) {
	m := New(t, "example.com/broken")
	m.Write(t, "broken.go", []byte("package broken\n\nvar x int = \"not an int\"\n"))
	ft := &fakeTB{TB: t}
	m.Go(ft, nil, "build", ".")
	if !strings.Contains(ft.failure, "go build .") || !strings.Contains(ft.failure, "broken.go:3") {
		t.Errorf("failure message %q lacks the command or the compiler's output", ft.failure)
	}
}

func TestRoot(t *testing.T) {
	root := Root(t)
	want, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if root != want {
		t.Errorf("Root = %q, want %q", root, want)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testmod", "testmod.go")); err != nil {
		t.Error(err)
	}
}

func TestModuleFile(t *testing.T) {
	repo := `module github.com/sortgen/sortgen // the repository

go 1.26.0

require example.com/single v1.0.0

require (
	example.com/b v1.2.0 // indirect
	example.com/a v0.1.0
)

tool (
	example.com/a/cmd/x
)

tool example.com/b/cmd/y
`
	got, err := moduleFile([]byte(repo), "example.com/m", "/src/sortgen")
	if err != nil {
		t.Fatal(err)
	}
	want := `module example.com/m

go 1.26.0

require (
	github.com/sortgen/sortgen v0.0.0
	example.com/a v0.1.0
	example.com/b v1.2.0
	example.com/single v1.0.0
)

replace github.com/sortgen/sortgen => "/src/sortgen"
`
	if string(got) != want {
		t.Errorf("go.mod:\n%s\nwant:\n%s", got, want)
	}
	for _, tc := range []struct{ mod, err string }{
		{"module example.com/other\n\ngo 1.26\n", "not the module github.com/sortgen/sortgen"},
		{"module github.com/sortgen/sortgen\n", "no go line"},
		{"module github.com/sortgen/sortgen\n\ngo 1.26\n\nreplace example.com/a => ../a\n", "replace directives"},
		{"module github.com/sortgen/sortgen\n\ngo 1.26\n\nreplace (\n\texample.com/a => ../a\n)\n", "replace directives"},
	} {
		_, err := moduleFile([]byte(tc.mod), "example.com/m", "/src")
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("moduleFile(%q): error %v, want one containing %q", tc.mod, err, tc.err)
		}
	}
}
