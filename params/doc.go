// Package params is the kernel's module-parameter machinery (Linux 6.1,
// include/linux/moduleparam.h, kernel/params.c, lib/kstrtox.c,
// lib/cmdline.c), for modules that golink links rather than the kernel.
//
// It has three parts:
//
//   - Decode reads a module's __param table (an array of 40-byte struct
//     kernel_param on x86_64) through the relocations that fill its
//     pointers: each entry's name, its type (named by the ops symbol the
//     relocation targets: param_ops_int, param_array_ops with its struct
//     kparam_array, param_ops_string with its struct kparam_string), where
//     its variable lives, its permission and its array bounds; Merge adds
//     the .modinfo parmtype= and parm= strings. DecodeMemory reads the same
//     table from a module already linked, where the pointers are final.
//   - Apply is the kernel's parse_args with unknown_module_param_cb: the
//     argument grammar of next_arg (quotes, '-' and '_' equal in names, a
//     bare name for bool), and each standard ops' set function with the
//     kstrto* rules, writing typed values into module memory through the
//     Memory interface. charp values need memory of their own, which an
//     Allocator provides. Errors and messages are the kernel's, byte for
//     byte.
//   - Get formats a parameter's current value as the ops' get function
//     would for sysfs.
//
// Facts relied on (x86_64, LP64, little-endian): struct kernel_param is
// name 0, mod 8, ops 16, perm u16 24, level s8 26, flags u8 27, arg 32,
// 40 bytes; struct kparam_string is maxlen u32 0, string 8; struct
// kparam_array is max u32 0, elemsize u32 4, num 8, ops 16, elem 24;
// struct kernel_param_ops starts with its u32 flags, set at 8.
package params
