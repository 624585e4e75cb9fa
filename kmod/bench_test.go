package kmod_test

import (
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golink/golink/internal/corpus"
	"github.com/golink/golink/kmod"
)

func corpusModules(b *testing.B) []string {
	dir := corpus.Dir(b, corpus.Default)
	var out []string
	filepath.WalkDir(corpus.Modules(dir, corpus.Default), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".ko") {
			out = append(out, p)
		}
		return err
	})
	return out
}

// BenchmarkModinfo reads and formats every module of the default corpus
// on one goroutine, as golink modinfo does per file.
func BenchmarkModinfo(b *testing.B) {
	paths := corpusModules(b)
	b.ResetTimer()
	for range b.N {
		for _, p := range paths {
			m, err := kmod.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			kmod.WriteModinfo(io.Discard, m.Path, kmod.Info(m.File), kmod.ModinfoOptions{}, func(string) {})
			m.Close()
		}
	}
}

// BenchmarkDepmod indexes the default corpus (without writing files).
func BenchmarkDepmod(b *testing.B) {
	dir := corpus.Dir(b, corpus.Default)
	b.ResetTimer()
	for range b.N {
		d, err := kmod.RunDepmod(&kmod.DepmodConfig{BaseDir: dir, Version: corpus.Default})
		if err != nil {
			b.Fatal(err)
		}
		d.WriteAll(io.Discard)
	}
}
