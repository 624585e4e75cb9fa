package modversions_test

import (
	"fmt"

	"github.com/golink/golink/modversions"
)

func ExampleVersions_Check() {
	// What a module built against Debian's 6.1.0-47-amd64 declares.
	v := &modversions.Versions{HasBasic: true, Basic: []modversions.Version{
		{Name: "module_layout", CRC: 0x160c03af},
		{Name: "_printk", CRC: 0x92997ed8},
	}}
	// The PREEMPT_RT build exports _printk with another CRC.
	verdict, err := v.Check("dummy", "_printk", 0x12345678, true)
	fmt.Println(verdict, err)
	verdict, _ = v.Check("dummy", "msleep", 0xf9a482f9, true)
	fmt.Println(verdict, v.Message(verdict, "dummy", "msleep"))
	// Output:
	// Disagrees dummy: disagrees about version of symbol _printk
	// NoSymbolVersion dummy: no symbol version for msleep
}

func ExampleSameMagic() {
	k := "6.1.0-47-amd64 SMP preempt mod_unload modversions "
	fmt.Println(modversions.SameMagic("6.1.0-40-amd64 SMP preempt mod_unload modversions ", k, true))
	fmt.Println(modversions.SameMagic("6.1.0-47-rt-amd64 SMP preempt_rt mod_unload modversions ", k, true))
	// Output:
	// true
	// false
}
