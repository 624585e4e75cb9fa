package kmod

import (
	"bufio"
	"encoding/binary"
	"io"
)

// The binary indexes (modules.dep.bin and friends) that modprobe reads:
// a trie with path compression, written by kmod 30 children first
// (post-order; kmod 34 switched to pre-order).
//
// File: magic 0xB007F457, version 0x00020001, root node offset, then the
// nodes, all integers big-endian u32. A node offset carries flags in its
// top bits: 0x80000000 the node has a prefix (a NUL-terminated string),
// 0x20000000 children (first and last child character as two bytes, then
// one offset per character in between, 0 where there is no child),
// 0x40000000 values (a count, then per value its priority and a
// NUL-terminated string). Values are kept sorted by priority, a new value
// going before the old ones of equal priority.

const (
	indexMagic   = 0xB007F457
	indexVersion = 0x00020001

	nodePrefix = 0x80000000
	nodeValues = 0x40000000
	nodeChilds = 0x20000000
)

type indexValue struct {
	priority uint32
	value    string
}

type indexChild struct {
	ch   byte
	node *indexNode
}

type indexNode struct {
	prefix   string
	values   []indexValue
	children []indexChild // sorted by ch
}

func (n *indexNode) child(ch byte) *indexNode {
	for _, c := range n.children {
		if c.ch == ch {
			return c.node
		}
	}
	return nil
}

func (n *indexNode) addChild(ch byte, c *indexNode) {
	i := 0
	for i < len(n.children) && n.children[i].ch < ch {
		i++
	}
	n.children = append(n.children, indexChild{})
	copy(n.children[i+1:], n.children[i:])
	n.children[i] = indexChild{ch, c}
}

// addValue inserts value before the first one of greater or equal
// priority and reports whether the node had it already.
func (n *indexNode) addValue(value string, priority uint32) bool {
	dup := false
	for _, v := range n.values {
		if v.value == value {
			dup = true
		}
	}
	i := 0
	for i < len(n.values) && n.values[i].priority < priority {
		i++
	}
	n.values = append(n.values, indexValue{})
	copy(n.values[i+1:], n.values[i:])
	n.values[i] = indexValue{priority, value}
	return dup
}

// insert adds key → value to the trie rooted at n (index_insert) and
// reports whether the key had that value already.
func (n *indexNode) insert(key, value string, priority uint32) bool {
	node := n
	i := 0
	for {
		j := 0
		for ; j < len(node.prefix); j++ {
			ch := node.prefix[j]
			if i+j < len(key) && key[i+j] == ch {
				continue
			}
			// Split: the node keeps prefix[:j], a new child at prefix[j]
			// takes the rest with the node's values and children.
			rest := &indexNode{prefix: node.prefix[j+1:], values: node.values, children: node.children}
			*node = indexNode{prefix: node.prefix[:j], children: []indexChild{{ch, rest}}}
			break
		}
		i += j
		if i == len(key) {
			return node.addValue(value, priority)
		}
		ch := key[i]
		c := node.child(ch)
		if c == nil {
			c = &indexNode{prefix: key[i+1:]}
			c.addValue(value, priority)
			node.addChild(ch, c)
			return false
		}
		node = c
		i++
	}
}

// indexWriter writes a trie and keeps track of the file offset.
type indexWriter struct {
	w   *bufio.Writer
	off uint32
	buf [4]byte
}

func (w *indexWriter) u32(v uint32) {
	binary.BigEndian.PutUint32(w.buf[:], v)
	w.w.Write(w.buf[:])
	w.off += 4
}

func (w *indexWriter) str(s string) {
	w.w.WriteString(s)
	w.w.WriteByte(0)
	w.off += uint32(len(s)) + 1
}

func (w *indexWriter) node(n *indexNode) uint32 {
	var offs []uint32
	var first, last byte
	if len(n.children) > 0 {
		first, last = n.children[0].ch, n.children[len(n.children)-1].ch
		offs = make([]uint32, int(last)-int(first)+1)
		for _, c := range n.children {
			offs[c.ch-first] = w.node(c.node)
		}
	}
	off := w.off
	if n.prefix != "" {
		w.str(n.prefix)
		off |= nodePrefix
	}
	if len(offs) > 0 {
		w.w.WriteByte(first)
		w.w.WriteByte(last)
		w.off += 2
		for _, o := range offs {
			w.u32(o)
		}
		off |= nodeChilds
	}
	if len(n.values) > 0 {
		w.u32(uint32(len(n.values)))
		for _, v := range n.values {
			w.u32(v.priority)
			w.str(v.value)
		}
		off |= nodeValues
	}
	return off
}

// writeIndex writes the trie rooted at root as an index file.
func writeIndex(out io.Writer, root *indexNode) error {
	// The root offset comes first in the file but is known last: write
	// the nodes after a 12-byte header into a buffer, then both.
	var body bytesWriter
	w := &indexWriter{w: bufio.NewWriterSize(&body, 64<<10), off: 12}
	rootOff := w.node(root)
	if err := w.w.Flush(); err != nil {
		return err
	}
	var hdr [12]byte
	binary.BigEndian.PutUint32(hdr[0:], indexMagic)
	binary.BigEndian.PutUint32(hdr[4:], indexVersion)
	binary.BigEndian.PutUint32(hdr[8:], rootOff)
	if _, err := out.Write(hdr[:]); err != nil {
		return err
	}
	_, err := out.Write(body)
	return err
}

// bytesWriter is an append-only byte slice.
type bytesWriter []byte

func (b *bytesWriter) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
}

// normalizeAlias is kmod's alias normalisation for index keys
// (underscores2, alias_normalize): '-' becomes '_' except inside [...];
// an unmatched bracket makes the alias unusable. Keys are cut at max-1
// bytes, the size of kmod's buffer less its NUL.
func normalizeAlias(alias string, max int) (string, bool) {
	b := []byte(alias)
	if len(b) > max-1 {
		b = b[:max-1]
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '-':
			b[i] = '_'
		case ']':
			return "", false
		case '[':
			j := i
			for j < len(b) && b[j] != ']' {
				j++
			}
			if j == len(b) {
				return "", false
			}
			i = j
		}
	}
	return string(b), true
}
