package params_test

import (
	"os"
	"testing"

	gelf "github.com/golink/golink/elf"
	"github.com/golink/golink/params"
)

// FuzzDecode: params.Decode on damaged objects (that the ELF reader
// accepts) returns an error or parameters, never a panic.
func FuzzDecode(f *testing.F) {
	data, err := os.ReadFile("../testdata/params/demo.o")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := gelf.Decode("fuzz.o", data)
		if err != nil {
			return
		}
		if ps, err := params.Decode(obj); err == nil {
			params.Merge(ps, nil)
		}
	})
}
