//go:build ignore

// Command generate writes the test kernels of package vecmathtest (go
// generate in that directory).
package main

import (
	"log"
	"os"

	"github.com/sortgen/sortgen/asm/internal/vecmathtest/gen"
)

func main() {
	files, err := gen.Files()
	if err != nil {
		log.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(name, src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
