package params_test

import (
	"encoding/binary"
	"fmt"

	"github.com/golink/golink/params"
)

// mem is 64 bytes of module memory at 0x1000.
type mem [64]byte

func (m *mem) ReadAt(p []byte, addr uint64) error  { copy(p, m[addr-0x1000:]); return nil }
func (m *mem) WriteAt(p []byte, addr uint64) error { copy(m[addr-0x1000:], p); return nil }

func ExampleApply() {
	ps := []params.Param{
		{Name: "max_loop", Kind: params.Int, Var: params.Ref{Addr: 0x1000}, InParamTable: true},
		{Name: "debug", Kind: params.Bool, OpsFlags: params.KERNEL_PARAM_OPS_FL_NOARG, Var: params.Ref{Addr: 0x1004}, InParamTable: true},
	}
	var m mem
	r, err := params.Apply("loop", "max-loop=0x10 debug nosuch=1 max_loop=1x", ps, &m, nil, nil)
	if err != nil {
		panic(err)
	}
	for _, l := range r.Log {
		fmt.Println(l)
	}
	fmt.Println("max_loop:", binary.LittleEndian.Uint32(m[0:]), "debug:", m[4], "errno:", r.Errno())
	// Output:
	// loop: unknown parameter 'nosuch' ignored
	// loop: `1x' invalid for parameter `max_loop'
	// max_loop: 16 debug: 1 errno: invalid argument
}

func ExampleSplit() {
	args, rest, _ := params.Split(`a=1 "b=x y" c -- d`)
	for _, a := range args {
		fmt.Printf("%q %q %v\n", a.Param, a.Value, a.HasValue)
	}
	fmt.Printf("after --: %q\n", rest)
	// Output:
	// "a" "1" true
	// "b" "x y" true
	// "c" "" false
	// after --: "d"
}
