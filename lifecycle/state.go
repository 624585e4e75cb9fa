package lifecycle

import "fmt"

// State is a module's place in its lifecycle, numbered as the kernel's enum
// module_state.
type State int32

const (
	// StateLive is MODULE_STATE_LIVE: init succeeded; the module is in use.
	StateLive State = 0
	// StateComing is MODULE_STATE_COMING: fully formed, init running.
	StateComing State = 1
	// StateGoing is MODULE_STATE_GOING: being removed, or init failed.
	StateGoing State = 2
	// StateUnformed is MODULE_STATE_UNFORMED: still being set up, or torn
	// down; invisible to lookups.
	StateUnformed State = 3
)

// String returns the state as sysfs's initstate spells it ("live",
// "coming", "going"), and "unformed" for the state sysfs never shows.
func (s State) String() string {
	switch s {
	case StateLive:
		return "live"
	case StateComing:
		return "coming"
	case StateGoing:
		return "going"
	case StateUnformed:
		return "unformed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}
