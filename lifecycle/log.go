package lifecycle

import (
	"fmt"
	"strings"
	"sync"
)

// The kernel's log levels (include/linux/kern_levels.h).
const (
	LevelEmerg   = 0
	LevelAlert   = 1
	LevelCrit    = 2
	LevelErr     = 3
	LevelWarning = 4
	LevelNotice  = 5
	LevelInfo    = 6
	LevelDebug   = 7
	// LevelDefault is what a message without a level gets
	// (CONFIG_MESSAGE_LOGLEVEL_DEFAULT).
	LevelDefault = LevelWarning
)

// Record is one line of the kernel log.
type Record struct {
	Seq    uint64
	Level  int
	Module string // the module whose code printed it, "" for the loader
	Text   string // without the level prefix and trailing newline
}

func (r Record) String() string { return fmt.Sprintf("<%d>%s", r.Level, r.Text) }

// Log is the kernel's message buffer: printk from module code and the
// loader's own messages. It keeps at most Cap records, dropping the oldest
// quarter when full.
type Log struct {
	mu      sync.Mutex
	recs    []Record
	next    uint64
	open    map[string]int // module → index of its record still open for KERN_CONT
	Cap     int            // records kept; 0 means 4096
	dropped uint64
}

const soh = '\001' // KERN_SOH

// Printk adds msg as printed by module: a leading KERN_SOH and level digit
// set the level (KERN_DEFAULT otherwise), KERN_CONT ("\001c") continues
// the module's last record if that did not end its line.
func (l *Log) Printk(module, msg string) {
	level, cont := LevelDefault, false
	for len(msg) >= 2 && msg[0] == soh {
		switch c := msg[1]; {
		case c >= '0' && c <= '7':
			level = int(c - '0')
		case c == 'c':
			cont = true
		}
		msg = msg[2:]
	}
	ended := strings.HasSuffix(msg, "\n")
	msg = strings.TrimSuffix(msg, "\n")
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open == nil {
		l.open = map[string]int{}
	}
	if i, ok := l.open[module]; ok && cont && i < len(l.recs) && l.recs[i].Module == module {
		l.recs[i].Text += msg
		if ended {
			delete(l.open, module)
		}
		return
	}
	delete(l.open, module)
	l.addLocked(Record{Level: level, Module: module, Text: msg})
	if !ended {
		l.open[module] = len(l.recs) - 1
	}
}

// Logf adds a loader message at level: the kernel's own words.
func (l *Log) Logf(level int, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range strings.Split(fmt.Sprintf(format, args...), "\n") {
		l.addLocked(Record{Level: level, Text: line})
	}
}

func (l *Log) addLocked(r Record) {
	c := l.Cap
	if c <= 0 {
		c = 4096
	}
	r.Seq = l.next
	l.next++
	if len(l.recs) >= c {
		// Drop a quarter at a time, so that a full buffer costs O(1) a
		// record, not a copy of the whole.
		n := len(l.recs) - c + 1 + (c-1)/4
		l.recs = append(l.recs[:0], l.recs[n:]...)
		l.dropped += uint64(n)
		for m, i := range l.open {
			if i < n {
				delete(l.open, m)
			} else {
				l.open[m] = i - n
			}
		}
	}
	l.recs = append(l.recs, r)
}

// Since returns the records with Seq ≥ seq still kept, and the Seq to ask
// for next time.
func (l *Log) Since(seq uint64) ([]Record, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Record
	for _, r := range l.recs {
		if r.Seq >= seq {
			out = append(out, r)
		}
	}
	return out, l.next
}

// Records returns every record kept.
func (l *Log) Records() []Record {
	r, _ := l.Since(0)
	return r
}

// Dropped returns how many records fell off the front of the buffer.
func (l *Log) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}
