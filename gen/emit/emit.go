// Package emit writes whole kernel packages: it is the one place where the
// Go renderer (package gen: the portable kernels, the entry points, the
// documentation and the test) and the AVX2 renderer (package asm: the
// amd64 assembly, its stubs and its dispatch) are put together. The CLI
// (and through it go generate), the kernel tests and sortgen check all
// emit through Package.
package emit

import (
	"fmt"

	"github.com/sortgen/sortgen/asm"
	"github.com/sortgen/sortgen/gen"
	"github.com/sortgen/sortgen/gen/plan"
)

// Package emits the files of the kernel package for p, file name to
// content: the Go renderer's and, with opt.Asm, the AVX2 renderer's amd64
// files beside them.
func Package(p *plan.Plan, opt gen.Options) (map[string][]byte, error) {
	files, err := gen.Generate(p, opt)
	if err != nil || !opt.Asm {
		return files, err
	}
	pkg := opt.Package
	if pkg == "" {
		pkg = gen.PlanPackageName(p)
	}
	amd64, err := asm.Generate(p, pkg)
	if err != nil {
		return nil, fmt.Errorf("%w (-asm=false writes a pure-Go package)", err)
	}
	for name, src := range amd64 {
		if _, dup := files[name]; dup {
			return nil, fmt.Errorf("emit: both renderers write %s", name)
		}
		files[name] = src
	}
	return files, nil
}
