package hubspot

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
)

// TestCount: the search total of an object stream, archived records left out — what the
// extract_totals check compares with the rows whose archived is false; no total for streams
// search cannot count.
func TestCount(t *testing.T) {
	e := newEnv(t, fake.Options{})
	var recs []fake.Record
	for i := 0; i < 7; i++ {
		recs = append(recs, fake.Record{UpdatedAt: t0.Add(-time.Hour), Properties: map[string]string{"dealname": "d" + strconv.Itoa(i)}})
	}
	ids := e.put("deals", recs...)
	must(t, e.fake.Archive("deals", ids[1]))
	s := e.source(m{"objects": []any{"deals", "owners"}})
	n, err := s.Count(context.Background(), "deals")
	if err != nil || n != 6 {
		t.Fatalf("Count(deals) = %d, %v; want 6", n, err)
	}
	live := 0
	for _, r := range e.read(s, "deals", nil).rows {
		if r["archived"] != true {
			live++
		}
	}
	if live != int(n) {
		t.Errorf("%d live deals extracted, Count says %d", live, n)
	}
	if _, err := s.Count(context.Background(), "owners"); !errors.Is(err, extract.ErrNoCount) {
		t.Errorf("Count(owners): %v, want ErrNoCount", err)
	}
	if _, err := s.Count(context.Background(), "contacts"); err == nil {
		t.Error("Count of an unconfigured stream succeeded")
	}
}
