// Package vecmathtest runs the vector-math emitters of package asm: its
// assembly (kernels_amd64.s, with the stubs kernels_amd64.go) is generated
// by package gen from vecmath.Math, and its tests measure the routines against
// package math and plan.Alpha over the whole input range, and check that
// regenerating gives the checked-in files.
package vecmathtest

//go:generate go run generate.go
