package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/emit"
	"github.com/sortgen/sortgen/gen/plan"
	"github.com/sortgen/sortgen/networks"
)

// defaultNetwork is diffsort's default: odd-even transposition exists for
// every n, where bitonic's own layout needs a power of two.
const defaultNetwork = "odd_even"

// The defaults of -swap and -type.
const (
	defaultSwap = "cauchy"
	defaultElem = "float32"
)

// runGenerate writes a kernel package and prints its directory:
//
//	sortgen [generate] -n N [-network odd_even] [-topk K] [-swap cauchy]
//	        [-base B] [-type float32] [-pkg NAME] [-o DIR] [-partial]
//	        [-in FILE] [-asm=false] [-unroll auto|always|never] [-register]
//
// With -topk K the package is a top-k package (plan.NewTopK): the network
// pruned to the comparators its last K outputs depend on, verified to
// select the K largest in order, with ForwardTopK and BackwardTopK beside
// the sorting entry points; -network splitter_selection needs it.
//
// By default the package has the AVX2 assembly for amd64 (package asm)
// next to the portable Go kernels (package gen); -asm=false leaves it out,
// and with it the dependency on golang.org/x/sys. With -register the
// package registers itself with the runtime when imported (it then imports
// runtime/registry of this module, and must be generated inside a module,
// whose import path names it); without, it stays standalone.
//
// A package already in the output directory is replaced as a whole
// (writePackage): a failed run leaves it as it was, and files sortgen did
// not write stay. doc.go gives the command that regenerates the package
// (regenCommand).
//
// Bad flags, values or combinations are usage errors (status 2); failing
// to write is status 1.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	var nf networkFlags
	nf.register(fs)
	fs.Lookup("network").DefValue = defaultNetwork // applied below unless -in
	var topK topKFlag
	topK.register(fs, "; the package is then a top-k package, with ForwardTopK and BackwardTopK (the top K values and X = P[:, n-K:])")
	swapName := fs.String("swap", defaultSwap, "swap function: "+strings.Join(swapNames(), ", "))
	base := fs.String("base", "", "soft function errorfree differentiates (default cauchy); only with -swap errorfree")
	elemName := fs.String("type", defaultElem, "element type: float32 or float64")
	pkg := fs.String("pkg", "", "package name (default from the configuration, e.g. oddeven_n32_cauchy_f32)")
	out := fs.String("o", "", "output `DIR` (default ./PKG)")
	partial := fs.Bool("partial", false, "accept a network that does not sort")
	unrollName := fs.String("unroll", "auto", "portable kernels: auto (unroll small networks, loop over a comparator table above gen.UnrollBudget), always or never")
	withAsm := fs.Bool("asm", true, "also write the AVX2 assembly for amd64 (imports golang.org/x/sys/cpu); -asm=false writes a pure-Go package")
	register := fs.Bool("register", false, "register the kernels with sortgen's runtime when the package is imported (imports "+gen.RegistryPath+"; the output must be inside a module)")
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
	unroll, err := gen.ParseUnroll(*unrollName)
	if err != nil {
		return usageError(stderr, "generate: %s", strings.TrimPrefix(err.Error(), "gen: "))
	}
	if topK < 0 {
		return usageError(stderr, "generate: -topk must be positive (got %d; 0 or no -topk generates a sorting package)", topK)
	}
	nw, label, err := nf.load()
	if err != nil {
		return usageError(stderr, "generate: %v", err)
	}
	name := label
	if nf.in != "" {
		name = strings.TrimSuffix(label, filepath.Ext(label))
	}
	if topK > 0 && int(topK) >= nw.N {
		return usageError(stderr, "generate: -topk must be below n = %d (got %d)", nw.N, topK)
	}
	var p *plan.Plan
	if topK == 0 {
		if err := checkNetwork(nw, *partial); err != nil {
			var notSorting *networks.SortError
			if errors.As(err, &notSorting) {
				return usageError(stderr, "generate: %s: %s (use -partial to generate it anyway)", name, trimPkg(err))
			}
			return usageError(stderr, "generate: %s: %s", name, trimPkg(err))
		}
		p, err = plan.New(name, nw, swap, elem)
	} else {
		p, err = plan.NewTopK(name, nw, int(topK), swap, elem)
		if err == nil {
			err = checkTopK(p.Network, int(topK), *partial)
			if err != nil {
				return usageError(stderr, "generate: %s top-%d: %s", name, topK, strings.TrimPrefix(trimPkg(err), "plan: "))
			}
		}
	}
	if err != nil {
		return usageError(stderr, "generate: %s", strings.TrimPrefix(trimPkg(err), "plan: "))
	}
	if *pkg == "" {
		*pkg = gen.PlanPackageName(p)
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
	importPath := gen.ImportPath(abs)
	if *register && importPath == "" {
		return usageError(stderr, "generate: -register: %s is not inside a module, so the package has no import path to register under", abs)
	}
	cmd := regenCommand(nf, p, *pkg, abs, importPath != "", *partial, *withAsm, *register, unroll)
	files, err := emit.Package(p, gen.Options{Package: *pkg, ImportPath: importPath, Asm: *withAsm, Unroll: unroll, Command: cmd, Register: *register})
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

// regenCommand is the command line doc.go gives for regenerating the
// package in dir: run from the module root (outside a module, from the
// directory that holds the package) it writes the identical package. It
// names only the flags that differ from their defaults, and -o.
func regenCommand(nf networkFlags, p *plan.Plan, pkg, dir string, inModule, partial, withAsm, register bool, unroll gen.Unroll) string {
	from := filepath.Dir(dir)
	if inModule {
		from = moduleRoot(dir)
	}
	args := []string{"go", "run", "github.com/sortgen/sortgen/cmd/sortgen"}
	add := func(a ...string) { args = append(args, a...) }
	if nf.in != "" {
		add("-in", pathFrom(from, nf.in))
		if nf.n != 0 {
			add("-n", strconv.Itoa(nf.n))
		}
	} else {
		if nf.name != defaultNetwork {
			add("-network", nf.name)
		}
		add("-n", strconv.Itoa(p.N()))
	}
	if p.TopK > 0 {
		add("-topk", strconv.Itoa(p.TopK))
	}
	if sw := p.Swap.Func.String(); sw != defaultSwap {
		add("-swap", sw)
	}
	if p.Swap.Func == plan.ErrorFree && p.Swap.Base != plan.DefaultErrorFreeBase {
		add("-base", p.Swap.Base.String())
	}
	if e := p.Elem.String(); e != defaultElem {
		add("-type", e)
	}
	if pkg != gen.PlanPackageName(p) {
		add("-pkg", pkg)
	}
	if partial {
		add("-partial")
	}
	if !withAsm {
		add("-asm=false")
	}
	if unroll != gen.UnrollAuto {
		add("-unroll", unroll.String())
	}
	if register {
		add("-register")
	}
	// Outside a module the default ./PKG may be the directory already.
	if out := pathFrom(from, dir); inModule || out != pkg {
		add("-o", out)
	}
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// moduleRoot is the nearest directory at or above dir with a go.mod.
func moduleRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if info, err := os.Stat(filepath.Join(d, "go.mod")); err == nil && info.Mode().IsRegular() {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// pathFrom is path relative to dir, with forward slashes, or absolute when
// it is not below dir.
func pathFrom(dir, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// verified remembers the networks checked in this process: a test that
// runs every line of generated/gen.go checks each network once per element
// type and swap, and the 0-1 check of n = 32 takes about a second.
var verified sync.Map // plan.Fingerprint (and k for top-k) -> error

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

// checkTopK verifies that the pruned network sel selects the k largest in
// order (once per network and k in a process, as checkNetwork), unless
// partial.
func checkTopK(sel *networks.Network, k int, partial bool) error {
	if partial {
		return nil
	}
	type topKKey struct {
		fp uint64
		k  int
	}
	key := topKKey{plan.Fingerprint(sel), k}
	if err, ok := verified.Load(key); ok {
		err, _ := err.(error)
		return err
	}
	v, err := networks.VerifyTopK(sel, k)
	var notSelecting *networks.SortError
	if (err == nil && !v.Sorts) || errors.As(err, &notSelecting) {
		err = fmt.Errorf("does not select the %d largest in order: input %v comes out wrong (%v check; use -partial to generate it anyway)", k, v.Counterexample, v.Method)
	}
	verified.Store(key, err)
	return err
}

func swapNames() []string {
	names := make([]string, len(plan.Funcs))
	for i, f := range plan.Funcs {
		names[i] = f.String()
	}
	return names
}
