package main

import "io"

func runGenerate(args []string, stdout, stderr io.Writer) int {
	return usageError(stderr, "generate: not implemented yet")
}
