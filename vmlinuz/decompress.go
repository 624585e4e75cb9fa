package vmlinuz

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz/lzma"
)

// zstdWindow is the largest zstd window accepted: Debian's 6.12 kernels
// are compressed with --long=27 (128 MiB).
const zstdWindow = 128 << 20

// Decompress returns the vmlinux ELF bytes img's payload holds. It
// refuses a Size above MaxKernel and a stream that yields more or fewer
// bytes than Size; a corrupt stream, an unsupported compression (lz4,
// lzo) or an output that is not an ELF is a *FormatError.
func (img *Image) Decompress() ([]byte, error) {
	if img.Size > limit {
		return nil, errorf(-1, "%s payload declares %d bytes, above the limit of %d (MaxKernel)", img.Compression, img.Size, limit)
	}
	p := img.Payload
	if len(p) < 4 {
		return nil, errorf(-1, "payload of %d bytes is too short", len(p))
	}
	// The kernel's build appends the size to every format but gzip, whose
	// own trailer (ISIZE) is the size.
	stream := p[:len(p)-4]
	var (
		r   io.Reader
		err error
	)
	switch img.Compression {
	case "gzip":
		var z *gzip.Reader
		if z, err = gzip.NewReader(bytes.NewReader(p)); err == nil {
			z.Multistream(false)
			r = z
		}
	case "bzip2":
		r = bzip2.NewReader(bytes.NewReader(stream))
	case "lzma":
		// A header may declare a dictionary of up to 4 GiB: cap it.
		r, err = lzma.ReaderConfig{DictCap: int(max(limit, lzma.MinDictCap))}.NewReader(bytes.NewReader(stream))
	case "zstd":
		var z *zstd.Decoder
		z, err = zstd.NewReader(bytes.NewReader(stream),
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(min(zstdWindow, max(limit, zstd.MinWindowSize))),
			zstd.WithDecoderMaxMemory(max(limit, 1)))
		if err == nil {
			defer z.Close()
			r = z
		}
	case "xz":
		return decodeXZ(stream, img.Size)
	case "lz4", "lzo":
		return nil, errorf(-1, "%s-compressed kernel: golink reads xz, zstd, gzip, bzip2, lzma; decompress it with the kernel's scripts/extract-vmlinux", img.Compression)
	default:
		return nil, errorf(-1, "unknown compression %q", img.Compression)
	}
	if err != nil {
		return nil, streamError(img.Compression, err)
	}
	return readExactly(img.Compression, r, img.Size)
}

// readExactly reads exactly size bytes from r, checks r has no more and
// that they are an ELF.
func readExactly(what string, r io.Reader, size uint64) ([]byte, error) {
	out, err := readN(what, r, size)
	if err != nil {
		return nil, err
	}
	return out, checkELF(out)
}

// readN reads exactly size bytes from r and checks r has no more.
func readN(what string, r io.Reader, size uint64) ([]byte, error) {
	out := make([]byte, size)
	n, err := io.ReadFull(r, out)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, errorf(-1, "%s stream ends after %d bytes, the payload declares %d", what, n, size)
		}
		return nil, streamError(what, err)
	}
	var one [1]byte
	if m, _ := io.ReadFull(r, one[:]); m > 0 {
		return nil, errorf(-1, "%s stream yields more than the %d bytes the payload declares", what, size)
	}
	return out, nil
}

func streamError(what string, err error) *FormatError {
	return errorf(-1, "%s payload: %v", what, err)
}

// checkELF makes sure the result looks like what the caller asked for.
func checkELF(b []byte) error {
	if !bytes.HasPrefix(b, []byte("\x7fELF")) {
		n := min(len(b), 4)
		return errorf(-1, "decompressed payload starts % x, not an ELF header", b[:n])
	}
	return nil
}
