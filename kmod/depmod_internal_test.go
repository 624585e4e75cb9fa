package kmod

import (
	"testing"
)

func TestScanMajorMinor(t *testing.T) {
	for _, tc := range []struct {
		in       string
		maj, min uint32
		ok       bool
	}{
		{"char-major-10-242", 10, 242, true},
		{"char-major- 10- +7junk", 10, 7, true},
		{"char-major-10-", 0, 0, false},
		{"char-major-x-1", 0, 0, false},
		{"char-major--1-2", 0xffffffff, 2, true},
		{"char-major-4294967297-0", 1, 0, true},
		{"block-major-8-0", 0, 0, false},
	} {
		maj, mnr, ok := scanMajorMinor(tc.in, "char-major-")
		if ok != tc.ok || ok && (maj != tc.maj || mnr != tc.min) {
			t.Errorf("scanMajorMinor(%q) = %d, %d, %v; want %d, %d, %v", tc.in, maj, mnr, ok, tc.maj, tc.min, tc.ok)
		}
	}
}

func TestStrtoull16(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0x92997ed8", 0x92997ed8, true},
		{"92997ed8", 0x92997ed8, true},
		{"0x", 0, false},
		{"0xg", 0, false},
		{"-1", ^uint64(0), true},
		{"0x1ffffffffffffffff", ^uint64(0), true},
		{"", 0, false},
	} {
		got, ok := strtoull16(tc.in)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("strtoull16(%q) = %#x, %v; want %#x, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestHashSuperFast pins kmod's hash on keys of every length class, with
// values computed by the C algorithm (signed char, as on x86).
func TestHashSuperFast(t *testing.T) {
	for key, want := range map[string]uint32{
		"":                                   0,
		"a":                                  0x115ea782,
		"ab":                                 0x516b8b44,
		"abc":                                0xd2be198a,
		"abcd":                               0xdad8b8db,
		"mini_helper":                        0x008750c3,
		"jbd2_journal_start":                 0xf1bade19,
		"x\xe9y":                             0x8cc5d6ae,
		"\xff":                               0,
		"drm_dp_link_train_channel_eq_delay": 0xf0cb2800,
	} {
		if got := HashSuperFast(key); got != want {
			t.Errorf("HashSuperFast(%q) = %#x, want %#x", key, got, want)
		}
	}
}

func FuzzDepmodParsers(f *testing.F) {
	f.Add("char-major-10-242", "0x92997ed8")
	f.Fuzz(func(t *testing.T, alias, crc string) {
		scanMajorMinor(alias, "char-major-")
		_, _ = strtoull16(crc)
		HashSuperFast(alias)
	})
}
