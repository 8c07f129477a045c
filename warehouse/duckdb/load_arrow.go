package duckdb

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// appendRecords stages an Arrow record batch: it is registered as a view on the load's
// connection (inside the open transaction) and inserted with one INSERT … SELECT.
// The caller releases rec.
func (l *load) appendRecords(ctx context.Context, rec arrow.RecordBatch) (int64, error) {
	if rec.NumRows() == 0 {
		// An empty batch only declares the stream's shape: it creates the table when there is
		// none yet, so that a stream with no rows upstream still has its (empty) table.
		exists, err := l.tableExists(ctx)
		if err != nil || exists || rec.Schema().NumFields() == 0 {
			return 0, err
		}
	}
	for _, f := range rec.Schema().Fields() {
		if isReserved(f.Name) {
			return 0, fmt.Errorf("append to %s: column %q is reserved for the loader; rename it in the source", l.label, f.Name)
		}
	}
	rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", l.label, err)
	}
	defer rr.Release()

	var release func()
	err = l.conn.Raw(func(dc any) error {
		a, err := arrowOf(dc)
		if err != nil {
			return err
		}
		release, err = a.RegisterView(rr, l.view)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append to %s: register arrow batch: %w", l.label, err)
	}
	view := l.d.QuoteIdent(l.view)
	n, err := l.appendView(ctx, view, rec.Schema())
	// The view reads the exported stream: drop it before the stream is released.
	if _, dropErr := l.exec(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+view); dropErr != nil && err == nil {
		err = fmt.Errorf("append to %s: drop arrow view: %w", l.label, dropErr)
	}
	release()
	return n, err
}

func (l *load) appendView(ctx context.Context, view string, schema *arrow.Schema) (int64, error) {
	query := "SELECT * FROM " + view
	cols, err := l.describe(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("append to %s: describe arrow batch: %w", l.label, err)
	}
	// DuckDB reads Arrow's null type as INTEGER; such a column carries no type (see appendSource).
	for _, f := range schema.Fields() {
		if f.Type.ID() != arrow.NULL {
			continue
		}
		for i := range cols {
			if cols[i].name == f.Name {
				cols[i].typ = sqlType{text: "NULL", kind: kNull}
			}
		}
	}
	n, err := l.appendSource(ctx, query, cols, false)
	if err != nil {
		return 0, fmt.Errorf("append to %s: %w", l.label, err)
	}
	return n, nil
}
