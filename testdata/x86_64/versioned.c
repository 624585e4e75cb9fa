// Build: make -C testdata (kernel flags). Carries __versions as modpost
// writes it: module_layout and _printk with the 6.1.0-47 kernel's CRCs, and
// kfree with a wrong one, so the kernel refuses kfree ("disagrees about
// version of symbol kfree", err -22).
#define GOLINK_NO_EXIT
#include <golink/module.h>
MODULE_LICENSE("GPL");
MODULE_INFO(intree, "Y");
struct modversion_info {
	unsigned long crc;
	char name[56];
};
static const struct modversion_info ____versions[] __used __section("__versions") __aligned(32) = {
	{0x92997ed8, "_printk"},
	{0xdeadbeef, "kfree"},
	{0x160c03af, "module_layout"},
};
static int __init versioned_init(void)
{
	pr_info("versioned\n");
	kfree(NULL);
	return 0;
}
module_init(versioned_init);
