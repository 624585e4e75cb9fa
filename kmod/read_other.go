//go:build !linux

package kmod

import "os"

func readFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, nil, err
}
