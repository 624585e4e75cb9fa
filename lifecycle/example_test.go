package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/golink/golink/lifecycle"
)

// A module's life, with an executor that runs Go functions in place of
// machine code (package host runs the real thing): load with parameters,
// call through the guard, find removal refused while a reference is held,
// remove.
func Example() {
	e, err := newFakeExec(helloFuncs())
	if err != nil {
		log.Fatal(err)
	}
	k := e.k
	image, err := os.ReadFile("../testdata/x86_64/hello.ko")
	if err != nil {
		log.Fatal(err)
	}
	m, err := k.Load(image, "count=1 who=example")
	if err != nil {
		log.Fatal(err)
	}
	who, _ := m.ParamValue("who")
	fmt.Println(m.Name, m.State(), "who="+who)

	add, err := m.Func("hello_add")
	if err != nil {
		log.Fatal(err)
	}
	sum, err := add.Call(40, 2) // try_module_get, call, module_put
	fmt.Println("hello_add(40, 2) =", sum, err)

	m.TryGet() // a reference held elsewhere
	err = k.Remove(context.Background(), "hello", lifecycle.NonBlock)
	fmt.Println(err)
	m.Put()
	fmt.Println(k.Remove(context.Background(), "hello", lifecycle.NonBlock), m.State())

	_, err = add.Call(1, 1) // a pointer into a module that is gone
	var nl *lifecycle.NotLiveError
	fmt.Println(errors.As(err, &nl), err)
	// The log: the module is out of tree, unsigned and without symbol
	// versions, which the kernel says once; then what it printed.
	for _, r := range k.Log().Records() {
		fmt.Println(r)
	}
	// Output:
	// hello live who=example
	// hello_add(40, 2) = 42 <nil>
	// Module hello is in use (refcount 1)
	// <nil> unformed
	// true hello: cannot call hello_add: module is unformed
	// <4>hello: module_layout: kernel tainted.
	// <4>hello: loading out-of-tree module taints kernel.
	// <4>hello: module verification failed: signature and/or required key missing - tainting kernel
	// <6>hello, world (1 of 1, level 1)
	// <6>goodbye, world: total 0
}
