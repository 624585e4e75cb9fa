package ia64_test

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A small expression language for the assertions fixtures carry, in the
// spirit of llvm-jitlink-check:
//
//	// check: *8(gp + addl(ltoff22)) == var
//	// check: stub_ip(br(call_kernel+2)) == entry(printk)
//
// Values are 64-bit; names are symbols of the linked module (labels
// included; an imported kernel function is its descriptor's address);
// + and - wrap. Functions:
//
//	*8(a), *4(a)        memory at a (module memory, or a kernel descriptor)
//	lo32(v)             v's low 32 bits
//	br(L+s)             target of the branch in slot s of the bundle at L
//	movl(L)             the imm64 of the movl in the MLX bundle at L
//	addl(L+s)           the sign-extended imm22 of the addl in slot s
//	opcode(L+s)         the major opcode of slot s
//	stub_ip(a), stub_gp(a)  what the PLT stub at a branches to and loads as gp
//	in(a, "sec")        1 if a lies in the module's section sec, else 0
//	sec("sec")          the address of the module's section sec
//	entry(f)            the entry point of f (a kernel function: from System.map)
//
// and the constants gp (the module's), kgp (the kernel's), pltsize, core
// and init (the region bases).
type env interface {
	symbol(name string) (uint64, error)
	call(fn string, args []value) (uint64, error)
	constant(name string) (uint64, bool)
}

type value struct {
	n     uint64
	s     string // a string argument
	ident string // the bare identifier, for entry()
}

type parser struct {
	toks []string
	pos  int
	env  env
}

func tokenize(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, fmt.Errorf("unterminated string")
			}
			out = append(out, s[i:i+j+2])
			i += j + 2
		case c == '=' && i+1 < len(s) && s[i+1] == '=':
			out = append(out, "==")
			i += 2
		case c == '*' && i+1 < len(s) && (s[i+1] == '8' || s[i+1] == '4'):
			out = append(out, s[i:i+2])
			i += 2
		case strings.ContainsRune("+-(),", c):
			out = append(out, string(c))
			i++
		case c == '_' || c == '.' || unicode.IsLetter(c) || unicode.IsDigit(c):
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '.' || unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q", c)
		}
	}
	return out, nil
}

// evalCheck evaluates "lhs == rhs" and returns both sides.
func evalCheck(e env, s string) (lhs, rhs uint64, err error) {
	toks, err := tokenize(s)
	if err != nil {
		return 0, 0, err
	}
	p := &parser{toks: toks, env: e}
	l, err := p.sum()
	if err != nil {
		return 0, 0, err
	}
	if !p.eat("==") {
		return 0, 0, fmt.Errorf("want ==")
	}
	r, err := p.sum()
	if err != nil {
		return 0, 0, err
	}
	if p.pos != len(p.toks) {
		return 0, 0, fmt.Errorf("trailing %q", p.toks[p.pos])
	}
	return l.n, r.n, nil
}

func (p *parser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *parser) eat(t string) bool {
	if p.peek() == t {
		p.pos++
		return true
	}
	return false
}

func (p *parser) sum() (value, error) {
	v, err := p.term()
	if err != nil {
		return v, err
	}
	for {
		switch {
		case p.eat("+"):
			w, err := p.term()
			if err != nil {
				return v, err
			}
			v = value{n: v.n + w.n}
		case p.eat("-"):
			w, err := p.term()
			if err != nil {
				return v, err
			}
			v = value{n: v.n - w.n}
		default:
			return v, nil
		}
	}
}

func (p *parser) term() (value, error) {
	t := p.peek()
	if t == "" {
		return value{}, fmt.Errorf("unexpected end")
	}
	p.pos++
	switch {
	case t == "(":
		v, err := p.sum()
		if err != nil {
			return v, err
		}
		if !p.eat(")") {
			return v, fmt.Errorf("want )")
		}
		return v, nil
	case t == "-":
		v, err := p.term()
		return value{n: -v.n}, err
	case t[0] == '"':
		return value{s: t[1 : len(t)-1]}, nil
	case t[0] >= '0' && t[0] <= '9':
		n, err := strconv.ParseUint(t, 0, 64)
		return value{n: n}, err
	}
	if p.eat("(") {
		var args []value
		for !p.eat(")") {
			if len(args) > 0 && !p.eat(",") {
				return value{}, fmt.Errorf("%s: want , or )", t)
			}
			a, err := p.sum()
			if err != nil {
				return a, err
			}
			args = append(args, a)
		}
		n, err := p.env.call(t, args)
		return value{n: n}, err
	}
	if n, ok := p.env.constant(t); ok {
		return value{n: n, ident: t}, nil
	}
	n, err := p.env.symbol(t)
	return value{n: n, ident: t}, err
}
