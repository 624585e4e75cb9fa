// Package workers runs calls of one function on a bounded number of
// goroutines: Run for independent calls, Ordered for calls that must wait
// for earlier ones to return. It holds no state between calls.
//
// Callers that must stream results while the calls run (golink modinfo)
// call Run on a goroutine of their own and wait per item; Run itself
// returns only when every call has.
package workers
