// Package modinfo decodes the two places a kernel module names itself:
// its .modinfo section (the "tag=value" strings of MODULE_LICENSE,
// MODULE_AUTHOR, MODULE_ALIAS and modpost's name=, vermagic=, depends=...)
// and the name field of the struct module in .gnu.linkonce.this_module,
// which the kernel's setup_load_info falls back to when .modinfo has no
// name. It is a leaf: the linker and kmod both decode through it, so
// neither needs the other.
package modinfo
