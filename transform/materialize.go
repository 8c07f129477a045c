package transform

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/revops/revops/warehouse"
)

// relationKind is what exists in the warehouse under a model's name: "" (nothing), "table" or
// "view".
func relationKind(ctx context.Context, x warehouse.Execer, schema, name string) (string, error) {
	var kind string
	err := x.QueryRow(ctx, `SELECT CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END
		FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, schema, name).Scan(&kind)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", fmt.Errorf("look up %s.%s: %w", schema, name, err)
	}
	return kind, nil
}

// columnsOfRelation lists a relation's columns in order with their types.
func columnsOfRelation(ctx context.Context, x warehouse.Execer, schema, name string) ([]relColumn, error) {
	// The list comes back as one string: Execer has no multi-row query, and a transaction's
	// temporary table is only visible on its own connection.
	var list string
	err := x.QueryRow(ctx, `SELECT coalesce(string_agg(column_name || chr(31) || data_type, chr(30) ORDER BY ordinal_position), '')
		FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, schema, name).Scan(&list)
	if err != nil {
		return nil, fmt.Errorf("list the columns of %s.%s: %w", schema, name, err)
	}
	var out []relColumn
	for _, item := range strings.Split(list, "\x1e") {
		if item == "" {
			continue
		}
		n, t, _ := strings.Cut(item, "\x1f")
		out = append(out, relColumn{name: n, typ: t})
	}
	return out, nil
}

type relColumn struct{ name, typ string }

// materialized is what a materialization did.
type materialized struct {
	rows, inserted, updated int64
	added, removed          []string
}

// materializeView replaces the view (or a table of the same name) in one transaction.
func (b *Builder) materializeView(ctx context.Context, tx warehouse.Execer, m *Model, sql string) (materialized, error) {
	d := b.Warehouse.Dialect()
	rel := d.QuoteIdent(m.Config.Schema, m.Identifier())
	kind, err := relationKind(ctx, tx, m.Config.Schema, m.Identifier())
	if err != nil {
		return materialized{}, err
	}
	if kind == "table" {
		if err := tx.Exec(ctx, "DROP TABLE "+rel); err != nil {
			return materialized{}, err
		}
	}
	return materialized{rows: -1}, tx.Exec(ctx, "CREATE OR REPLACE VIEW "+rel+" AS\n"+sql)
}

// materializeTable builds the table and replaces the old one inside one transaction, so a
// reader sees the old table or the new one, never a half-built one.
func (b *Builder) materializeTable(ctx context.Context, tx warehouse.Execer, m *Model, sql string) (materialized, error) {
	d := b.Warehouse.Dialect()
	rel := d.QuoteIdent(m.Config.Schema, m.Identifier())
	kind, err := relationKind(ctx, tx, m.Config.Schema, m.Identifier())
	if err != nil {
		return materialized{}, err
	}
	if kind == "view" {
		if err := tx.Exec(ctx, "DROP VIEW "+rel); err != nil {
			return materialized{}, err
		}
	}
	if err := tx.Exec(ctx, "CREATE OR REPLACE TABLE "+rel+" AS\n"+sql); err != nil {
		return materialized{}, err
	}
	var n int64
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+rel).Scan(&n); err != nil {
		return materialized{}, fmt.Errorf("count rows: %w", err)
	}
	return materialized{rows: n, inserted: n}, nil
}

// materializeIncremental stages the model's new rows in a temporary table, reconciles the
// columns (on_schema_change) and merges, deletes+inserts or appends them — in one transaction.
func (b *Builder) materializeIncremental(ctx context.Context, tx warehouse.Execer, m *Model, sql string) (materialized, error) {
	d := b.Warehouse.Dialect()
	rel := d.QuoteIdent(m.Config.Schema, m.Identifier())
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	tmpName := "__revops_new_" + m.Name + "_" + hex.EncodeToString(suffix)
	tmp := d.QuoteIdent(tmpName)
	if err := tx.Exec(ctx, "CREATE TEMP TABLE "+tmp+" AS\n"+sql); err != nil {
		return materialized{}, err
	}
	defer func() { _ = tx.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+tmp) }()

	var res materialized
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+tmp).Scan(&res.rows); err != nil {
		return materialized{}, fmt.Errorf("count new rows: %w", err)
	}
	// A temporary table is listed under schema main (of catalog temp); its name is unique.
	newCols, err := columnsOfRelation(ctx, tx, "main", tmpName)
	if err != nil {
		return materialized{}, err
	}
	oldCols, err := columnsOfRelation(ctx, tx, m.Config.Schema, m.Identifier())
	if err != nil {
		return materialized{}, err
	}
	cols, added, removed, err := reconcileColumns(m, oldCols, newCols)
	if err != nil {
		return materialized{}, err
	}
	for _, c := range added {
		if err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", rel, d.QuoteIdent(c.name), c.typ)); err != nil {
			return materialized{}, fmt.Errorf("add column %s: %w", c.name, err)
		}
		res.added = append(res.added, c.name)
	}
	for _, c := range removed {
		if err := tx.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", rel, d.QuoteIdent(c))); err != nil {
			return materialized{}, fmt.Errorf("drop column %s: %w", c, err)
		}
		res.removed = append(res.removed, c)
	}
	if res.rows == 0 {
		return res, nil
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = d.QuoteIdent(c)
	}
	colList := strings.Join(quoted, ", ")
	keyMatch := func(left, right string) string {
		parts := make([]string, len(m.Config.UniqueKey))
		for i, k := range m.Config.UniqueKey {
			q := d.QuoteIdent(k)
			parts[i] = fmt.Sprintf("%s.%s IS NOT DISTINCT FROM %s.%s", left, q, right, q)
		}
		return strings.Join(parts, " AND ")
	}
	strategy := m.Config.strategy()
	if strategy != StrategyAppend {
		for _, k := range m.Config.UniqueKey {
			if !slices.ContainsFunc(newCols, func(c relColumn) bool { return c.name == k }) {
				return materialized{}, fmt.Errorf("unique_key column %q is not among the model's columns", k)
			}
		}
		keys := make([]string, len(m.Config.UniqueKey))
		for i, k := range m.Config.UniqueKey {
			keys[i] = d.QuoteIdent(k)
		}
		var dup int64
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT %s FROM %s GROUP BY ALL HAVING count(*) > 1)",
			strings.Join(keys, ", "), tmp)).Scan(&dup); err != nil {
			return materialized{}, fmt.Errorf("check the new rows' unique_key: %w", err)
		}
		if dup > 0 {
			return materialized{}, fmt.Errorf("%d unique_key values (%s) occur more than once in the new rows; a merge needs one row per key — fix the model's SQL or its unique_key",
				dup, strings.Join(m.Config.UniqueKey, ", "))
		}
		if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s AS s WHERE EXISTS (SELECT 1 FROM %s AS t WHERE %s)",
			tmp, rel, keyMatch("t", "s"))).Scan(&res.updated); err != nil {
			return materialized{}, fmt.Errorf("count matched rows: %w", err)
		}
	}
	res.inserted = res.rows - res.updated
	switch strategy {
	case StrategyMerge:
		sets := make([]string, 0, len(cols))
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i] = "s." + d.QuoteIdent(c)
			if !slices.Contains(m.Config.UniqueKey, c) {
				sets = append(sets, fmt.Sprintf("%s = s.%s", d.QuoteIdent(c), d.QuoteIdent(c)))
			}
		}
		stmt := fmt.Sprintf("MERGE INTO %s AS t USING %s AS s ON (%s)\n", rel, tmp, keyMatch("t", "s"))
		if len(sets) > 0 {
			stmt += "WHEN MATCHED THEN UPDATE SET " + strings.Join(sets, ", ") + "\n"
		}
		stmt += fmt.Sprintf("WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)", colList, strings.Join(vals, ", "))
		if err := tx.Exec(ctx, stmt); err != nil {
			return materialized{}, fmt.Errorf("merge: %w", err)
		}
	case StrategyDeleteInsert:
		if err := tx.Exec(ctx, fmt.Sprintf("DELETE FROM %s AS t WHERE EXISTS (SELECT 1 FROM %s AS s WHERE %s)", rel, tmp, keyMatch("t", "s"))); err != nil {
			return materialized{}, fmt.Errorf("delete: %w", err)
		}
		fallthrough
	case StrategyAppend:
		if err := tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", rel, colList, colList, tmp)); err != nil {
			return materialized{}, fmt.Errorf("insert: %w", err)
		}
	}
	return res, nil
}

// reconcileColumns applies on_schema_change: it returns the columns to write and the columns
// to add to (or drop from) the table.
func reconcileColumns(m *Model, old, new []relColumn) (write []string, add []relColumn, drop []string, err error) {
	has := func(list []relColumn, name string) (relColumn, bool) {
		for _, c := range list {
			if strings.EqualFold(c.name, name) {
				return c, true
			}
		}
		return relColumn{}, false
	}
	var added, missing, retyped []string
	for _, c := range new {
		o, ok := has(old, c.name)
		switch {
		case !ok:
			added = append(added, c.name)
		case o.typ != c.typ:
			retyped = append(retyped, fmt.Sprintf("%s %s → %s", c.name, o.typ, c.typ))
		}
	}
	for _, c := range old {
		if _, ok := has(new, c.name); !ok {
			missing = append(missing, c.name)
		}
	}
	common := func() []string {
		var out []string
		for _, c := range new {
			if _, ok := has(old, c.name); ok {
				out = append(out, c.name)
			}
		}
		return out
	}
	switch policy := m.Config.onSchemaChange(); {
	case len(added)+len(missing)+len(retyped) == 0:
		return common(), nil, nil, nil
	case policy == "ignore":
		return common(), nil, nil, nil
	case policy == "append_new_columns":
		for _, n := range added {
			c, _ := has(new, n)
			add = append(add, c)
		}
		return append(common(), added...), add, nil, nil
	case policy == "sync_all_columns":
		for _, n := range added {
			c, _ := has(new, n)
			add = append(add, c)
		}
		return append(common(), added...), add, missing, nil
	default:
		var parts []string
		if len(added) > 0 {
			parts = append(parts, "new columns: "+strings.Join(added, ", "))
		}
		if len(missing) > 0 {
			parts = append(parts, "columns no longer produced: "+strings.Join(missing, ", "))
		}
		if len(retyped) > 0 {
			parts = append(parts, "changed types: "+strings.Join(retyped, ", "))
		}
		return nil, nil, nil, errors.New("the model's columns changed (" + strings.Join(parts, "; ") +
			"); run with --full-refresh to rebuild the table, or set on_schema_change to append_new_columns, sync_all_columns or ignore")
	}
}
