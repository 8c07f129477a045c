package salesforce

import (
	"context"
	"testing"
	"time"
)

// TestCount: the live records of a stream's object, those in the recycle bin left out — what
// the extract_totals check compares with the rows whose is_deleted is false.
func TestCount(t *testing.T) {
	e := newEnv(t)
	ids := e.accounts(12, func(i int) time.Time { return t0.Add(-time.Hour).Add(time.Duration(i) * time.Minute) })
	if err := e.org.Delete("Account", ids[3]); err != nil {
		t.Fatal(err)
	}
	src := e.source(nil)
	n, err := src.Count(context.Background(), "account")
	if err != nil || n != 11 {
		t.Fatalf("Count = %d, %v; want 11", n, err)
	}
	tb := newTable()
	e.mustRead(src, "account", nil, tb)
	live := 0
	for _, r := range tb.rows {
		if r["is_deleted"] != "true" {
			live++
		}
	}
	if live != int(n) {
		t.Errorf("%d live rows extracted, Count says %d", live, n)
	}
	if _, err := src.Count(context.Background(), "lead"); err == nil {
		t.Error("Count of a stream the source does not have succeeded")
	}
}
