package modinfo

import (
	"bytes"
	"fmt"
)

// Section names.
const (
	Section           = ".modinfo"
	ThisModuleSection = ".gnu.linkonce.this_module"
)

// Layout of the start of struct module (include/linux/module.h), the same
// on every 64-bit arch (x86_64, ia64; LP64): enum module_state state (4
// bytes), 4 bytes of padding, struct list_head list (two pointers, 16
// bytes), then char name[MODULE_NAME_LEN].
const (
	NameOffset = 24
	NameLen    = 56 // MODULE_NAME_LEN: 64 - sizeof(unsigned long)
)

// ThisModuleError reports a .gnu.linkonce.this_module section too small to
// hold struct module's name.
type ThisModuleError struct {
	Size int // the section's size
}

func (e *ThisModuleError) Error() string {
	return fmt.Sprintf("%s is %d bytes, too small for struct module's name", ThisModuleSection, e.Size)
}

// ThisModuleName returns the name field of the struct module that b, the
// contents of .gnu.linkonce.this_module, holds: the bytes of name[] up to
// its first NUL, all NameLen of them if there is none. It returns a
// *ThisModuleError if b ends before name[] does.
func ThisModuleName(b []byte) (string, error) {
	if len(b) < NameOffset+NameLen {
		return "", &ThisModuleError{Size: len(b)}
	}
	name := b[NameOffset : NameOffset+NameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return string(name), nil
}
