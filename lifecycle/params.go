package lifecycle

import (
	"fmt"
	"strings"
	"syscall"
)

// applyParams is load_module's parse_args. Until the params package is
// merged, a module loads only without arguments.
func (k *Kernel) applyParams(m *Module) error {
	if strings.TrimSpace(m.args) == "" {
		return nil
	}
	return &Error{Module: m.Name, Op: "load", Errno: syscall.EINVAL, Msg: fmt.Sprintf("%s: parameters are not supported yet", m.Name)}
}
