// Build: make -C testdata (kernel flags). Built for another kernel: its
// module_layout CRC is the PREEMPT_RT build's, so the generic kernel refuses
// it before looking at anything else (check_modstruct_version, -ENOEXEC).
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
	{0x037a0cba, "kfree"},
	{0x822d0a0e, "module_layout"},
};
static int __init modlayout_init(void)
{
	pr_info("modlayout\n");
	kfree(NULL);
	return 0;
}
module_init(modlayout_init);
