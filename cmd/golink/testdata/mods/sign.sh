#!/bin/sh
# sign.sh IN OUT SUBJECT SERIAL DIGEST [ber|junk] — append a module
# signature to IN as the kernel's scripts/sign-file does (PKCS#7, no
# certificates, no signed attributes, then struct module_signature and the
# magic), with a throwaway key whose certificate has SUBJECT and SERIAL.
# "ber" writes the PKCS#7 message with BER indefinite lengths (openssl cms
# -stream); "junk" appends 100 random bytes in its place.
set -eu
in=$1 out=$2 subj=$3 serial=$4 md=$5 form=${6:-der}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -new -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	-days 36500 -subj "$subj" -set_serial "$serial" 2>/dev/null
case $form in
der) openssl smime -sign -nocerts -noattr -binary -md "$md" -in "$in" -signer "$tmp/cert.pem" \
	-inkey "$tmp/key.pem" -outform DER -out "$tmp/sig.p7" ;;
ber) openssl cms -sign -stream -nocerts -noattr -binary -md "$md" -in "$in" -signer "$tmp/cert.pem" \
	-inkey "$tmp/key.pem" -outform DER -out "$tmp/sig.p7" ;;
junk) head -c 100 /dev/urandom >"$tmp/sig.p7" ;;
esac
len=$(stat -c %s "$tmp/sig.p7")
{
	cat "$in" "$tmp/sig.p7"
	# algo, hash, id_type (2 = PKCS#7), signer_len, key_id_len, pad[3], sig_len (big-endian)
	printf '\000\000\002\000\000\000\000\000'
	printf "\\$(printf %03o $((len >> 24 & 255)))\\$(printf %03o $((len >> 16 & 255)))\\$(printf %03o $((len >> 8 & 255)))\\$(printf %03o $((len & 255)))"
	printf '~Module signature appended~\n'
} >"$out"
