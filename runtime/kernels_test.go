package runtime

// The runtime's tests run the checked-in kernels: importing them registers
// them (package registry), as it does in a user's program.
import _ "github.com/sortgen/sortgen/generated"
