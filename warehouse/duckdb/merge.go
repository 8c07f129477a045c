package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/revops/revops/warehouse"
)

// column is a column of a table or query, as DESCRIBE reports it.
type column struct {
	name string
	typ  sqlType
}

func findColumn(cols []column, name string) (column, bool) {
	for _, c := range cols {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return column{}, false
}

func columnNames(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

// revopsColumns are the columns a Load adds to every row of the target.
func revopsColumns() []column {
	return []column{
		{name: warehouse.LoadedAtColumn, typ: parseType("TIMESTAMPTZ")},
		{name: warehouse.RunIDColumn, typ: parseType("VARCHAR")},
	}
}

func isReserved(name string) bool {
	for _, c := range revopsColumns() {
		if strings.EqualFold(c.name, name) {
			return true
		}
	}
	return false
}

// describe returns the columns of a table or of a query.
func (l *load) describe(ctx context.Context, relation string) ([]column, error) {
	rows, err := l.conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+relation+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		cols = append(cols, column{name: name, typ: parseType(typ)})
	}
	return cols, rows.Err()
}

func (l *load) tableExists(ctx context.Context) (bool, error) {
	var n int64
	err := l.conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables()
		WHERE database_name = current_database()
		  AND lower(schema_name) = lower(coalesce(nullif(?, ''), current_schema()))
		  AND lower(table_name) = lower(?)`, l.spec.Table.Schema, l.spec.Table.Name).Scan(&n)
	return n > 0, err
}

// decideMode picks how the interval stages rows: straight into the target when it holds no
// rows (absent or empty), else through the staging table. A full refresh of a non-empty table
// goes through staging: emptying the table first would be a DELETE, and DuckDB refuses to commit
// an ALTER TABLE (schema drift of a later batch) that follows a DELETE of the same table.
func (l *load) decideMode(ctx context.Context) error {
	exists, err := l.tableExists(ctx)
	if err != nil {
		return fmt.Errorf("look up table %s: %w", l.label, err)
	}
	l.targetExists = exists
	if !exists {
		l.mode = modeDirect
		return nil
	}
	var empty bool
	if err := l.conn.QueryRowContext(ctx, "SELECT NOT EXISTS (SELECT 1 FROM "+l.target+")").Scan(&empty); err != nil {
		return fmt.Errorf("look into table %s: %w", l.label, err)
	}
	if empty {
		l.mode = modeDirect
	} else {
		l.mode = modeStaging
	}
	return nil
}

// appendSource appends the rows of query (whose columns are cols) to the target (direct mode)
// or to the staging table. anyOrder allows the rows to be written in any order when they are
// the first of the interval and go straight into the target (see appendDirect).
func (l *load) appendSource(ctx context.Context, query string, cols []column, anyOrder bool) (int64, error) {
	for _, c := range cols {
		if isReserved(c.name) {
			return 0, fmt.Errorf("column %q is reserved for the loader; rename it in the source", c.name)
		}
	}
	if l.mode == modeUnset {
		if err := l.decideMode(ctx); err != nil {
			return 0, err
		}
	}
	// Columns of the NULL type (all-null Arrow columns) carry no value: they are left out until
	// a batch brings them with a type; an existing column of that name gets NULLs.
	var sel []string
	var typed []column
	for _, c := range cols {
		if c.typ.kind != kNull {
			sel = append(sel, l.d.QuoteIdent(c.name))
			typed = append(typed, c)
		}
	}
	if len(sel) == 0 {
		return 0, nil
	}
	from := " FROM (" + query + ") AS " + l.d.QuoteIdent("src")
	data := strings.Join(sel, ", ")
	withRevops := data + ", " + l.lits.loadedAt + " AS " + l.d.QuoteIdent(warehouse.LoadedAtColumn) +
		", " + l.lits.runID + " AS " + l.d.QuoteIdent(warehouse.RunIDColumn)

	switch {
	case l.mode == modeDirect:
		var stmt string
		if l.targetExists {
			if err := l.reconcile(ctx, l.target, append(typed, revopsColumns()...), true); err != nil {
				return 0, err
			}
			stmt = "INSERT INTO " + l.target + " BY NAME SELECT " + withRevops + from
		} else {
			stmt = "CREATE TABLE " + l.target + " AS SELECT " + withRevops + from
		}
		// Only the interval's first batch may go in any order: it alone can be redone.
		n, redo, err := l.appendDirect(ctx, stmt, anyOrder && l.appends == 0)
		if redo {
			return l.appendSource(ctx, query, cols, false)
		}
		return n, err
	case !l.stagingExists:
		if _, err := l.exec(ctx, "CREATE TEMP TABLE "+l.d.QuoteIdent(stagingName)+" AS SELECT "+data+from); err != nil {
			return 0, fmt.Errorf("stage rows for %s: %w", l.label, err)
		}
		l.stagingExists = true
		return l.count(ctx, l.staging)
	default:
		if err := l.reconcile(ctx, l.staging, typed, false); err != nil {
			return 0, err
		}
		n, err := l.exec(ctx, "INSERT INTO "+l.staging+" BY NAME SELECT "+data+from)
		if err != nil {
			return 0, fmt.Errorf("stage rows for %s: %w", l.label, err)
		}
		return n, nil
	}
}

// appendDirect runs stmt, which creates the target (CREATE TABLE … AS) or inserts into it.
//
// With anyOrder, DuckDB may write the rows in any order, which is markedly faster for CSV: the
// order of rows only decides which of two rows with one key wins. So the keys are checked right
// away, and when they repeat, the transaction (which holds only this batch) is rolled back and
// begun again, and redo tells the caller to append the batch again, in order. Without repeated
// keys, Commit need not check them again.
func (l *load) appendDirect(ctx context.Context, stmt string, anyOrder bool) (n int64, redo bool, err error) {
	if anyOrder {
		if err := l.setOrdered(ctx, false); err != nil {
			return 0, false, err
		}
	}
	n, err = l.exec(ctx, stmt)
	if anyOrder {
		if serr := l.setOrdered(ctx, true); serr != nil && err == nil {
			err = serr
		}
	}
	if err != nil {
		return 0, false, fmt.Errorf("load rows into %s: %w", l.label, err)
	}
	if !l.targetExists {
		l.targetExists = true
		if n, err = l.count(ctx, l.target); err != nil { // CREATE TABLE … AS reports no count
			return 0, false, err
		}
	}
	if !anyOrder || len(l.spec.PrimaryKey) == 0 {
		return n, false, nil
	}
	keys, err := l.keyColumns(ctx, l.target)
	if err != nil {
		return 0, false, err
	}
	dup, err := l.hasDuplicates(ctx, l.target, keys)
	if err != nil {
		return 0, false, fmt.Errorf("check duplicate keys: %w", err)
	}
	if !dup {
		l.uniqueRows = n
		return n, false, nil
	}
	l.rollback(ctx)
	if err := l.begin(ctx); err != nil {
		return 0, false, fmt.Errorf("begin again to load %s in order: %w", l.label, err)
	}
	return 0, true, nil
}

// setOrdered sets preserve_insertion_order for the Load's connection only.
func (l *load) setOrdered(ctx context.Context, ordered bool) error {
	lit, _ := l.d.QuoteLiteral(ordered)
	if _, err := l.exec(ctx, "SET SESSION preserve_insertion_order = "+lit); err != nil {
		return fmt.Errorf("set preserve_insertion_order: %w", err)
	}
	l.unordered = !ordered
	return nil
}

// count returns the number of rows of a table just created by CREATE TABLE … AS (whose
// result reports no row count).
func (l *load) count(ctx context.Context, table string) (int64, error) {
	var n int64
	if err := l.conn.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", l.label, err)
	}
	return n, nil
}

// reconcile alters table so that it holds columns got: it adds the missing ones and widens the
// ones whose type cannot hold the new values (see widen). toTarget says whether table is the
// target (its changes are reported in MergeStats) or the staging table (a change between batches).
func (l *load) reconcile(ctx context.Context, table string, got []column, toTarget bool) error {
	have, err := l.describe(ctx, table)
	if err != nil {
		return fmt.Errorf("describe %s: %w", l.label, err)
	}
	for _, g := range got {
		if g.typ.kind == kNull {
			continue
		}
		h, ok := findColumn(have, g.name)
		if !ok {
			q := "ALTER TABLE " + table + " ADD COLUMN " + l.d.QuoteIdent(g.name) + " " + g.typ.text
			if _, err := l.exec(ctx, q); err != nil {
				return fmt.Errorf("add column %q to %s: %w", g.name, l.label, err)
			}
			if toTarget {
				l.added = appendOnce(l.added, g.name)
			}
			have = append(have, g)
			continue
		}
		w, err := widen(h.typ, g.typ, l.policy())
		if err != nil {
			where := "of " + l.label
			if !toTarget {
				where = "between batches of " + l.label
			}
			return fmt.Errorf("column %q %s changed type from %s to %s, which the column cannot hold "+
				"without loss (on_type_change: %s): fix the type at the source, or set "+
				"on_type_change: string to widen the column to VARCHAR", h.name, where, h.typ.text,
				g.typ.text, l.policy())
		}
		if w.change {
			q := "ALTER TABLE " + table + " ALTER COLUMN " + l.d.QuoteIdent(h.name) + " TYPE " + w.to.text
			if _, err := l.exec(ctx, q); err != nil {
				return fmt.Errorf("widen column %q of %s from %s to %s: %w", h.name, l.label, h.typ.text, w.to.text, err)
			}
			if toTarget {
				l.widened = appendOnce(l.widened, h.name)
			}
		}
	}
	return nil
}

func appendOnce(list []string, name string) []string {
	for _, n := range list {
		if strings.EqualFold(n, name) {
			return list
		}
	}
	return append(list, name)
}

// merge applies the interval to the target inside the open transaction.
func (l *load) merge(ctx context.Context) (warehouse.MergeStats, error) {
	stats := warehouse.MergeStats{Staged: l.staged}
	fullRefresh := l.spec.FullRefresh && !l.committed
	switch l.mode {
	case modeUnset:
		if fullRefresh {
			exists, err := l.tableExists(ctx)
			if err != nil {
				return stats, err
			}
			if exists {
				if _, err := l.exec(ctx, "DELETE FROM "+l.target); err != nil {
					return stats, fmt.Errorf("full refresh: %w", err)
				}
			}
		}
	case modeDirect:
		// The target holds only this interval's rows: each is new, and duplicates are
		// dropped from the target itself.
		if len(l.spec.PrimaryKey) > 0 && l.uniqueRows != l.staged { // else checked by appendDirect
			dedup, err := l.dedupe(ctx, l.target)
			if err != nil {
				return stats, err
			}
			stats.Deduplicated = dedup
		}
		stats.Inserted = l.staged - stats.Deduplicated
	case modeStaging:
		cols, err := l.describe(ctx, l.staging)
		if err != nil {
			return stats, fmt.Errorf("describe staging: %w", err)
		}
		if err := l.reconcile(ctx, l.target, append(cols, revopsColumns()...), true); err != nil {
			return stats, err
		}
		if len(l.spec.PrimaryKey) > 0 {
			dedup, err := l.dedupe(ctx, l.staging)
			if err != nil {
				return stats, err
			}
			stats.Deduplicated = dedup
		}
		switch {
		case fullRefresh:
			if _, err := l.exec(ctx, "DELETE FROM "+l.target); err != nil {
				return stats, fmt.Errorf("full refresh: %w", err)
			}
		case len(l.spec.PrimaryKey) > 0:
			n, err := l.deleteMatching(ctx)
			if err != nil {
				return stats, err
			}
			stats.Updated = n
		}
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = l.d.QuoteIdent(c.name)
		}
		q := "INSERT INTO " + l.target + " BY NAME SELECT " + strings.Join(sel, ", ") + ", " +
			l.lits.loadedAt + " AS " + l.d.QuoteIdent(warehouse.LoadedAtColumn) + ", " +
			l.lits.runID + " AS " + l.d.QuoteIdent(warehouse.RunIDColumn) + " FROM " + l.staging
		if _, err := l.exec(ctx, q); err != nil {
			return stats, fmt.Errorf("insert staged rows: %w", err)
		}
		if _, err := l.exec(ctx, "DROP TABLE "+l.staging); err != nil {
			return stats, fmt.Errorf("drop staging: %w", err)
		}
		l.stagingExists = false
		stats.Inserted = l.staged - stats.Deduplicated - stats.Updated
	}
	stats.AddedColumns = l.added
	stats.WidenedColumns = l.widened
	return stats, nil
}

// keyColumns returns the primary-key columns of table and fails when one is missing or NULL.
func (l *load) keyColumns(ctx context.Context, table string) ([]column, error) {
	cols, err := l.describe(ctx, table)
	if err != nil {
		return nil, fmt.Errorf("describe: %w", err)
	}
	keys := make([]column, len(l.spec.PrimaryKey))
	counts := make([]string, len(keys))
	for i, k := range l.spec.PrimaryKey {
		c, ok := findColumn(cols, k)
		if !ok {
			return nil, fmt.Errorf("primary key column %q is not among the loaded columns (%s)", k, columnNames(cols))
		}
		keys[i] = c
		counts[i] = "count(*) FILTER (WHERE " + l.d.QuoteIdent(c.name) + " IS NULL)"
	}
	nulls := make([]int64, len(keys))
	dest := make([]any, len(keys))
	for i := range nulls {
		dest[i] = &nulls[i]
	}
	if err := l.conn.QueryRowContext(ctx, "SELECT "+strings.Join(counts, ", ")+" FROM "+table).Scan(dest...); err != nil {
		return nil, fmt.Errorf("check primary key: %w", err)
	}
	for i, n := range nulls {
		if n > 0 {
			return nil, fmt.Errorf("primary key column %q is NULL in %d loaded rows of %s: every row needs a key",
				keys[i].name, n, l.label)
		}
	}
	return keys, nil
}

// dedupe keeps the last row (by position, i.e. append order) per primary key in table and
// returns the number of rows it dropped. It deletes only when duplicates exist.
func (l *load) dedupe(ctx context.Context, table string) (int64, error) {
	keys, err := l.keyColumns(ctx, table)
	if err != nil {
		return 0, err
	}
	dup, err := l.hasDuplicates(ctx, table, keys)
	if err != nil {
		return 0, fmt.Errorf("check duplicate keys: %w", err)
	}
	if !dup {
		return 0, nil
	}
	part := make([]string, len(keys))
	for i, k := range keys {
		part[i] = l.d.QuoteIdent(k.name)
	}
	n, err := l.exec(ctx, "DELETE FROM "+table+" WHERE rowid IN (SELECT rowid FROM "+table+
		" QUALIFY row_number() OVER (PARTITION BY "+strings.Join(part, ", ")+" ORDER BY rowid DESC) > 1)")
	if err != nil {
		return 0, fmt.Errorf("deduplicate: %w", err)
	}
	return n, nil
}

// maxBitmapSpan bounds the key range of the bitmap duplicate check (8 MiB per thread).
const maxBitmapSpan = 1 << 26

// hasDuplicates reports whether two rows of table share a key. A single integer key over a
// compact range is checked with a bitmap (one cheap pass), any other key with a hash aggregate.
func (l *load) hasDuplicates(ctx context.Context, table string, keys []column) (bool, error) {
	if len(keys) == 1 && keys[0].typ.kind == kInt && keys[0].typ.bits <= 64 && !(keys[0].typ.unsigned && keys[0].typ.bits == 64) {
		k := l.d.QuoteIdent(keys[0].name)
		var n int64
		var lo, hi *int64
		if err := l.conn.QueryRowContext(ctx, "SELECT count(*), min("+k+")::BIGINT, max("+k+")::BIGINT FROM "+table).Scan(&n, &lo, &hi); err != nil {
			return false, err
		}
		if n <= 1 || lo == nil || hi == nil {
			return false, nil
		}
		span := uint64(*hi) - uint64(*lo) + 1
		if span < uint64(n) {
			return true, nil // more rows than distinct values
		}
		if span <= maxBitmapSpan {
			loLit, _ := l.d.QuoteLiteral(*lo)
			hiLit, _ := l.d.QuoteLiteral(*hi)
			var bits int64
			q := "SELECT bit_count(bitstring_agg(" + k + "::BIGINT, " + loLit + "::BIGINT, " + hiLit + "::BIGINT)) FROM " + table
			if err := l.conn.QueryRowContext(ctx, q).Scan(&bits); err != nil {
				return false, err
			}
			return bits < n, nil
		}
	}
	part := make([]string, len(keys))
	for i, k := range keys {
		part[i] = l.d.QuoteIdent(k.name)
	}
	var dup bool
	err := l.conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+table+" GROUP BY "+
		strings.Join(part, ", ")+" HAVING count(*) > 1)").Scan(&dup)
	return dup, err
}

// deleteMatching deletes the target rows whose key is staged and returns how many it deleted.
func (l *load) deleteMatching(ctx context.Context) (int64, error) {
	tcols, err := l.describe(ctx, l.target)
	if err != nil {
		return 0, err
	}
	t, s := l.d.QuoteIdent("t"), l.d.QuoteIdent("s")
	conds := make([]string, len(l.spec.PrimaryKey))
	for i, k := range l.spec.PrimaryKey {
		tc, ok := findColumn(tcols, k)
		if !ok {
			return 0, fmt.Errorf("primary key column %q is missing in the target", k)
		}
		q := l.d.QuoteIdent(tc.name)
		conds[i] = t + "." + q + " = CAST(" + s + "." + q + " AS " + tc.typ.text + ")"
	}
	n, err := l.exec(ctx, "DELETE FROM "+l.target+" AS "+t+" USING "+l.staging+" AS "+s+
		" WHERE "+strings.Join(conds, " AND "))
	if err != nil {
		return 0, fmt.Errorf("delete replaced rows: %w", err)
	}
	return n, nil
}
