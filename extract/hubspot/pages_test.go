package hubspot

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
)

// Pages are emitted in batches of at least batchRows rows (the rest in a last one), each with
// the cursor reached after its last page; the read still ends with one empty Final batch.
func TestBatchesGatherPages(t *testing.T) {
	tests := []struct {
		batchRows int
		want      []int // rows per batch, the Final one last
	}{
		{batchRows: 1, want: []int{40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 10, 0}},
		{batchRows: 100, want: []int{120, 120, 120, 90, 0}},
		{batchRows: defaultBatchRows, want: []int{450, 0}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.batchRows), func(t *testing.T) {
			e := newEnv(t, fake.Options{})
			e.contacts(450, func(i int) time.Time { return t0.Add(-48*time.Hour + time.Duration(i)*time.Second) })
			s := e.source(m{"objects": []any{"contacts"}, "page_size": 40})
			s.batchRows = tt.batchRows
			var sizes []int
			var cursors []extract.Cursor
			finals := 0
			err := s.Read(context.Background(), "contacts", nil, func(_ context.Context, b extract.Batch) error {
				defer b.Records.Release()
				sizes = append(sizes, int(b.Records.NumRows()))
				cursors = append(cursors, b.Cursor)
				if b.Final {
					finals++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tt.want) || finals != 1 {
				t.Errorf("batches of %v rows (%d final), want %v", sizes, finals, tt.want)
			}
			// Each cursor but the last is inside the list phase, past exactly the rows emitted.
			emitted := 0
			for i, c := range cursors[:len(cursors)-1] {
				emitted += sizes[i]
				st, err := decodeCursor(c)
				if err != nil {
					t.Fatal(err)
				}
				w := st.Objects["contacts"].Win
				if w == nil {
					t.Fatalf("batch %d: cursor %s has no window", i, c)
				}
				if done := emitted == 450; (w.Phase == phaseArchived) != done || (!done && w.After == "") {
					t.Errorf("batch %d (%d rows emitted): cursor %s", i, emitted, c)
				}
			}
		})
	}
}

// A read that fails (here on the daily limit) first emits the pages it had converted, with
// their cursor: the rerun goes on from there.
func TestFailureEmitsHeldPages(t *testing.T) {
	e := newEnv(t, fake.Options{DailyMax: 9})
	e.contacts(450, func(i int) time.Time { return t0.Add(-48*time.Hour + time.Duration(i)*time.Second) })
	s := e.source(m{"objects": []any{"contacts"}, "page_size": 40})
	first, err := e.readErr(s, "contacts", nil, -1)
	if !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("Read = %v, want the daily limit", err)
	}
	if n := len(first.rows); n == 0 || n%40 != 0 || first.batches != 1 || first.finals != 0 {
		t.Errorf("emitted %d rows in %d batches (%d final), want whole pages in one batch, not final", n, first.batches, first.finals)
	}
	e.clock.Advance(24 * time.Hour)
	e.fake.SetLimits(0, 0, 0)
	second := e.read(s, "contacts", first.cursor)
	checkTruth(t, merge([]string{"id"}, first.rows, second.rows), e.fake.Truth("contacts"), "firstname")
	if len(first.rows)+len(second.rows) != 450 {
		t.Errorf("%d + %d rows emitted, want each of 450 once", len(first.rows), len(second.rows))
	}
}

// Joining held pages keeps every value, null and type, and frees what it allocates.
func TestHeldPagesTake(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cols := contactColumns()
	schema := schemaOf(cols, []string{"id"})
	var h heldPages
	var want []row
	for page := range 3 {
		rows := newRows(mem, schema, cols)
		for i := range 2 + page {
			cells := make([]*string, len(cols))
			cells[0] = ptr(fmt.Sprintf("%d-%d", page, i))
			for j, c := range cols {
				switch {
				case c.name == "email" && i%2 == 0:
					cells[j] = ptr(fmt.Sprintf("p%d@x.io", i))
				case c.name == "updated_at":
					cells[j] = ptr("2026-03-01T12:00:00Z")
				case c.name == "archived":
					cells[j] = ptr("false")
				case c.name == "_extra" && i == 1:
					cells[j] = ptr(`{"a":"b"}`)
				}
			}
			must(t, rows.add(cells))
		}
		rec := rows.finish()
		want = append(want, recordRows(rec)...)
		h.add(rec, extract.Cursor(fmt.Sprint(page)))
		rows.release()
	}
	rec, err := h.take(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if got := recordRows(rec); fmt.Sprint(got) != fmt.Sprint(want) || rec.NumRows() != 9 || string(h.cursor) != "2" {
		t.Errorf("joined %d rows %v (cursor %s), want %v", rec.NumRows(), got, h.cursor, want)
	}
	if !rec.Schema().Equal(schema) || len(h.recs) != 0 || h.rows != 0 {
		t.Errorf("schema %v, %d pages left", rec.Schema(), len(h.recs))
	}
}
