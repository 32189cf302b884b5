package avx2

import (
	"bytes"
	"errors"
	"fmt"
	"go/format"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/buildtags"
	"github.com/mmcloughlin/avo/printer"
)

// Assemble compiles the functions built in ctx (Compile) and prints them
// for package pkg: the Go assembly and the Go declarations of its
// functions (gofmt-ed), both built only without the purego tag, each
// starting with the line header. Every generator of AVX2 code in the
// module goes through it, so they all share one register allocator and
// one file layout.
func Assemble(ctx *build.Context, pkg, header string) (asm, stubs []byte, err error) {
	c, err := buildtags.ParseConstraint("!purego")
	if err != nil {
		return nil, nil, err
	}
	ctx.Constraint(c)
	f, err := ctx.Result()
	if err != nil {
		return nil, nil, err
	}
	if err := Compile(f); err != nil {
		return nil, nil, err
	}
	cfg := printer.Config{Pkg: pkg}
	if asm, err = printer.NewGoAsm(cfg).Print(f); err != nil {
		return nil, nil, err
	}
	if stubs, err = printer.NewStubs(cfg).Print(f); err != nil {
		return nil, nil, err
	}
	if stubs, err = format.Source(stubs); err != nil {
		return nil, nil, fmt.Errorf("avx2: stubs: %w", err)
	}
	if asm, err = retitle(asm, header); err != nil {
		return nil, nil, err
	}
	stubs, err = retitle(stubs, header)
	return asm, stubs, err
}

// retitle replaces avo's first line, its "Code generated" comment, by
// header.
func retitle(src []byte, header string) ([]byte, error) {
	nl := bytes.IndexByte(src, '\n')
	if nl < 0 || !bytes.HasPrefix(src, []byte("// Code generated")) {
		return nil, errors.New("avx2: unexpected avo output header")
	}
	return append([]byte(header), src[nl:]...), nil
}
