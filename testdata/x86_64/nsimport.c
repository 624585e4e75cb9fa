// Build: make -C testdata (kernel flags). Uses crypto_cipher_setkey, exported
// in namespace CRYPTO_INTERNAL, and imports the namespace: it links.
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(CRYPTO_INTERNAL);
extern int crypto_cipher_setkey(void *tfm, const u8 *key, unsigned int keylen);
static int __init nsimport_init(void)
{
	return crypto_cipher_setkey(NULL, NULL, 0);
}
module_init(nsimport_init);
