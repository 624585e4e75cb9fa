// Build: make -C testdata (kernel flags). Uses crypto_cipher_setkey, exported
// in namespace CRYPTO_INTERNAL, without MODULE_IMPORT_NS: refused (err -22).
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
extern int crypto_cipher_setkey(void *tfm, const u8 *key, unsigned int keylen);
static int __init nsmissing_init(void)
{
	return crypto_cipher_setkey(NULL, NULL, 0);
}
module_init(nsmissing_init);
