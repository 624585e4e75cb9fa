// Package lifecycle is the part of the kernel that owns loaded modules: the
// module list, their states, reference counts and dependencies, and the
// path by which anything calls into them. golink's core links a module;
// this package makes it a citizen of a running kernel, with an Executor
// (package host, or a fake in tests) doing what needs a machine.
//
// Load is insmod as it has been since 2.5: one call that does everything.
// A module is UNFORMED while it is checked, placed and linked, COMING once
// its exports are published and while its init runs, LIVE when init
// returns, GOING while it is removed (or when init failed), and UNFORMED
// again as it is freed. Whatever fails on the way undoes what came before.
//
// The reference count follows Rusty Russell's 2002 design for the module
// loader that moved into the kernel. Its point was that a module can be
// removed safely only if nobody is executing in it, and that the check for
// this must not cost the callers anything that grows with the machine:
//
//   - A live flag says whether references may be taken. TryGet
//     (try_module_get) bumps the counter of the CPU it runs on and then
//     checks the flag, giving the reference back if the flag is clear. No
//     lock, no cache line written by every CPU: the counter is split into
//     per-CPU shards (per-P in Go, with preemption held off for the
//     increment, as the kernel disables it), and only removal adds them up.
//   - Removal clears the flag first. From then on no new reference can be
//     taken, so the sum can only fall; removal waits for it to reach zero —
//     or, non-blocking (delete_module with O_NONBLOCK), fails at once with
//     EWOULDBLOCK and sets the flag again. Then exit runs, and only then is
//     the memory freed.
//   - The Golden Rule: whoever calls through a function pointer into a
//     module must hold a reference to it. Func.Call is the one path from Go
//     into module code and takes the reference itself; a module's own
//     code needs none (someone who called it holds one), and a module that
//     resolved another's exports holds that one for its whole life, so a
//     provider cannot be removed before its users ("in use by").
//
// symbol_get and symbol_put take and drop the provider's reference by
// name, for modules that use another's function only when it is there.
//
// The kernel's words are kept: states and errnos of 6.1, the loader's
// messages, rmmod's complaints. Where golink does more than 6.1 it says so:
// 6.1's delete_module no longer waits for references (golink waits unless
// NonBlock is given), and a failing init is trusted by the kernel to have
// left no references behind (golink waits for them before freeing).
package lifecycle
