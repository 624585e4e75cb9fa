//go:build linux && amd64 && cgo

package host_test

import (
	"context"
	"testing"

	"github.com/golink/golink/host"
	"github.com/golink/golink/lifecycle"
)

func TestSmoke(t *testing.T) {
	k, err := host.NewKernel()
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range []string{"hello.ko", "hello-pie.o", "hello-nopic.o"} {
		m, err := k.LoadFile("../testdata/x86_64/"+obj, "count=2 who=bob levels=5,6,7")
		if err != nil {
			t.Fatalf("%s: %v", obj, err)
		}
		v, err := k.Call("hello_add", 2, 3)
		t.Logf("%s: hello_add(2,3) = %d %v; state %v", obj, v, err, m.State())
		if err := k.Remove(context.Background(), "hello", lifecycle.NonBlock); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range k.Log().Records() {
		t.Log(r)
	}
}
