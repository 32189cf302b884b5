package main

import "io"

func runDraw(args []string, stdout, stderr io.Writer) int {
	return usageError(stderr, "draw: not implemented yet")
}
