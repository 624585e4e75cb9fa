//go:build !linux

package kmod

import "errors"

func kernelRelease() (string, error) {
	return "", errors.New("no running Linux kernel: give the version")
}
