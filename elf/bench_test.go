//go:build unix

package elf_test

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"

	"github.com/golink/golink/elf"
	"github.com/golink/golink/internal/corpus"
)

// mmapFile is the reader elf used before ReadFile, kept here to compare
// against: files from 64 KiB on mapped MAP_SHARED (a file truncated while
// mapped raises SIGBUS), smaller ones read into a fresh buffer.
func mmapFile(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if st.Size() < 64<<10 {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}

// BenchmarkOpenTree opens, decodes and closes every module of the corpus
// trees (6.1 .ko and 6.12 .ko.xz, when GOLINK_ABIS names it), reading each
// file with elf.ReadFile ("read") and with the mapping reader it replaced
// ("mmap"), on one goroutine and on GOMAXPROCS:
//
//	go test -run - -bench OpenTree -benchtime 5x ./elf
func BenchmarkOpenTree(b *testing.B) {
	for _, abi := range corpus.ABIs() {
		paths := corpus.ModulePaths(b, corpus.Modules(corpus.Dir(b, abi), abi))
		for _, r := range []struct {
			name string
			read func(string) ([]byte, func(), error)
		}{{"read", elf.ReadFile}, {"mmap", mmapFile}} {
			for _, jobs := range []int{1, runtime.GOMAXPROCS(0)} {
				b.Run(fmt.Sprintf("%s/%s/j%d", abi, r.name, jobs), func(b *testing.B) {
					for range b.N {
						openAll(b, paths, r.read, jobs)
					}
				})
			}
		}
	}
}

func openAll(b *testing.B, paths []string, read func(string) ([]byte, func(), error), jobs int) {
	ch := make(chan string)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ch {
				data, release, err := read(p)
				if err != nil {
					b.Error(err)
					continue
				}
				f, err := elf.Decode(p, data)
				if err != nil {
					b.Error(err)
				} else if i := f.SectionByName(".modinfo", 0); i != 0 {
					_ = f.Bytes(i)
				}
				release()
			}
		}()
	}
	for _, p := range paths {
		ch <- p
	}
	close(ch)
	wg.Wait()
}
