// Package lock serializes revops processes on one project with an advisory file lock (flock):
// writers (run, extract) hold it exclusively, readers (query, show) share it. The kernel releases
// it when the process dies, so a crash never leaves a stale lock behind.
package lock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrHeld is returned when another process holds the lock; Held says who.
var ErrHeld = errors.New("another revops process holds the project lock")

// Held describes the holder of a lock.
type Held struct {
	Path    string    `json:"-"`
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	RunID   string    `json:"run_id"`
	Since   time.Time `json:"since"`
}

func (h *Held) Error() string {
	if h.PID == 0 {
		return fmt.Sprintf("%v (a query or show is reading; lock file %s)", ErrHeld, h.Path)
	}
	return fmt.Sprintf("%v: %s (pid %d, run %s) since %s; wait for it to finish, or run later (lock file %s)",
		ErrHeld, h.Command, h.PID, h.RunID, h.Since.Format(time.RFC3339), h.Path)
}

func (h *Held) Unwrap() error { return ErrHeld }

// Lock is a held lock.
type Lock struct {
	f         *os.File
	exclusive bool
}

// Acquire takes the lock at path without waiting; exclusive for writers. The holder's identity is
// written into the file so a refused process can say who holds it.
func Acquire(path string, exclusive bool, who Held) (*Lock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create lock dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			held := &Held{Path: path}
			if data, rerr := os.ReadFile(path); rerr == nil {
				_ = json.Unmarshal(data, held)
			}
			return nil, held
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if exclusive {
		who.PID = os.Getpid()
		data, _ := json.Marshal(who)
		if err := f.Truncate(0); err == nil {
			_, _ = f.WriteAt(data, 0)
		}
	}
	return &Lock{f: f, exclusive: exclusive}, nil
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	if l.exclusive {
		_ = l.f.Truncate(0) // the holder is gone: don't name it to the next refused process
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	cerr := l.f.Close()
	l.f = nil
	return errors.Join(err, cerr)
}
