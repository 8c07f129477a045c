package duckdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/revops/revops/warehouse"
)

var _ warehouse.Transactor = (*Warehouse)(nil)

// InTx runs fn in one transaction on one connection: it commits when fn returns nil and rolls
// back otherwise. DuckDB's DDL is transactional, so a table replaced inside fn appears to other
// connections only at the commit, all at once.
func (w *Warehouse) InTx(ctx context.Context, fn func(ctx context.Context, tx warehouse.Execer) error) error {
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(ctx, txExecer{conn}); err != nil {
		// Roll back even when ctx is done, so the connection goes back to the pool clean.
		if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
