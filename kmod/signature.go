package kmod

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"

	"github.com/golink/golink/elf"
)

// SignatureInfo is what modinfo shows of a module's appended signature.
type SignatureInfo struct {
	IDType   string // "PKCS#7" (sig_id)
	Signer   string // the issuer's commonName (signer)
	KeyID    []byte // the issuer serial number, big-endian magnitude (sig_key)
	HashAlgo string // the digest algorithm: "sha256"... (sig_hashalgo)
	Sig      []byte // the signature proper, the signer's encryptedDigest (signature)
}

// pkeyIDTypes are the id_type names of struct module_signature.
var pkeyIDTypes = []string{"PGP", "X509", "PKCS#7"}

// hashAlgos maps digest OIDs to the names kmod prints (its pkey_hash_algo
// table); a digest outside it makes kmod show no signature at all.
var hashAlgos = map[string]string{
	"1.2.840.113549.2.4":     "md4",
	"1.2.840.113549.2.5":     "md5",
	"1.3.14.3.2.26":          "sha1",
	"1.3.36.3.2.1":           "rmd160",
	"2.16.840.1.101.3.4.2.1": "sha256",
	"2.16.840.1.101.3.4.2.2": "sha384",
	"2.16.840.1.101.3.4.2.3": "sha512",
	"2.16.840.1.101.3.4.2.4": "sha224",
	"1.2.156.10197.1.401":    "sm3",
}

// oidSignedData is PKCS#7's signedData content type.
const oidSignedData = "1.2.840.113549.1.7.2"

// SignatureError reports a PKCS#7 blob that cannot be read.
type SignatureError struct {
	What string // the part being read
	Err  error
}

func (e *SignatureError) Error() string { return "module signature: " + e.What + ": " + e.Err.Error() }
func (e *SignatureError) Unwrap() error { return e.Err }

// Signature returns what kmod shows of a module's signature, or nil if it
// shows nothing: an unsigned module, or a PKCS#7 blob kmod (through
// OpenSSL) cannot read. The error says why a blob could not be read; kmod
// is silent about it.
func Signature(f *elf.File) (*SignatureInfo, error) {
	s := f.Signature
	if s == nil || len(s.Blob) == 0 {
		return nil, nil
	}
	if int(s.IDType) >= len(pkeyIDTypes) || s.Algo >= 2 || s.Hash >= 9 {
		return nil, nil
	}
	return ParsePKCS7(s.Blob)
}

// ParsePKCS7 reads a PKCS#7 SignedData message (DER or BER) as kmod's
// fill_pkcs7 does: the first SignerInfo's issuer commonName, serial number,
// digest algorithm and encrypted digest. Errors are *SignatureError values.
func ParsePKCS7(blob []byte) (*SignatureInfo, error) {
	fail := func(what string, err error) (*SignatureInfo, error) {
		if err == nil {
			err = errBER
		}
		return nil, &SignatureError{What: what, Err: err}
	}
	ci, _, err := expect(blob, tagSequence)
	if err != nil {
		return fail("ContentInfo", err)
	}
	oidT, rest, err := expect(ci.body, tagOID)
	if err != nil {
		return fail("contentType", err)
	}
	if oid, err := oidString(oidT.body); err != nil || oid != oidSignedData {
		return fail("contentType", fmt.Errorf("%s is not signedData", oid))
	}
	explicit, _, err := next(rest)
	if err != nil || explicit.class != 2 || explicit.tag != 0 {
		return fail("content", err)
	}
	sd, _, err := expect(explicit.body, tagSequence)
	if err != nil {
		return fail("SignedData", err)
	}
	parts, err := children(sd.body)
	if err != nil {
		return fail("SignedData", err)
	}
	// version, digestAlgorithms, contentInfo, [0] certificates, [1] crls, signerInfos
	var signerInfos *tlv
	for i := range parts {
		if i >= 3 && parts[i].class == 0 && parts[i].tag == tagSet {
			signerInfos = &parts[i]
		}
	}
	if len(parts) < 4 || signerInfos == nil {
		return fail("SignedData", fmt.Errorf("no signerInfos"))
	}
	si, _, err := expect(signerInfos.body, tagSequence)
	if err != nil {
		return fail("SignerInfo", err)
	}
	f, err := children(si.body)
	if err != nil || len(f) < 5 {
		return fail("SignerInfo", err)
	}
	// version, issuerAndSerialNumber, digestAlgorithm, [0] authenticatedAttributes,
	// digestEncryptionAlgorithm, encryptedDigest
	if f[1].class != 0 || f[1].tag != tagSequence {
		return fail("issuerAndSerialNumber", fmt.Errorf("not a SEQUENCE (subjectKeyIdentifier signers are not PKCS#7)"))
	}
	ias, err := children(f[1].body)
	if err != nil || len(ias) != 2 || ias[0].tag != tagSequence || ias[1].tag != tagInteger {
		return fail("issuerAndSerialNumber", err)
	}
	info := &SignatureInfo{IDType: "PKCS#7"}
	if info.Signer, err = issuerName(ias[0].body); err != nil {
		return fail("issuer", err)
	}
	serial, err := parseInteger(ias[1].body)
	if err != nil {
		return fail("serialNumber", err)
	}
	info.KeyID = serial.Abs(serial).Bytes()
	if f[2].tag != tagSequence {
		return fail("digestAlgorithm", nil)
	}
	alg, err := algorithmOID(f[2].body)
	if err != nil {
		return fail("digestAlgorithm", err)
	}
	name, ok := hashAlgos[alg]
	if !ok {
		return fail("digestAlgorithm", fmt.Errorf("%s is not a digest kmod knows", alg))
	}
	info.HashAlgo = name
	k := 3
	if f[k].class == 2 && f[k].tag == 0 {
		k++ // authenticatedAttributes
	}
	if k+1 >= len(f) || f[k].tag != tagSequence || f[k+1].class != 0 || f[k+1].tag != tagOctetString {
		return fail("encryptedDigest", nil)
	}
	if info.Sig, err = octets(f[k+1]); err != nil {
		return fail("encryptedDigest", err)
	}
	return info, nil
}

// issuerName is kmod's x509_name_to_str: the value of the first
// commonName attribute, else that of the last attribute of the name, cut
// at a NUL as a C string is.
func issuerName(rdns []byte) (string, error) {
	sets, err := children(rdns)
	if err != nil {
		return "", err
	}
	var last []byte
	found := false
	for _, set := range sets {
		atvs, err := children(set.body)
		if err != nil {
			return "", err
		}
		for _, atv := range atvs {
			kv, err := children(atv.body)
			if err != nil || len(kv) != 2 || kv[0].tag != tagOID {
				return "", errBER
			}
			v, err := octets(kv[1])
			if err != nil {
				return "", err
			}
			last, found = v, true
			if bytes.Equal(kv[0].body, []byte{0x55, 0x04, 0x03}) { // 2.5.4.3 commonName
				return cstr(v), nil
			}
		}
	}
	if !found {
		return "", nil
	}
	return cstr(last), nil
}

func cstr(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parseInteger decodes the contents of an INTEGER (two's complement).
func parseInteger(b []byte) (*big.Int, error) {
	if len(b) == 0 {
		return nil, errBER
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return v, nil
}

// algorithmOID returns the dotted OID of an AlgorithmIdentifier's body.
func algorithmOID(body []byte) (string, error) {
	t, _, err := expect(body, tagOID)
	if err != nil {
		return "", err
	}
	return oidString(t.body)
}

func oidString(b []byte) (string, error) {
	if len(b) == 0 || b[len(b)-1]&0x80 != 0 {
		return "", errBER
	}
	var parts []string
	var v uint64
	first := true
	for _, c := range b {
		if v > 1<<56 {
			return "", errBER
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			continue
		}
		if first {
			switch {
			case v < 40:
				parts = append(parts, "0", fmt.Sprint(v))
			case v < 80:
				parts = append(parts, "1", fmt.Sprint(v-40))
			default:
				parts = append(parts, "2", fmt.Sprint(v-80))
			}
			first = false
		} else {
			parts = append(parts, fmt.Sprint(v))
		}
		v = 0
	}
	return strings.Join(parts, "."), nil
}
