// Command sortgen compiles sorting networks into specialised differentiable
// sorting kernels, and inspects, draws and checks networks.
//
//	sortgen -n 32 -swap errorfree [-base cauchy] [-network bitonic] [-type float32] [-pkg NAME] [-o DIR] [-asm=false]
//	sortgen networks -n N -network NAME [-json] | -in FILE
//	sortgen draw -n N -network NAME -o net.svg | -in FILE -o net.svg
//	sortgen check FILE.json
//	sortgen help [COMMAND]
//
// Usage errors print one line and exit with status 2.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// A command is a subcommand of sortgen.
type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

// commands are listed by sortgen help in this order.
var commands = []command{
	{"generate", "write a kernel package for a network, swap function and element type (the default)", runGenerate},
	{"networks", "report a network's size and depth and verify it, or convert its file format", runNetworks},
	{"draw", "draw a network as an SVG diagram", runDraw},
	{"check", "run every backend on a reference file and compare them", runCheck},
}

// run dispatches to a subcommand and returns the exit status. Flags
// without a command are generate's, as in sortgen -n 32 -swap errorfree.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && !isHelpFlag(args[0]) {
		return runGenerate(args, stdout, stderr)
	}
	if isHelpFlag(args[0]) || args[0] == "help" {
		return runHelp(args[1:], stdout, stderr)
	}
	if c := lookup(args[0]); c != nil {
		return c.run(args[1:], stdout, stderr)
	}
	return unknownCommand(stderr, args[0])
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

func lookup(name string) *command {
	for i := range commands {
		if commands[i].name == name {
			return &commands[i]
		}
	}
	return nil
}

func unknownCommand(stderr io.Writer, name string) int {
	return usageError(stderr, "unknown command %q (commands: %s; sortgen help lists them)", name, strings.Join(commandNames(), ", "))
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

// runHelp prints the list of commands, or with a command name that
// command's flags.
func runHelp(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) > 1:
		return usageError(stderr, "help: unexpected argument %q (sortgen help [COMMAND])", args[1])
	case len(args) == 1 && args[0] != "help":
		c := lookup(args[0])
		if c == nil {
			return unknownCommand(stderr, args[0])
		}
		return c.run([]string{"-h"}, stdout, stderr)
	}
	fmt.Fprint(stdout, "sortgen compiles sorting networks into differentiable sorting kernels.\n\n")
	fmt.Fprint(stdout, "usage: sortgen COMMAND [flags]\n       sortgen [flags]    (generate)\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(stdout, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(stdout, "  %-9s %s\n", "help", "list the commands, or show one command's flags: sortgen help COMMAND")
	return 0
}

// usageError prints a one-line error and returns exit status 2.
func usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "sortgen: "+format+"\n", a...)
	return 2
}
