package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sortgen/sortgen/asm"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// defaultNetwork is diffsort's default: odd-even transposition exists for
// every n, where bitonic's own layout needs a power of two.
const defaultNetwork = "odd_even"

// runGenerate writes a kernel package and prints its directory:
//
//	sortgen [generate] -n N [-network odd_even] [-swap cauchy] [-base B]
//	        [-type float32] [-pkg NAME] [-o DIR] [-partial] [-in FILE]
//	        [-asm=false]
//
// By default the package has the AVX2 assembly for amd64 (package asm)
// next to the portable Go kernels (package gen); -asm=false leaves it out,
// and with it the dependency on golang.org/x/sys.
//
// Bad flags, values or combinations are usage errors (status 2); failing
// to write is status 1.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	var nf networkFlags
	nf.register(fs)
	fs.Lookup("network").DefValue = defaultNetwork // applied below unless -in
	swapName := fs.String("swap", "cauchy", "swap function: "+strings.Join(swapNames(), ", "))
	base := fs.String("base", "", "soft function errorfree differentiates (default cauchy); only with -swap errorfree")
	elemName := fs.String("type", "float32", "element type: float32 or float64")
	pkg := fs.String("pkg", "", "package name (default from the configuration, e.g. oddeven_n32_cauchy_f32)")
	out := fs.String("o", "", "output `DIR` (default ./PKG)")
	partial := fs.Bool("partial", false, "accept a network that does not sort")
	withAsm := fs.Bool("asm", true, "also write the AVX2 assembly for amd64 (imports golang.org/x/sys/cpu); -asm=false writes a pure-Go package")
	if code, done := parseFlags(fs, args, stdout, stderr); done {
		return code
	}
	if nf.name == "" && nf.in == "" {
		nf.name = defaultNetwork
	}
	if nf.n == 0 && nf.in == "" {
		return usageError(stderr, "generate: need -n N (the number of wires)")
	}
	swap, err := plan.ParseSwap(*swapName, *base)
	if err != nil {
		return usageError(stderr, "generate: %s", strings.TrimPrefix(err.Error(), "plan: "))
	}
	elem, err := plan.ParseElem(*elemName)
	if err != nil {
		return usageError(stderr, "generate: %s", strings.TrimPrefix(err.Error(), "plan: "))
	}
	nw, label, err := nf.load()
	if err != nil {
		return usageError(stderr, "generate: %v", err)
	}
	name := label
	if nf.in != "" {
		name = strings.TrimSuffix(label, filepath.Ext(label))
	}
	if err := checkNetwork(nw, *partial); err != nil {
		var notSorting *networks.SortError
		if errors.As(err, &notSorting) {
			return usageError(stderr, "generate: %s: %s (use -partial to generate it anyway)", name, trimPkg(err))
		}
		return usageError(stderr, "generate: %s: %s", name, trimPkg(err))
	}
	p, err := plan.New(name, nw, swap, elem)
	if err != nil {
		return usageError(stderr, "generate: %v", err)
	}
	if *pkg == "" {
		*pkg = gen.PackageName(name, nw.N, swap, elem)
	}
	dir := *out
	if dir == "" {
		dir = "." + string(filepath.Separator) + *pkg
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintf(stderr, "sortgen: generate: %v\n", err)
		return 1
	}
	cmd := gen.Command(p, *pkg)
	if nf.in != "" {
		cmd = strings.Replace(cmd, "-network "+name+" -n "+strconv.Itoa(nw.N), "-in "+nf.in, 1)
	}
	if *partial {
		cmd += " -partial"
	}
	if !*withAsm {
		cmd += " -asm=false"
	}
	files, err := generateFiles(p, gen.Options{Package: *pkg, ImportPath: gen.ImportPath(abs), Asm: *withAsm, Command: cmd})
	if err != nil {
		return usageError(stderr, "generate: %s", strings.TrimPrefix(strings.TrimPrefix(err.Error(), "gen: "), "asm: "))
	}
	if err := writePackage(abs, files); err != nil {
		fmt.Fprintf(stderr, "sortgen: generate: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, abs)
	return 0
}

// generateFiles emits the files of a kernel package: the Go emitter's and,
// with opt.Asm, the assembly emitter's amd64 files next to them.
func generateFiles(p *plan.Plan, opt gen.Options) (map[string][]byte, error) {
	files, err := gen.Generate(p, opt)
	if err != nil || !opt.Asm {
		return files, err
	}
	pkg := opt.Package
	if pkg == "" {
		pkg = gen.PackageName(p.Name, p.N(), p.Swap, p.Elem)
	}
	amd64, err := asm.Generate(p, pkg)
	if err != nil {
		return nil, fmt.Errorf("%w (-asm=false writes a pure-Go package)", err)
	}
	for name, src := range amd64 {
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("both emitters write %s", name)
		}
		files[name] = src
	}
	return files, nil
}

// verified remembers the networks checked in this process: a test that
// runs every line of generated/gen.go checks each network once per element
// type and swap, and the 0-1 check of n = 32 takes about a second.
var verified sync.Map // plan.Fingerprint -> error

func checkNetwork(nw *networks.Network, partial bool) error {
	if partial {
		return networks.Check(nw, true)
	}
	fp := plan.Fingerprint(nw)
	if err, ok := verified.Load(fp); ok {
		err, _ := err.(error)
		return err
	}
	err := networks.Check(nw, false)
	verified.Store(fp, err)
	return err
}

func swapNames() []string {
	names := make([]string, len(plan.Funcs))
	for i, f := range plan.Funcs {
		names[i] = f.String()
	}
	return names
}
