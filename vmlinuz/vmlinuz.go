package vmlinuz

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// MaxKernel is the largest decompressed kernel Decompress accepts.
const MaxKernel = 512 << 20

// limit is MaxKernel; the fuzz target lowers it so the fuzzer cannot
// allocate hundreds of MiB per input.
var limit uint64 = MaxKernel

// Setup header offsets (Documentation/arch/x86/boot.rst).
const (
	offSetupSects    = 0x1f1
	offHeader        = 0x202 // "HdrS"
	offVersion       = 0x206 // boot protocol version
	offKernelVersion = 0x20e // pointer to the version string, minus 0x200
	offPayloadOffset = 0x248
	offPayloadLength = 0x24c
	setupEnd         = 0x250 // end of the fields read here
)

// FormatError reports a malformed or unsupported image. Off is the
// offset in the image (or, for stream errors, in the payload) the problem
// was found at, or -1.
type FormatError struct {
	Msg string
	Off int64
}

func (e *FormatError) Error() string {
	if e.Off >= 0 {
		return fmt.Sprintf("vmlinuz: %s at offset %#x", e.Msg, e.Off)
	}
	return "vmlinuz: " + e.Msg
}

func errorf(off int64, format string, args ...any) *FormatError {
	return &FormatError{Msg: fmt.Sprintf(format, args...), Off: off}
}

// Image is a parsed bzImage.
type Image struct {
	Version     string // the kernel version string from the setup header, if present
	Compression string // "xz", "zstd", "gzip", "bzip2", "lzma", "lz4", "lzo": from the payload's magic
	Payload     []byte // the compressed payload, its trailing 4-byte size included
	Size        uint64 // the decompressed size from the payload's last 4 bytes
}

var magics = []struct {
	magic []byte
	name  string
}{
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, "xz"},
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd"},
	{[]byte{0x1f, 0x8b}, "gzip"},
	{[]byte("BZh"), "bzip2"},
	{[]byte{0x5d, 0x00, 0x00}, "lzma"},
	{[]byte{0x02, 0x21, 0x4c, 0x18}, "lz4"},
	{[]byte{0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n'}, "lzo"},
}

// Parse checks data's setup header and locates the compressed payload.
// It returns a *FormatError for data that is not a bzImage of boot
// protocol 2.08 or later, whose payload lies outside data, or whose
// compression is unknown.
func Parse(data []byte) (*Image, error) {
	if len(data) < setupEnd {
		return nil, errorf(-1, "image of %d bytes is shorter than its setup header (%#x bytes)", len(data), setupEnd)
	}
	if string(data[offHeader:offHeader+4]) != "HdrS" {
		return nil, errorf(offHeader, "no \"HdrS\" magic (not a bzImage?)")
	}
	proto := binary.LittleEndian.Uint16(data[offVersion:])
	if proto < 0x0208 {
		return nil, errorf(offVersion, "boot protocol %d.%02d has no payload fields (need 2.08)", proto>>8, proto&0xff)
	}
	sects := uint64(data[offSetupSects])
	if sects == 0 {
		sects = 4
	}
	pm := (sects + 1) * 512
	poff := uint64(binary.LittleEndian.Uint32(data[offPayloadOffset:]))
	plen := uint64(binary.LittleEndian.Uint32(data[offPayloadLength:]))
	start, end := pm+poff, pm+poff+plen
	if end > uint64(len(data)) {
		return nil, errorf(offPayloadOffset, "payload [%#x, %#x) outside the image of %#x bytes", start, end, len(data))
	}
	if plen < 8 {
		return nil, errorf(offPayloadLength, "payload of %d bytes is too short", plen)
	}
	img := &Image{Payload: data[start:end:end], Version: version(data)}
	img.Size = uint64(binary.LittleEndian.Uint32(img.Payload[plen-4:]))
	for _, m := range magics {
		if bytes.HasPrefix(img.Payload, m.magic) {
			img.Compression = m.name
			break
		}
	}
	if img.Compression == "" {
		return nil, errorf(int64(start), "payload magic % x is none of xz, zstd, gzip, bzip2, lzma, lz4, lzo", img.Payload[:4])
	}
	return img, nil
}

// version returns the NUL-terminated kernel_version string, or "".
func version(data []byte) string {
	p := uint64(binary.LittleEndian.Uint16(data[offKernelVersion:]))
	if p == 0 {
		return ""
	}
	p += 0x200
	if p >= uint64(len(data)) {
		return ""
	}
	s := data[p:min(p+256, uint64(len(data)))]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		return string(s[:i])
	}
	return ""
}

// Vmlinux returns the vmlinux ELF that data holds: data itself if it
// already is an ELF, else Parse(data) then Decompress. Errors are
// *FormatError.
func Vmlinux(data []byte) ([]byte, error) {
	if bytes.HasPrefix(data, []byte("\x7fELF")) {
		return data, nil
	}
	img, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return img.Decompress()
}
