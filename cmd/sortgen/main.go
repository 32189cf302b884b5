// Command sortgen compiles sorting networks into specialised differentiable
// sorting kernels, and inspects, draws and checks networks.
//
//	sortgen -n 32 -swap errorfree [-base cauchy] [-network bitonic] [-type float32] [-pkg NAME] [-o DIR] [-asm=false]
//	sortgen networks -n N -network NAME [-json] | -in FILE
//	sortgen draw -n N -network NAME -o net.svg | -in FILE -o net.svg
//	sortgen check FILE.json
//
// Usage errors print one line and exit with status 2.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "networks":
			return runNetworks(args[1:], stdout, stderr)
		case "draw":
			return runDraw(args[1:], stdout, stderr)
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "generate":
			return runGenerate(args[1:], stdout, stderr)
		}
	}
	return runGenerate(args, stdout, stderr)
}

// usageError prints a one-line error and returns exit status 2.
func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "sortgen: "+format+"\n", a...)
	return 2
}
