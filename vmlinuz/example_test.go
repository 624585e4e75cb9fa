package vmlinuz_test

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"

	"github.com/golink/golink/vmlinuz"
)

func ExampleVmlinux() {
	home, _ := os.UserHomeDir()
	data, err := os.ReadFile(filepath.Join(home, ".cache/golink/corpus/6.1.0-47-amd64/vmlinuz"))
	if err != nil {
		fmt.Println("run scripts/corpus.sh 6.1.0-47-amd64")
		return
	}
	vmlinux, err := vmlinuz.Vmlinux(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := elf.NewFile(bytes.NewReader(vmlinux))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Class, f.Type, f.Machine)
	// Output: ELFCLASS64 ET_EXEC EM_X86_64
}
