package modversions

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
)

// CRC is genksyms' checksum of an already expanded declaration: the
// reflected CRC-32 of IEEE 802.3 (polynomial 0xEDB88320, initial value and
// final XOR 0xffffffff), the same as zlib's. CRC("module_layout") is
// 0x90392bcd.
func CRC(text string) uint32 { return crc32.ChecksumIEEE([]byte(text)) }

// TokenCRC is the checksum genksyms computes over a token stream: each
// token's characters followed by one space, the last token included.
func TokenCRC(tokens []string) uint32 {
	c := crc32.NewIEEE()
	for _, t := range tokens {
		io.WriteString(c, t)
		c.Write([]byte{' '})
	}
	return c.Sum32()
}

// Symtypes holds the definitions of a genksyms .symtypes file (what
// KBUILD_SYMTYPES=1 writes): one line per type, "<c>#<name> <tokens...>"
// with c one of t (typedef), e (enum), s (struct), u (union) and E (enum
// constant), and exported symbols without a prefix. References inside a
// definition are written "<c>#<name>".
type Symtypes struct {
	defs map[string][]string
}

// SymtypesError reports a malformed .symtypes line or a symbol that
// cannot be expanded.
type SymtypesError struct {
	Line   int    // 1-based line number, or 0
	Symbol string // the symbol being expanded, or ""
	Msg    string
}

func (e *SymtypesError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("symtypes:%d: %s", e.Line, e.Msg)
	case e.Symbol != "":
		return fmt.Sprintf("%s: %s", e.Symbol, e.Msg)
	}
	return e.Msg
}

// ParseSymtypes reads a .symtypes file. Lines of "override " prefixed
// definitions replace earlier ones; an empty line is skipped. Errors are
// *SymtypesError values.
func ParseSymtypes(r io.Reader) (*Symtypes, error) {
	s := &Symtypes{defs: make(map[string][]string)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for ln := 1; sc.Scan(); ln++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] == "override" {
			f = f[1:]
		}
		if len(f) == 0 {
			return nil, &SymtypesError{Line: ln, Msg: "override without a definition"}
		}
		s.defs[f[0]] = f[1:]
	}
	if err := sc.Err(); err != nil {
		return nil, &SymtypesError{Msg: err.Error()}
	}
	return s, nil
}

// Expand returns the token stream genksyms checksums for the exported
// symbol (expand_and_crc_sym): its definition with each type reference
// replaced by that type's own definition the first time it is met during
// this expansion, and by its name alone (typedefs, enum constants) or by
// "struct"/"union"/"enum" and its name afterwards. A reference to a type
// without a definition is an error, as genksyms' "expand undefined".
func (s *Symtypes) Expand(symbol string) ([]string, error) {
	def, ok := s.defs[symbol]
	if !ok {
		return nil, &SymtypesError{Symbol: symbol, Msg: "no definition"}
	}
	var out []string
	seen := make(map[string]bool)
	var walk func(toks []string, depth int) error
	walk = func(toks []string, depth int) error {
		if depth > 10000 {
			return &SymtypesError{Symbol: symbol, Msg: "definitions nest too deeply"}
		}
		for _, t := range toks {
			kind, name, isRef := splitRef(t)
			if !isRef {
				out = append(out, t)
				continue
			}
			if seen[t] {
				switch kind {
				case 's':
					out = append(out, "struct", name)
				case 'u':
					out = append(out, "union", name)
				case 'e':
					out = append(out, "enum", name)
				default:
					out = append(out, name)
				}
				continue
			}
			seen[t] = true
			sub, ok := s.defs[t]
			if !ok {
				return &SymtypesError{Symbol: symbol, Msg: "expand undefined " + t}
			}
			if err := walk(sub, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(def, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// CRC returns the genksyms CRC of an exported symbol: TokenCRC of Expand.
func (s *Symtypes) CRC(symbol string) (uint32, error) {
	toks, err := s.Expand(symbol)
	if err != nil {
		return 0, err
	}
	return TokenCRC(toks), nil
}

func splitRef(t string) (kind byte, name string, ok bool) {
	if len(t) < 3 || t[1] != '#' {
		return 0, "", false
	}
	switch t[0] {
	case 't', 'e', 's', 'u', 'E':
		return t[0], t[2:], true
	}
	return 0, "", false
}
