package state_test

import (
	"context"
	"testing"
	"time"

	"github.com/revops/revops/state"
	"github.com/revops/revops/warehouse/duckdb"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	wh, err := duckdb.Open(ctx, duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	st := state.New(wh)
	for range 2 { // Init is idempotent
		if err := st.Init(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := st.Cursor(ctx, "crm", "accounts"); err != nil || c != nil {
		t.Fatalf("cursor before any commit = %q, %v; want nil", c, err)
	}
	at := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	for _, v := range []string{`{"v":1,"n":1}`, `{"v":1,"n":2}`} {
		if err := st.SaveCursor(ctx, wh, "crm", "accounts", []byte(v), "r1", at); err != nil {
			t.Fatal(err)
		}
	}
	if c, err := st.Cursor(ctx, "crm", "accounts"); err != nil || string(c) != `{"v":1,"n":2}` {
		t.Fatalf("cursor = %q, %v", c, err)
	}
	if c, _ := st.Cursor(ctx, "crm", "contacts"); c != nil {
		t.Fatalf("another stream's cursor leaked: %q", c)
	}
	if err := st.StartRun(ctx, state.Run{ID: "dead", Command: "run", StartedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := st.CloseAbandoned(ctx, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.StartRun(ctx, state.Run{ID: "live", Command: "extract", StartedAt: at, Version: "v1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, state.Run{ID: "live", EndedAt: at.Add(time.Minute), Status: "error", Rows: 7, Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	var dead, live, liveErr string
	var rows int64
	if err := wh.QueryRow(ctx, `SELECT (SELECT status FROM _revops.runs WHERE run_id = 'dead'),
		status, rows_loaded, error FROM _revops.runs WHERE run_id = 'live'`).Scan(&dead, &live, &rows, &liveErr); err != nil {
		t.Fatal(err)
	}
	if dead != "abandoned" || live != "error" || rows != 7 || liveErr != "boom" {
		t.Fatalf("ledger: dead=%s live=%s rows=%d err=%s", dead, live, rows, liveErr)
	}
	err = st.RecordStream(ctx, state.StreamResult{RunID: "live", Source: "crm", Stream: "accounts", Table: "crm.accounts",
		Status: "success", Staged: 3, Inserted: 2, Updated: 1, Commits: 1, StartedAt: at, EndedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := wh.QueryRow(ctx, `SELECT count(*) FROM _revops.run_streams WHERE run_id = 'live' AND rows_updated = 1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("run_streams: %d %v", n, err)
	}
}
