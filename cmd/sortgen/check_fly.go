package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/emit"
	"github.com/sortgen/sortgen/gen/plan"
)

// A flyModule is the temporary module of the kernel packages a check
// generates on the fly, one per distinct plan, and of the program that
// runs them.
type flyModule struct {
	dir string
	// withAsm: the packages carry their AVX2 assembly, which needs
	// golang.org/x/sys from the local module cache at the version sortgen
	// was built with; else they are pure Go.
	withAsm bool
	byKey   map[string]*flyPackage
	pkgs    []*flyPackage // in the order they were added
}

type flyPackage struct {
	Name, Path     string
	Differentiable bool
}

func newFlyModule() (*flyModule, error) {
	dir, err := os.MkdirTemp("", "sortgen-check-")
	if err != nil {
		return nil, err
	}
	sysVersion := moduleVersion("golang.org/x/sys")
	gomod := "module sortgencheck\n\ngo 1.22\n"
	if sysVersion != "" {
		gomod += "\nrequire golang.org/x/sys " + sysVersion + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &flyModule{dir: dir, withAsm: sysVersion != "", byKey: map[string]*flyPackage{}}, nil
}

func (m *flyModule) remove() { os.RemoveAll(m.dir) }

// kernel returns the package of p, generating it the first time.
func (m *flyModule) kernel(p *plan.Plan) (*flyPackage, error) {
	key := fmt.Sprintf("%x/%d/%v/%v", p.Fingerprint(), p.TopK, p.Swap, p.Elem)
	if fp, ok := m.byKey[key]; ok {
		return fp, nil
	}
	name := fmt.Sprintf("k%d", len(m.pkgs))
	files, err := emit.Package(p, gen.Options{Package: name, Asm: m.withAsm})
	if err != nil {
		return nil, err
	}
	for f := range files {
		if strings.HasSuffix(f, "_test.go") {
			delete(files, f) // only the program is built
		}
	}
	if err := gen.WriteDir(filepath.Join(m.dir, name), files); err != nil {
		return nil, err
	}
	fp := &flyPackage{Name: name, Path: "sortgencheck/" + name, Differentiable: p.Swap.Differentiable()}
	m.byKey[key] = fp
	m.pkgs = append(m.pkgs, fp)
	return fp, nil
}

// flyKernelSets are the runs of every request: with the package's AVX-512
// and AVX2 kernels (each skipped where it cannot run them) and with its
// portable ones.
var flyKernelSets = []struct {
	level   string
	backend string
}{{"avx512", "on-the-fly/avx512"}, {"avx2", "on-the-fly/avx2"}, {"go", "on-the-fly/go"}}

// runFly writes the program main (a template over the packages) into the
// module, runs it with the requests as JSON on stdin and decodes one
// response per request from its stdout.
func runFly[Req, Resp any](m *flyModule, main *template.Template, reqs []Req) ([]Resp, error) {
	var src bytes.Buffer
	if err := main.Execute(&src, m.pkgs); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(m.dir, "main.go"), src.Bytes(), 0o644); err != nil {
		return nil, err
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY="+localProxy(), "GOSUMDB=off")
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go run: %v: %s", err, strings.TrimSpace(errb.String()))
	}
	var resps []Resp
	if err := json.Unmarshal(out.Bytes(), &resps); err != nil || len(resps) != len(reqs) {
		return nil, fmt.Errorf("unexpected output of the generated program (%v)", err)
	}
	return resps, nil
}

// flyMainFunc ends every on-the-fly program: it decodes the requests on
// stdin, runs each with the program's run and encodes the responses.
const flyMainFunc = `func main() {
	var reqs []request
	if err := json.NewDecoder(os.Stdin).Decode(&reqs); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	out := make([]response, len(reqs))
	for i, r := range reqs {
		out[i] = run(r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
`
