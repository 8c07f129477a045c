package lock

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "target", "revops.lock")
	since := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	w, err := Acquire(path, true, Held{Command: "run", RunID: "r1", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	for _, exclusive := range []bool{true, false} {
		_, err := Acquire(path, exclusive, Held{Command: "run", RunID: "r2"})
		var held *Held
		if !errors.Is(err, ErrHeld) || !errors.As(err, &held) || held.RunID != "r1" || held.PID == 0 {
			t.Fatalf("exclusive=%v while a writer holds it: %v", exclusive, err)
		}
		if !strings.Contains(err.Error(), "run r1") || !strings.Contains(err.Error(), "2026-11-23T03:00:00Z") {
			t.Fatalf("message does not name the holder: %v", err)
		}
	}
	if err := w.Release(); err != nil {
		t.Fatal(err)
	}
	r1, err := Acquire(path, false, Held{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Acquire(path, false, Held{})
	if err != nil {
		t.Fatalf("two readers must share the lock: %v", err)
	}
	if _, err := Acquire(path, true, Held{}); !errors.Is(err, ErrHeld) {
		t.Fatalf("a writer while readers hold it: %v", err)
	}
	if err := errors.Join(r1.Release(), r2.Release(), r2.Release()); err != nil {
		t.Fatal(err)
	}
	if w, err = Acquire(path, true, Held{}); err != nil {
		t.Fatalf("after release: %v", err)
	}
	w.Release()
}
