package networks

import "fmt"

// bitonicAny is a placeholder until the padded all-ascending construction lands.
func bitonicAny(n int) (*Network, error) {
	return nil, fmt.Errorf("networks: bitonic for n=%d not implemented yet", n)
}
