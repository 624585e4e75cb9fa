package params

// The argument grammar: lib/cmdline.c next_arg and kernel/params.c
// parameq, as of 6.1. The kernel edits the argument string in place
// (writing NULs over the '=', a closing quote, the separator, and later the
// commas of an array), and some of its messages print the edited string, so
// golink parses a NUL-terminated copy the same way.

// isspace is the kernel's isspace (lib/ctype.c): HT, LF, VT, FF, CR, space
// and, being Latin-1, 0xA0.
func isspace(c byte) bool { return c >= 0x09 && c <= 0x0d || c == ' ' || c == 0xa0 }

// buf is a NUL-terminated argument string being parsed.
type buf []byte

func newBuf(s string) buf {
	b := make(buf, len(s)+1)
	copy(b, s)
	return b
}

// str returns the C string at offset i.
func (b buf) str(i int) string {
	j := i
	for b[j] != 0 {
		j++
	}
	return string(b[i:j])
}

func (b buf) skipSpaces(i int) int {
	for isspace(b[i]) {
		i++
	}
	return i
}

// nextArg is next_arg: it splits one argument off at offset args and
// returns the offsets of its name and value (val -1: no '=', the kernel's
// NULL) and where the next argument starts. A leading '"' is skipped and
// starts a quoted stretch; each '"' toggles it; whitespace outside quotes
// ends the argument. The first '=' past index 0 splits name from value; a
// value starting with '"' loses it and the argument's last '"'; an argument
// that began with '"' also loses a final '"'.
func (b buf) nextArg(args int) (param, val, next int) {
	inQuote, quoted := false, false
	if b[args] == '"' {
		args++
		inQuote, quoted = true, true
	}
	i, equals := 0, 0
	for ; b[args+i] != 0; i++ {
		c := b[args+i]
		if isspace(c) && !inQuote {
			break
		}
		if equals == 0 && c == '=' {
			equals = i
		}
		if c == '"' {
			inQuote = !inQuote
		}
	}
	param, val = args, -1
	if equals != 0 {
		b[args+equals] = 0
		val = args + equals + 1
		if b[val] == '"' {
			val++
			if b[args+i-1] == '"' {
				b[args+i-1] = 0
			}
		}
	}
	if quoted && i > 0 && b[args+i-1] == '"' {
		b[args+i-1] = 0
	}
	next = args + i
	if b[next] != 0 {
		b[next] = 0
		next++
	}
	return param, val, b.skipSpaces(next)
}

// Arg is one argument as next_arg splits it.
type Arg struct {
	Param    string
	Value    string
	HasValue bool // false for a bare name (the kernel's NULL value)
}

// Split splits an argument string as parse_args does, without applying
// anything: leading whitespace skipped, then next_arg until the end. It
// stops at a bare "--" and returns what follows it as rest (ok true even
// when rest is empty). A NUL in s ends the string, as it would in the
// kernel.
func Split(s string) (args []Arg, rest string, dashes bool) {
	b := newBuf(cstr(s))
	i := b.skipSpaces(0)
	for b[i] != 0 {
		p, v, next := b.nextArg(i)
		a := Arg{Param: b.str(p)}
		if v >= 0 {
			a.Value, a.HasValue = b.str(v), true
		}
		i = next
		if !a.HasValue && a.Param == "--" {
			return args, b.str(i), true
		}
		args = append(args, a)
	}
	return args, "", false
}

// Parameq is the kernel's parameq: names are equal byte for byte, with '-'
// and '_' the same.
func Parameq(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == '-' {
			x = '_'
		}
		if y == '-' {
			y = '_'
		}
		if x != y {
			return false
		}
	}
	return true
}
