package main

import "io"

func runNetworks(args []string, stdout, stderr io.Writer) int {
	return usageError(stderr, "networks: not implemented yet")
}
