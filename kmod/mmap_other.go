//go:build !linux

package kmod

import "os"

func mapFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, nil, err
}
