package elf

import "fmt"

// A File opened from disk can give its buffer back while it is not in
// use and take the same bytes again later: a tool that keeps thousands of
// decoded objects between two passes (golink's Batch: load and place
// every module, then link them one by one) then holds a few buffers, not
// the whole tree. The bytes read again must be the ones decoded: the file
// must be the same inode, of the same size and change time (every write
// updates it), and give as many bytes.

// detached is what Reattach needs of a detached File.
type detached struct {
	id   fileID // the file as it was read
	size int    // bytes read
	elf  int    // len(Data)
	blob int    // len(Signature.Blob)
}

// Detach gives back the buffer Open read the file into; until Reattach,
// Data, Signature.Blob and every slice of them must not be used. It does
// nothing for a File that holds a decompressed copy, or that Open did not
// read. It reports whether it detached.
func (f *File) Detach() bool {
	if f.release == nil || f.raw == nil || f.detached != nil || f.id == (fileID{}) {
		return false
	}
	f.detached = &detached{id: f.id, size: len(f.raw), elf: len(f.Data)}
	if f.Signature != nil {
		f.detached.blob = len(f.Signature.Blob)
	}
	f.release()
	f.release, f.raw, f.Data = nil, nil, nil
	if f.Signature != nil {
		f.Signature.Blob = nil
	}
	return true
}

// Reattach reads a detached File's file again and makes Data (and
// Signature.Blob) its bytes. It fails, leaving the File detached, if the
// file cannot be read or is no longer the one decoded: an *os.PathError,
// or a *FormatError saying that it changed.
func (f *File) Reattach() error {
	d := f.detached
	if d == nil {
		return nil
	}
	data, release, id, err := readFile(f.Name)
	if err != nil {
		return err
	}
	if id != d.id || len(data) != d.size {
		release()
		return withFile(formatErr(-1, 0, "the file changed while it was in use",
			fmt.Sprintf("%d bytes read again, %d decoded", len(data), d.size)), f.Name)
	}
	f.raw, f.release, f.detached = data, release, nil
	f.Data = data[:d.elf:d.elf]
	if s := f.Signature; s != nil {
		s.Blob = data[s.Offset : s.Offset+int64(d.blob) : s.Offset+int64(d.blob)]
	}
	return nil
}
