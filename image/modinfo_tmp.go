package image

import (
	"bytes"
	"fmt"
)

// TODO(lead): replaced by the modinfo package once it lands.
func modinfoGet(b []byte, tag string) (string, bool) {
	for _, e := range bytes.Split(b, []byte{0}) {
		if v, ok := bytes.CutPrefix(e, []byte(tag+"=")); ok {
			return string(v), true
		}
	}
	return "", false
}

func thisModuleName(b []byte) (string, error) {
	const nameOff, nameLen = 24, 56
	if len(b) < nameOff+nameLen {
		return "", fmt.Errorf(".gnu.linkonce.this_module is %d bytes, too small for struct module's name", len(b))
	}
	name := b[nameOff : nameOff+nameLen]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	return string(name), nil
}
