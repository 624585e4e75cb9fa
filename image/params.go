package image

import (
	"fmt"

	"github.com/golink/golink/params"
)

// Params decodes the module's __param table from its relocated memory
// (params.DecodeMemory) and merges what .modinfo says about the parameters
// (params.Merge). Errors are *params.DecodeError and *params.MemoryError
// values.
func (img *Image) Params() ([]params.Param, error) {
	var ps []params.Param
	if s := img.loaded("__param"); s != nil {
		var err error
		if ps, err = params.DecodeMemory(img, s.Addr, int(s.Size/params.KernelParamSize)); err != nil {
			return nil, fmt.Errorf("%s: %w", img.Name, err)
		}
	}
	return params.Merge(ps, img.Modinfo), nil
}

// ApplyParams parses args as the kernel's load_module does after
// relocation (parse_args) and writes each accepted value into the image:
// the variable's bytes in module memory, charp copies in area, which
// becomes the image's Kmalloc (area may be nil when no charp parameter is
// given a value). It returns the parameters with their addresses and what
// parse_args did; arguments the kernel refuses are in the Result (Errors,
// Log), not in the error, which is reserved for decoding and memory
// faults.
func (img *Image) ApplyParams(args string, area *ParamArea, cfg *params.Config) ([]params.Param, *params.Result, error) {
	ps, err := img.Params()
	if err != nil {
		return nil, nil, err
	}
	var alloc params.Allocator
	if area != nil {
		img.Kmalloc = area
		alloc = area
	}
	r, err := params.Apply(img.Name, args, ps, img, alloc, cfg)
	if err != nil {
		return ps, r, fmt.Errorf("%s: %w", img.Name, err)
	}
	return ps, r, nil
}
