package vmlinux_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/symtab"
	"github.com/golink/golink/vmlinux"
)

// TestRecoverCorpus: the table recovered from each Debian image equals the
// real System.map for every symbol kallsyms keeps.
func TestRecoverCorpus(t *testing.T) {
	for _, abi := range corpus.ABIs() {
		t.Run(abi, func(t *testing.T) {
			dir := corpus.Dir(t, abi)
			ks, err := vmlinux.Recover(cliVmlinux(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			m, err := symtab.ReadAddresses(filepath.Join(dir, "System.map"))
			if err != nil {
				t.Fatal(err)
			}
			type na struct {
				name string
				addr uint64
			}
			inMap := map[na]byte{}
			for _, s := range m {
				inMap[na{s.Name, s.Addr}] = s.Type
			}
			equal, percpu, other := 0, 0, 0
			inKallsyms := map[na]bool{}
			for _, s := range ks.Symbols {
				inKallsyms[na{s.Name, s.Addr}] = true
				typ, ok := inMap[na{s.Name, s.Addr}]
				switch {
				case !ok:
					other++
					if other <= 5 {
						t.Errorf("%016x %c %s: recovered, not in System.map", s.Addr, s.Type, s.Name)
					}
				case typ == s.Type:
					equal++
				case s.Type == 'A' && (typ == 'D' || typ == 'd'):
					percpu++ // scripts/kallsyms types per-cpu symbols A
				default:
					other++
					if other <= 5 {
						t.Errorf("%s at %#x: type %c recovered, %c in System.map", s.Name, s.Addr, s.Type, typ)
					}
				}
			}
			// What kallsyms leaves out: its own tables (6.1 lists them
			// in no table), and absolute symbols the linker script
			// defines (text_size, phys_startup_64, init_per_cpu__*).
			var onlyMap []string
			for _, s := range m {
				if !inKallsyms[na{s.Name, s.Addr}] {
					onlyMap = append(onlyMap, fmt.Sprintf("%c %s", s.Type, s.Name))
					if s.Type != 'A' && !strings.HasPrefix(s.Name, "kallsyms_") {
						t.Errorf("%016x %c %s: in System.map, not recovered", s.Addr, s.Type, s.Name)
					}
				}
			}
			t.Logf("layout %s: %d recovered; %d equal in name, address and type, %d per-cpu typed A; %d only in System.map: %v",
				ks.Layout, len(ks.Symbols), equal, percpu, len(onlyMap), onlyMap)
			if other != 0 {
				t.Errorf("%d recovered symbols disagree with System.map", other)
			}
		})
	}
}
