// Package host runs linked x86_64 kernel modules inside this process: it
// is the machine half of a golink kernel, a lifecycle.Executor whose
// module memory is real and whose calls are machine calls.
//
// Memory. Modules live in one area reserved below 2 GiB, near the Go
// binary's text, as the kernel keeps its modules within 2 GiB of its own
// text so that 32-bit displacements reach both ways. Each module's regions
// are mapped read-write while it is installed, then protected as the
// kernel's module_enable_ro and module_enable_nx protect them: text read
// and execute, read-only data read-only, data read-write, ro_after_init
// read-only once init has run; never writable and executable at once.
// Freed code — init's after init, all of it when the module goes — is
// overwritten with int3, so that a stale call traps rather than runs. A
// removed module's block keeps its protections and is given to the next
// module laid out the same way, whose bytes are written in through
// /proc/self/mem, as the kernel's text_poke writes its read-only text: a
// reload costs no protection change at all (reuse.go). The backend is reloc/x86_64 with
// Options.GOT, so plain `gcc -c` output (PIE, GOT-relative loads) links as
// well as kernel-flag output, and calls reach the host through PLT stubs if
// the binary is position-independent and far away.
//
// The kernel's exports. A small C runtime compiled into the binary by cgo
// provides what modules call: printk (into the lifecycle kernel's log, at
// the KERN_* level the format begins with), kmalloc, kzalloc, kfree and
// friends, the string functions, snprintf and its relatives,
// try_module_get and module_put, __symbol_get and __symbol_put, the
// parameter ops (param_ops_int and the rest, with working set and get), and
// a callback registry; ktime_get_ns and get_random_u32 are Go functions
// exported through cgo. Their addresses in this process are the symbol
// table modules resolve against.
//
// Attribution. A function called from module code finds its module from
// its return address. kmalloc records its caller in a header before the
// memory it returns, linking every allocation into a ledger by owner; when
// the module is removed, whatever it still holds is freed and reported as
// a leak, named function+offset from the module's symbols.
//
// cgo and unsafe live here and nowhere else in golink.
package host
