package elf

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// SignatureMagic ends a signed module (MODULE_SIG_STRING).
const SignatureMagic = "~Module signature appended~\n"

// PKEY_ID_PKCS7 is the only id_type the kernel accepts in struct
// module_signature.
const PKEY_ID_PKCS7 = 2

// Signature is an appended module signature: struct module_signature and
// the signature blob it describes (a DER PKCS#7 message for every kernel
// since 4.3).
type Signature struct {
	Algo, Hash, IDType, SignerLen, KeyIDLen byte
	Blob                                    []byte // sig_len bytes before the 12-byte trailer
	Offset                                  int64  // file offset of Blob (= length of the ELF image)
}

// splitSignature cuts an appended signature off data, as the kernel's
// module_sig_check and mod_check_sig do. Without the magic, data is returned
// whole. A malformed trailer is a *FormatError with the kernel's reason.
func splitSignature(data []byte) ([]byte, *Signature, error) {
	n := len(data)
	if n <= len(SignatureMagic) || !bytes.HasSuffix(data, []byte(SignatureMagic)) {
		return data, nil, nil
	}
	n -= len(SignatureMagic)
	const trailer = 12
	if n <= trailer {
		return nil, nil, formatErr(-1, int64(n), "module signature: no room for struct module_signature (EBADMSG)", "%d bytes before the magic", n)
	}
	t := data[n-trailer : n]
	sig := &Signature{Algo: t[0], Hash: t[1], IDType: t[2], SignerLen: t[3], KeyIDLen: t[4]}
	sigLen := uint64(binary.BigEndian.Uint32(t[8:]))
	if sigLen >= uint64(n-trailer) {
		return nil, nil, formatErr(-1, int64(n-trailer), "module signature: sig_len larger than the module (EBADMSG)",
			"sig_len %d, %d bytes before the trailer", sigLen, n-trailer)
	}
	if sig.IDType != PKEY_ID_PKCS7 {
		return nil, nil, formatErr(-1, int64(n-trailer+2), "module: not signed with expected PKCS#7 message", "id_type %d", sig.IDType)
	}
	if sig.Algo != 0 || sig.Hash != 0 || sig.SignerLen != 0 || sig.KeyIDLen != 0 || t[5] != 0 || t[6] != 0 || t[7] != 0 {
		return nil, nil, formatErr(-1, int64(n-trailer), "module: PKCS#7 signature info has unexpected non-zero params",
			fmt.Sprintf("% x", t[:8]))
	}
	end := uint64(n-trailer) - sigLen
	sig.Blob = data[end:uint64(n-trailer)]
	sig.Offset = int64(end)
	return data[:end], sig, nil
}
