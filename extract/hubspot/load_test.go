//go:build duckdb_arrow

package hubspot

import (
	"context"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/hubspot/fake"
	"github.com/revops/revops/warehouse"
	"github.com/revops/revops/warehouse/duckdb"
)

// Every stream's batches load into DuckDB: the loader accepts the Arrow types (timestamps in
// UTC, decimal(18,2), the JSON extension), merges on the primary key, and the types land as
// declared.
func TestStreamsLoadIntoDuckDB(t *testing.T) {
	ctx := context.Background()
	w, err := duckdb.Open(ctx, duckdb.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e := newEnv(t, fake.Options{})
	seedPortal(e)
	s := e.source(m{"engagement_types": []any{"calls", "emails"}})
	var cursors = map[string]extract.Cursor{}
	for round := 0; round < 2; round++ {
		for _, st := range s.Streams() {
			l, err := w.BeginLoad(ctx, warehouse.LoadSpec{Table: warehouse.Table{Schema: "raw", Name: "hubspot_" + st.Name},
				PrimaryKey: st.PrimaryKey, RunID: "r", LoadedAt: t0, FullRefresh: st.Replace})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Read(ctx, st.Name, cursors[st.Name], func(ctx context.Context, b extract.Batch) error {
				if _, err := l.Append(ctx, b); err != nil {
					return err
				}
				cursors[st.Name] = b.Cursor
				return nil
			})
			if err == nil {
				_, err = l.Commit(ctx, nil)
			}
			if cerr := l.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatalf("load %s: %v", st.Name, err)
			}
		}
		mutate(e, round)
		e.clock.Advance(time.Hour)
	}
	counts := map[string]int{"hubspot_contacts": 450, "hubspot_deals": 130, "hubspot_companies": 40,
		"hubspot_engagements": 60, "hubspot_owners": 2, "hubspot_deal_pipeline_stages": 7}
	for table, min := range counts {
		var n int
		if err := w.QueryRow(ctx, "SELECT count(*) FROM raw."+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < min {
			t.Errorf("%s: %d rows, want ≥ %d", table, n, min)
		}
	}
	types := map[string]string{}
	rows, err := w.DB().QueryContext(ctx, "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns WHERE table_schema = 'raw'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		types[k] = v
	}
	for col, want := range map[string]string{
		"hubspot_deals.amount": "DECIMAL(18,2)", "hubspot_deals.closedate": "TIMESTAMP WITH TIME ZONE",
		"hubspot_deals.hs_is_closed": "BOOLEAN", "hubspot_deals._extra": "JSON", "hubspot_owners.user_id": "BIGINT",
		"hubspot_deal_pipeline_stages.probability": "DOUBLE", "hubspot_deal_stage_history.changed_at": "TIMESTAMP WITH TIME ZONE",
	} {
		if types[col] != want {
			t.Errorf("%s: %q, want %q", col, types[col], want)
		}
	}
}
