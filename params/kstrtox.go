package params

import "syscall"

// The kernel's kstrto* family (lib/kstrtox.c, 6.1). Each takes the value as
// the kernel sees it: a C string, so it ends at the first NUL if it has one.
// Errors are syscall.EINVAL (not a number, trailing junk) and
// syscall.ERANGE (does not fit); the overflow test comes before the
// trailing-junk test, as in the kernel.

// cstr returns s up to its first NUL.
func cstr(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return s[:i]
		}
	}
	return s
}

// at returns s[i], or NUL past the end, as reading a C string would.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isxdigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f'
}

// fixupRadix is _parse_integer_fixup_radix: base 0 becomes 16 for "0x"
// followed by a hex digit, 8 for any other leading 0, else 10; with base 16
// a leading "0x" is skipped.
func fixupRadix(s string, base uint) (string, uint) {
	if base == 0 {
		switch {
		case at(s, 0) == '0' && at(s, 1)|0x20 == 'x' && isxdigit(at(s, 2)):
			base = 16
		case at(s, 0) == '0':
			base = 8
		default:
			base = 10
		}
	}
	if base == 16 && at(s, 0) == '0' && at(s, 1)|0x20 == 'x' {
		s = s[2:]
	}
	return s, base
}

// parseInteger is _parse_integer: it accumulates digits below base and
// returns the value (wrapped on overflow), how many characters it used,
// and whether the value overflowed 64 bits.
func parseInteger(s string, base uint) (res uint64, n int, overflow bool) {
	for ; n < len(s); n++ {
		c := s[n]
		var v uint
		switch {
		case '0' <= c && c <= '9':
			v = uint(c - '0')
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			v = uint(c|0x20-'a') + 10
		default:
			return res, n, overflow
		}
		if v >= base {
			return res, n, overflow
		}
		if res&(0xf<<60) != 0 && res > (^uint64(0)-uint64(v))/uint64(base) {
			overflow = true
		}
		res = res*uint64(base) + uint64(v)
	}
	return res, n, overflow
}

// kstrtoullNoSign is _kstrtoull.
func kstrtoullNoSign(s string, base uint) (uint64, error) {
	s, base = fixupRadix(s, base)
	v, n, overflow := parseInteger(s, base)
	if overflow {
		return 0, syscall.ERANGE
	}
	if n == 0 {
		return 0, syscall.EINVAL
	}
	rest := s[n:]
	if len(rest) > 0 && rest[0] == '\n' {
		rest = rest[1:]
	}
	if rest != "" {
		return 0, syscall.EINVAL
	}
	return v, nil
}

// Kstrtoull is the kernel's kstrtoull: an optional leading '+', then
// digits in base (0: detect 0x/0 prefixes), then at most one '\n'. No
// whitespace is skipped. It returns syscall.EINVAL or syscall.ERANGE.
func Kstrtoull(s string, base uint) (uint64, error) {
	s = cstr(s)
	if at(s, 0) == '+' {
		s = s[1:]
	}
	return kstrtoullNoSign(s, base)
}

// Kstrtoll is the kernel's kstrtoll: a leading '-' negates the magnitude
// (so "-+1" is invalid and 2^63 is the largest magnitude), otherwise as
// Kstrtoull with the result at most 2^63-1. It returns syscall.EINVAL or
// syscall.ERANGE.
func Kstrtoll(s string, base uint) (int64, error) {
	s = cstr(s)
	if at(s, 0) == '-' {
		v, err := kstrtoullNoSign(s[1:], base)
		if err != nil {
			return 0, err
		}
		if int64(-v) > 0 {
			return 0, syscall.ERANGE
		}
		return int64(-v), nil
	}
	v, err := Kstrtoull(s, base)
	if err != nil {
		return 0, err
	}
	if int64(v) < 0 {
		return 0, syscall.ERANGE
	}
	return int64(v), nil
}

// KstrtoU parses an unsigned value of the given width in bits (8, 16, 32
// or 64) as kstrtou8, kstrtou16, kstrtouint and kstrtoull do: ERANGE when
// the value does not fit.
func KstrtoU(s string, base uint, bits int) (uint64, error) {
	v, err := Kstrtoull(s, base)
	if err != nil {
		return 0, err
	}
	if bits < 64 && v>>bits != 0 {
		return 0, syscall.ERANGE
	}
	return v, nil
}

// KstrtoS parses a signed value of the given width in bits (8, 16, 32 or
// 64) as kstrtos8, kstrtos16, kstrtoint and kstrtoll do.
func KstrtoS(s string, base uint, bits int) (int64, error) {
	v, err := Kstrtoll(s, base)
	if err != nil {
		return 0, err
	}
	if bits < 64 {
		min, max := int64(-1)<<(bits-1), int64(1)<<(bits-1)-1
		if v < min || v > max {
			return 0, syscall.ERANGE
		}
	}
	return v, nil
}

// Kstrtobool is the kernel's kstrtobool (6.1): it looks at the first one or
// two bytes only. y, Y, t, T, 1, "on" are true; n, N, f, F, 0, "off" are
// false ("o"/"O" then "n"/"N" or "f"/"F", any case). Anything else,
// including the empty string and a NULL value (hasValue false), is
// syscall.EINVAL.
func Kstrtobool(s string, hasValue bool) (bool, error) {
	if !hasValue {
		return false, syscall.EINVAL
	}
	s = cstr(s)
	switch at(s, 0) {
	case 'y', 'Y', 't', 'T', '1':
		return true, nil
	case 'n', 'N', 'f', 'F', '0':
		return false, nil
	case 'o', 'O':
		switch at(s, 1) {
		case 'n', 'N':
			return true, nil
		case 'f', 'F':
			return false, nil
		}
	}
	return false, syscall.EINVAL
}
