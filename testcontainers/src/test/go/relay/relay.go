// Command relay copies the FIFO named by its first argument to the FIFO named
// by its second, byte for byte, until the first one's writer closes it. It is
// the sidecar of testcontainers/README.md's example (ReadmeExampleTest builds
// it with CGO_ENABLED=0 into an image that holds nothing else). It knows
// nothing of fifochan: a fifochan stream passes through any byte copier.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: relay IN OUT")
		os.Exit(2)
	}
	in, err := os.Open(os.Args[1]) // waits for a writer
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
	out, err := os.OpenFile(os.Args[2], os.O_WRONLY, 0) // waits for a reader
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
	n, err := io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relay:", err)
		os.Exit(1)
	}
	fmt.Printf("relayed %d bytes\n", n)
}
