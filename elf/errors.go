package elf

import (
	"fmt"
	"strings"
)

// FormatError reports a malformed object: what is wrong and where.
//
// Msg is the kernel's own message where the kernel makes the same check
// (for example "Invalid ELF section header overflow"), so the text matches
// what dmesg would show; Detail adds the numbers that explain it.
type FormatError struct {
	File    string // file name, if known
	Section int    // section header index, or -1
	Name    string // section name, if known
	Off     int64  // file offset of the offending bytes, or -1
	Msg     string // what is wrong
	Detail  string // the values involved, or ""
}

func (e *FormatError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Section >= 0 {
		fmt.Fprintf(&b, "section %d", e.Section)
		if e.Name != "" {
			fmt.Fprintf(&b, " (%s)", e.Name)
		}
		b.WriteString(": ")
	} else if e.Off >= 0 {
		fmt.Fprintf(&b, "offset %#x: ", e.Off)
	}
	b.WriteString(e.Msg)
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(e.Detail)
		b.WriteString(")")
	}
	return b.String()
}

func formatErr(sec int, off int64, msg string, detail string, args ...any) *FormatError {
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	return &FormatError{Section: sec, Off: off, Msg: msg, Detail: detail}
}
