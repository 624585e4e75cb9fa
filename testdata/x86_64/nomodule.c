// Build: make -C testdata (kernel flags). Has .modinfo but no module_init,
// hence no .gnu.linkonce.this_module: "No module found in object".
#include <golink/module.h>
MODULE_LICENSE("GPL");
int nomodule_answer(void)
{
	return 42;
}
