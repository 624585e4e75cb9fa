package linked

import (
	"github.com/golink/golink/params"
)

// InModule reports whether addr is in the module's core or init region.
func (f *File) InModule(addr uint64) bool { return f.Core.Contains(addr) || f.Init.Contains(addr) }

// Params decodes the module's __param table from its relocated memory
// (params.DecodeMemory) and merges .modinfo's parmtype= and parm=.
func (f *File) Params() ([]params.Param, error) {
	var ps []params.Param
	if s := f.Section("__param"); s != nil {
		var err error
		if ps, err = params.DecodeMemory(f, s.Addr, int(s.Size/params.KernelParamSize)); err != nil {
			return nil, err
		}
	}
	return params.Merge(ps, f.Modinfo), nil
}
