package kmod

import "errors"

// A minimal BER reader: what PKCS#7 signature blobs need. OpenSSL, which
// kmod uses to read them, accepts BER (indefinite lengths, constructed
// strings) as well as DER, so this does too.

// ASN.1 universal tags used here.
const (
	tagInteger     = 2
	tagOctetString = 4
	tagOID         = 6
	tagSequence    = 16
	tagSet         = 17
)

// tlv is one decoded element.
type tlv struct {
	class       byte // 0 universal, 1 application, 2 context, 3 private
	constructed bool
	tag         int
	body        []byte // contents; for an indefinite length, up to the end-of-contents marker
}

var errBER = errors.New("malformed BER")

// maxDepth bounds nesting of indefinite-length elements.
const maxDepth = 64

// next decodes the element at the start of b and returns it and the rest.
func next(b []byte) (tlv, []byte, error) { return nextDepth(b, 0) }

func nextDepth(b []byte, depth int) (tlv, []byte, error) {
	var t tlv
	if depth > maxDepth || len(b) < 2 {
		return t, nil, errBER
	}
	t.class = b[0] >> 6
	t.constructed = b[0]&0x20 != 0
	t.tag = int(b[0] & 0x1f)
	i := 1
	if t.tag == 0x1f {
		t.tag = 0
		for {
			if i >= len(b) || t.tag > 1<<24 {
				return t, nil, errBER
			}
			c := b[i]
			i++
			t.tag = t.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return t, nil, errBER
	}
	l := int(b[i])
	i++
	switch {
	case l < 0x80:
	case l == 0x80:
		if !t.constructed {
			return t, nil, errBER
		}
		// Indefinite: elements up to an end-of-contents (00 00).
		start := i
		rest := b[i:]
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				t.body = b[start : len(b)-len(rest)]
				return t, rest[2:], nil
			}
			var err error
			_, rest, err = nextDepth(rest, depth+1)
			if err != nil {
				return t, nil, err
			}
		}
	default:
		n := l & 0x7f
		if n > 4 || i+n > len(b) {
			return t, nil, errBER
		}
		l = 0
		for _, c := range b[i : i+n] {
			l = l<<8 | int(c)
		}
		i += n
	}
	if l < 0 || l > len(b)-i {
		return t, nil, errBER
	}
	t.body = b[i : i+l]
	return t, b[i+l:], nil
}

// expect decodes the next element and checks it is the universal tag
// want (constructed or not).
func expect(b []byte, want int) (tlv, []byte, error) {
	t, rest, err := next(b)
	if err != nil {
		return t, nil, err
	}
	if t.class != 0 || t.tag != want {
		return t, nil, errBER
	}
	return t, rest, nil
}

// children returns the elements of a constructed element's body.
func children(body []byte) ([]tlv, error) {
	var out []tlv
	for len(body) > 0 {
		t, rest, err := next(body)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		body = rest
	}
	return out, nil
}

// octets returns the contents of a (possibly constructed) OCTET STRING or
// other string type.
func octets(t tlv) ([]byte, error) { return octetsDepth(t, 0) }

func octetsDepth(t tlv, depth int) ([]byte, error) {
	if !t.constructed {
		return t.body, nil
	}
	if depth > maxDepth {
		return nil, errBER
	}
	var out []byte
	parts, err := children(t.body)
	if err != nil {
		return nil, err
	}
	for _, p := range parts {
		b, err := octetsDepth(p, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}
