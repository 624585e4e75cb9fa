//go:build !(linux && amd64 && cgo)

package host

import (
	"errors"

	"github.com/golink/golink/lifecycle"
)

// ErrUnsupported is what New returns where modules cannot run: anywhere
// but linux/amd64 with cgo.
var ErrUnsupported = errors.New("host: running modules needs linux/amd64 and cgo")

// Executor runs modules; on this platform it cannot.
type Executor struct{}

// New returns ErrUnsupported.
func New() (*Executor, error) { return nil, ErrUnsupported }

// NewKernel returns ErrUnsupported.
func NewKernel() (*lifecycle.Kernel, error) { return nil, ErrUnsupported }

// Callback returns ErrUnsupported.
func Callback(k *lifecycle.Kernel, name string) (lifecycle.Func, error) {
	return lifecycle.Func{}, ErrUnsupported
}

// StaleCalls returns 0.
func StaleCalls() int64 { return 0 }
