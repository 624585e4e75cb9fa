package vmlinuz

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"hash/crc64"
	"io"

	"github.com/ulikunitz/xz/lzma"
)

// The .xz container (xz file format 1.2.1), as far as a kernel payload
// needs it: a 12-byte stream header (magic, 2 bytes of stream flags whose
// low nibble is the check type, CRC32 of the flags), one block (a block
// header listing the filters, LZMA2 data, padding to 4 bytes, the check),
// then the index and the stream footer, which the kernel's own decoder
// and this one do not need for a single-block stream.
const (
	xzFilterX86   = 0x04
	xzFilterLZMA2 = 0x21

	xzCheckNone   = 0x00
	xzCheckCRC32  = 0x01
	xzCheckCRC64  = 0x04
	xzCheckSHA256 = 0x0a
)

var crc64Table = crc64.MakeTable(crc64.ECMA)

// vli reads an xz variable-length integer (at most 9 bytes) at b[off:].
func vli(b []byte, off int) (v uint64, n int, err error) {
	for i := 0; i < 9; i++ {
		if off+i >= len(b) {
			return 0, 0, errorf(int64(off), "xz: truncated integer")
		}
		c := b[off+i]
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if c == 0 && i > 0 {
				return 0, 0, errorf(int64(off), "xz: integer not minimally encoded")
			}
			return v, i + 1, nil
		}
	}
	return 0, 0, errorf(int64(off), "xz: integer longer than 9 bytes")
}

// decodeXZ decodes a single-block xz stream whose filters are an
// optional x86 BCJ followed by LZMA2, and checks the block's CRC32 or
// CRC64. Offsets in its errors are relative to the payload.
func decodeXZ(s []byte, size uint64) ([]byte, error) {
	if len(s) < 12+8 {
		return nil, errorf(0, "xz: stream of %d bytes is too short", len(s))
	}
	if s[6] != 0 || s[7]&0xf0 != 0 {
		return nil, errorf(6, "xz: unsupported stream flags % x", s[6:8])
	}
	if crc32.ChecksumIEEE(s[6:8]) != binary.LittleEndian.Uint32(s[8:]) {
		return nil, errorf(8, "xz: stream header CRC32 mismatch")
	}
	check := s[7] & 0x0f
	var checkSize int
	switch check {
	case xzCheckNone:
	case xzCheckCRC32:
		checkSize = 4
	case xzCheckCRC64:
		checkSize = 8
	case xzCheckSHA256:
		checkSize = 32
	default:
		return nil, errorf(7, "xz: unknown check type %#x", check)
	}

	// Block header.
	const bh = 12
	if s[bh] == 0 {
		return nil, errorf(bh, "xz: stream has no block")
	}
	hsize := (int(s[bh]) + 1) * 4
	if bh+hsize > len(s) {
		return nil, errorf(bh, "xz: block header of %d bytes overruns the stream", hsize)
	}
	hdr := s[bh : bh+hsize]
	if crc32.ChecksumIEEE(hdr[:hsize-4]) != binary.LittleEndian.Uint32(hdr[hsize-4:]) {
		return nil, errorf(bh, "xz: block header CRC32 mismatch")
	}
	flags := hdr[1]
	if flags&0x3c != 0 {
		return nil, errorf(bh+1, "xz: reserved block flags %#x", flags)
	}
	nfilters := int(flags&3) + 1
	off := 2
	body := hdr[:hsize-4]
	var compressed uint64
	haveCompressed := flags&0x40 != 0
	for _, present := range []bool{haveCompressed, flags&0x80 != 0} {
		if !present {
			continue
		}
		v, n, err := vli(body, off)
		if err != nil {
			return nil, err
		}
		if compressed == 0 && haveCompressed {
			compressed = v
		} else if v != size {
			return nil, errorf(int64(bh+off), "xz: block says %d bytes uncompressed, the payload declares %d", v, size)
		}
		off += n
	}
	var (
		bcj     bool
		bcjBase uint32
		dictCap int
	)
	for f := 0; f < nfilters; f++ {
		at := int64(bh + off)
		id, n, err := vli(body, off)
		if err != nil {
			return nil, err
		}
		off += n
		psize, n, err := vli(body, off)
		if err != nil {
			return nil, err
		}
		off += n
		if psize > uint64(len(body)-off) {
			return nil, errorf(at, "xz: filter properties overrun the block header")
		}
		props := body[off : off+int(psize)]
		off += int(psize)
		last := f == nfilters-1
		switch {
		case id == xzFilterX86 && !last && !bcj:
			bcj = true
			switch len(props) {
			case 0:
			case 4:
				bcjBase = binary.LittleEndian.Uint32(props)
			default:
				return nil, errorf(at, "xz: BCJ x86 filter with %d bytes of properties", len(props))
			}
		case id == xzFilterLZMA2 && last:
			if len(props) != 1 || props[0] > 40 {
				return nil, errorf(at, "xz: bad LZMA2 properties % x", props)
			}
			p := props[0]
			if p == 40 {
				dictCap = lzma.MaxDictCap
			} else {
				dictCap = (2 | int(p&1)) << (p/2 + 11)
			}
		default:
			return nil, errorf(at, "xz: filter %#x in position %d of %d: golink reads BCJ x86 then LZMA2 only", id, f+1, nfilters)
		}
	}
	if !bytes.Equal(body[off:], make([]byte, len(body)-off)) {
		return nil, errorf(int64(bh+off), "xz: non-zero block header padding")
	}
	// A hostile header could ask for a 4 GiB dictionary; the dictionary
	// never needs to exceed the output.
	dictCap = max(min(dictCap, int(size)), lzma.MinDictCap)

	data := s[bh+hsize:]
	if haveCompressed {
		if compressed > uint64(len(data)) {
			return nil, errorf(bh, "xz: block of %d compressed bytes overruns the stream", compressed)
		}
		data = data[:compressed]
	}
	cr := &countReader{b: data}
	r, err := lzma.Reader2Config{DictCap: dictCap}.NewReader2(cr)
	if err != nil {
		return nil, streamError("xz", err)
	}
	out, err := readN("xz", r, size)
	if err != nil {
		return nil, err
	}
	if !r.EOS() {
		return nil, errorf(-1, "xz: LZMA2 stream has no end marker after %d bytes", size)
	}
	// The block check follows the compressed data padded to 4 bytes.
	end := bh + hsize + cr.n
	end += (4 - end%4) % 4
	if end+checkSize > len(s) {
		return nil, errorf(int64(end), "xz: block check overruns the stream")
	}
	if bcj {
		bcjX86Decode(out, bcjBase)
	}
	want := s[end : end+checkSize]
	switch check {
	case xzCheckCRC32:
		if crc32.ChecksumIEEE(out) != binary.LittleEndian.Uint32(want) {
			return nil, errorf(int64(end), "xz: block CRC32 mismatch")
		}
	case xzCheckCRC64:
		if crc64.Checksum(out, crc64Table) != binary.LittleEndian.Uint64(want) {
			return nil, errorf(int64(end), "xz: block CRC64 mismatch")
		}
	}
	return out, checkELF(out)
}

// countReader is a bytes.Reader that tells how far it has been read.
type countReader struct {
	b []byte
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	if c.n >= len(c.b) {
		return 0, io.EOF
	}
	k := copy(p, c.b[c.n:])
	c.n += k
	return k, nil
}
