package kmod

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/modinfo"
)

// Field is one key=value pair modinfo shows.
type Field struct {
	Key, Value string
}

// Info returns the fields kmod's kmod_module_get_info gives for a module:
// every string of .modinfo in order (a string without '=' is a key with an
// empty value), then, when the module carries a signature kmod can read,
// sig_id, signer, sig_key, sig_hashalgo and signature, the last two bytes
// strings in kmod's wrapped hex (see Hex).
func Info(f *elf.File) []Field {
	var out []Field
	if i := f.SectionByName(modinfo.Section, 0); i != 0 {
		out = ModinfoFields(f.Bytes(i))
	}
	if si, _ := Signature(f); si != nil {
		out = append(out, SignatureFields(si)...)
	}
	return out
}

// ModinfoFields splits the contents of a .modinfo section into fields as
// kmod's kmod_elf_get_strings does: strings separated by runs of NULs, a
// last string without its NUL included.
func ModinfoFields(sec []byte) []Field {
	entries := modinfo.Modinfo(sec).Entries()
	out := make([]Field, len(entries))
	for i, e := range entries {
		if e.Key == "" {
			// No '=': kmod takes the whole string as the key.
			out[i] = Field{Key: e.Value}
			continue
		}
		out[i] = Field{Key: e.Key, Value: e.Value}
	}
	return out
}

// SignatureFields returns the signature fields modinfo appends.
func SignatureFields(si *SignatureInfo) []Field {
	return []Field{
		{"sig_id", si.IDType},
		{"signer", si.Signer},
		{"sig_key", Hex(si.KeyID)},
		{"sig_hashalgo", si.HashAlgo},
		{"signature", Hex(si.Sig)},
	}
}

// Hex formats bytes as kmod does for sig_key and signature: upper-case
// pairs separated by ':', with a newline and two tabs after every 20th
// byte that is not the last.
func Hex(b []byte) string {
	const digits = "0123456789ABCDEF"
	var s strings.Builder
	s.Grow(len(b)*3 + len(b)/20*3)
	for i, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&15])
		if i < len(b)-1 {
			s.WriteByte(':')
			if (i+1)%20 == 0 {
				s.WriteString("\n\t\t")
			}
		}
	}
	return s.String()
}

// ModinfoOptions are modinfo's output options.
type ModinfoOptions struct {
	// Field is -F: print only the values of this key (compared exactly,
	// case included), one per line. "filename" prints the path, "parm" the
	// merged parameter lines.
	Field string
	// Null is -0: end lines with NUL. Ordinary keys then print as
	// key=value while filename: and parm: keep their padded form, as kmod
	// does.
	Null bool
}

// param is one module parameter as modinfo merges parm= and parmtype=.
type param struct {
	name, desc, typ string
	hasDesc, hasTyp bool
}

// mergeParams is kmod's process_parm over all fields: one entry per
// parameter name, the last parm= giving its description and the last
// parmtype= its type, in the reverse order of the names' first appearance
// (kmod prepends to a list). A value without ':' is skipped and reported
// through warn with kmod's message.
func mergeParams(fields []Field, warn func(string)) []*param {
	var list []*param
	byName := map[string]*param{}
	for _, f := range fields {
		if f.Key != "parm" && f.Key != "parmtype" {
			continue
		}
		name, rest, ok := strings.Cut(f.Value, ":")
		if !ok {
			warn(fmt.Sprintf("Found invalid \"%s=%s\": missing ':'", f.Key, f.Value))
			continue
		}
		p := byName[name]
		if p == nil {
			p = &param{name: name}
			byName[name] = p
			list = append(list, p)
		}
		if f.Key == "parm" {
			p.desc, p.hasDesc = rest, true
		} else {
			p.typ, p.hasTyp = rest, true
		}
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// WriteModinfo writes what kmod's modinfo prints for one module file:
// path is the path as printed (see AbsPath), fields those of Info. warn
// receives kmod's error messages about malformed parm= values, without
// the program prefix or newline.
func WriteModinfo(w io.Writer, path string, fields []Field, opt ModinfoOptions, warn func(string)) error {
	bw := bufio.NewWriterSize(w, 4096)
	sep := byte('\n')
	if opt.Null {
		sep = 0
	}
	switch opt.Field {
	case "":
		fmt.Fprintf(bw, "%-16s%s%c", "filename:", path, sep)
	case "filename":
		fmt.Fprintf(bw, "%s%c", path, sep)
		return bw.Flush()
	case "parm":
		for _, p := range mergeParams(fields, warn) {
			switch {
			case !p.hasDesc:
				fmt.Fprintf(bw, "%s: (%s)%c", p.name, p.typ, sep)
			case p.hasTyp:
				fmt.Fprintf(bw, "%s:%s (%s)%c", p.name, p.desc, p.typ, sep)
			default:
				fmt.Fprintf(bw, "%s:%s%c", p.name, p.desc, sep)
			}
		}
		return bw.Flush()
	}
	if opt.Field != "" {
		for _, f := range fields {
			if f.Key == opt.Field {
				bw.WriteString(f.Value)
				bw.WriteByte(sep)
			}
		}
		return bw.Flush()
	}
	for _, f := range fields {
		if f.Key == "parm" || f.Key == "parmtype" {
			continue
		}
		bw.WriteString(f.Key)
		if opt.Null {
			bw.WriteByte('=')
		} else {
			// printf("%s:%-*s", key, 15-len(key), ""): a negative width
			// means left-justified in |width|, so long keys get spaces too.
			bw.WriteByte(':')
			pad := 15 - len(f.Key)
			if pad < 0 {
				pad = -pad
			}
			for range pad {
				bw.WriteByte(' ')
			}
		}
		bw.WriteString(f.Value)
		bw.WriteByte(sep)
	}
	for _, p := range mergeParams(fields, warn) {
		switch {
		case !p.hasDesc:
			fmt.Fprintf(bw, "%-16s%s:%s%c", "parm:", p.name, p.typ, sep)
		case p.hasTyp:
			fmt.Fprintf(bw, "%-16s%s:%s (%s)%c", "parm:", p.name, p.desc, p.typ, sep)
		default:
			fmt.Fprintf(bw, "%-16s%s:%s%c", "parm:", p.name, p.desc, sep)
		}
	}
	return bw.Flush()
}

// JSONListKeys are the keys WriteModinfoJSON always gives a list value,
// even when a module has one of them: those modules normally repeat.
var JSONListKeys = map[string]bool{
	"alias": true, "author": true, "firmware": true, "import_ns": true,
	"parm": true, "parmtype": true, "softdep": true, "weakdep": true,
}

// WriteModinfoJSON writes one module as a JSON object: "filename" first,
// then every key in the order of its first appearance. A key that appears
// more than once, or is one of JSONListKeys, has a list of its values in
// order; any other key a string. Signature bytes are
// plain colon-separated hex, without kmod's line wrapping. With
// opt.Field set, only filename and that key are written. indent prefixes
// every line.
func WriteModinfoJSON(w io.Writer, path string, fields []Field, opt ModinfoOptions, indent string) error {
	type entry struct {
		key    string
		values []string
	}
	var order []*entry
	byKey := map[string]*entry{}
	for _, f := range fields {
		if opt.Field != "" && f.Key != opt.Field {
			continue
		}
		v := f.Value
		if f.Key == "sig_key" || f.Key == "signature" {
			v = strings.ReplaceAll(v, "\n\t\t", "")
		}
		e := byKey[f.Key]
		if e == nil {
			e = &entry{key: f.Key}
			byKey[f.Key] = e
			order = append(order, e)
		}
		e.values = append(e.values, v)
	}
	var b, scratch bytes.Buffer
	enc := json.NewEncoder(&scratch)
	enc.SetEscapeHTML(false)
	str := func(s string) {
		scratch.Reset()
		enc.Encode(s)
		b.Write(bytes.TrimSuffix(scratch.Bytes(), []byte("\n")))
	}
	b.WriteString(indent + "{\n" + indent + "  \"filename\": ")
	str(path)
	for _, e := range order {
		if e.key == "filename" {
			continue // the path wins; kmod prints a filename= string too, as an ordinary field
		}
		b.WriteString(",\n" + indent + "  ")
		str(e.key)
		b.WriteString(": ")
		if len(e.values) == 1 && !JSONListKeys[e.key] {
			str(e.values[0])
			continue
		}
		b.WriteString("[")
		for i, v := range e.values {
			if i > 0 {
				b.WriteString(", ")
			}
			str(v)
		}
		b.WriteString("]")
	}
	b.WriteString("\n" + indent + "}")
	_, err := w.Write(b.Bytes())
	return err
}
