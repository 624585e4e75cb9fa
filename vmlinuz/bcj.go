package vmlinuz

import "encoding/binary"

// The x86 BCJ filter (xz file format, section 5.3.3) converts the rel32
// operand of CALL (E8) and JMP (E9) instructions to an absolute address
// when compressing; decoding converts it back. An operand is converted
// only if its most significant byte is 0x00 or 0xFF; a run of E8/E9
// bytes within the previous 3 bytes (prevMask, one bit per byte)
// suppresses conversions that would otherwise be ambiguous. The last 4
// bytes of the stream are never converted.

// msbyte reports whether b is a plausible top byte of a near address.
func msbyte(b byte) bool { return b == 0x00 || b == 0xff }

var (
	maskAllowed = [8]bool{true, true, true, false, true, false, false, false}
	maskBitNum  = [8]uint32{0, 1, 2, 2, 3, 3, 3, 3}
)

// bcjX86Decode undoes the x86 BCJ filter in place over the whole
// buffer, which begins at stream position start.
func bcjX86Decode(buf []byte, start uint32) {
	if len(buf) <= 4 {
		return
	}
	end := len(buf) - 4
	prevPos := -1 // position of the last E8/E9 seen, relative; -1 = none
	var prevMask uint32
	for i := 0; i < end; i++ {
		if buf[i]&0xfe != 0xe8 {
			continue
		}
		d := i - prevPos
		if prevPos < 0 || d > 3 {
			prevMask = 0
		} else {
			prevMask = (prevMask << (d - 1)) & 7
			if prevMask != 0 {
				b := buf[i+4-int(maskBitNum[prevMask])]
				if !maskAllowed[prevMask] || msbyte(b) {
					prevPos = i
					prevMask = prevMask<<1 | 1
					continue
				}
			}
		}
		prevPos = i
		if !msbyte(buf[i+4]) {
			prevMask = prevMask<<1 | 1
			continue
		}
		src := binary.LittleEndian.Uint32(buf[i+1:])
		var dest uint32
		for {
			dest = src - (start + uint32(i) + 5)
			if prevMask == 0 {
				break
			}
			j := maskBitNum[prevMask] * 8
			if !msbyte(byte(dest >> (24 - j))) {
				break
			}
			src = dest ^ (1<<(32-j) - 1)
		}
		// Sign-extend bit 24 into the top byte.
		dest &= 0x01ffffff
		dest |= -(dest & 0x01000000)
		binary.LittleEndian.PutUint32(buf[i+1:], dest)
		i += 4
	}
}
