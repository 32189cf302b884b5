// Command mkindex writes index.go, which registers every kernel package
// below the working directory (package generated) so that the runtime can
// find them. go generate runs it after the sortgen lines in gen.go.
package main

import (
	"fmt"
	"os"

	"github.com/sortgen/sortgen/gen"
)

func main() {
	importPath := gen.ImportPath(".")
	if importPath == "" {
		fmt.Fprintln(os.Stderr, "mkindex: the working directory is not in a module")
		os.Exit(1)
	}
	src, err := gen.Index(".", "generated", importPath)
	if err == nil {
		err = os.WriteFile("index.go", src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkindex:", err)
		os.Exit(1)
	}
}
