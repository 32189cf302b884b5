package main

import "io"

func runCheck(args []string, stdout, stderr io.Writer) int {
	return usageError(stderr, "check: not implemented yet")
}
