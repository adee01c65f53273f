// Command materialize builds a fixture root for bench/run.sh:
//
//	go run ./bench/materialize CASE DIR
package main

import (
	"fmt"
	"os"

	"github.com/ztscan/ztscan/internal/fixture"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: materialize CASE DIR")
		os.Exit(2)
	}
	if err := fixture.Materialize("fixtures/images", os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
