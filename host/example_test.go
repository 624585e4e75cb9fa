//go:build linux && amd64 && cgo

package host_test

import (
	"context"
	"fmt"
	"log"

	"github.com/golink/golink/host"
	"github.com/golink/golink/lifecycle"
)

// Run a kernel module's machine code in this process: hello.ko, built
// with the kernel's flags, with typed parameters.
func Example() {
	k, err := host.NewKernel()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := k.LoadFile("../testdata/x86_64/hello.ko", "count=2 who=gopher levels=7,8"); err != nil {
		log.Fatal(err)
	}
	sum, err := k.Call("hello_add", 40, 2)
	fmt.Println("hello_add(40, 2) =", sum, err)
	if err := k.Remove(context.Background(), "hello", lifecycle.NonBlock); err != nil {
		log.Fatal(err)
	}
	for _, r := range k.Log().Records() {
		fmt.Println(r)
	}
	// Output:
	// hello_add(40, 2) = 42 <nil>
	// <4>hello: loading out-of-tree module taints kernel.
	// <4>hello: module verification failed: signature and/or required key missing - tainting kernel
	// <6>hello, gopher (1 of 2, level 7)
	// <6>hello, gopher (2 of 2, level 8)
	// <6>goodbye, gopher: total 42
}
