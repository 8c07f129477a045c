// Package file is the "file" source: it loads CSV, JSON-lines and Parquet files named by path or
// glob, to backfill from exports or to load systems that have no connector.
//
// The source never parses rows. Each batch it emits is an [extract.FileSet]: absolute paths,
// their format and the declared columns, which the warehouse bulk-loads with its own readers.
// The source's work is validating the configuration, resolving globs, deciding which files or
// rows are new, and computing cursors.
//
// # Configuration
//
//	sources:
//	  - name: billing
//	    type: file
//	    streams:
//	      - name: subscriptions              # required; [a-z_][a-z0-9_]*, unique; the raw table name
//	        path: data/subscriptions/*.csv   # a file or glob, relative to the project directory
//	        # paths: [a.csv, b/**/*.csv]     # or several (not with path)
//	        format: csv                      # csv | jsonl | parquet; default: from the extension
//	        primary_key: [subscription_id]   # a column or a list; rows are merged on it
//	        incremental: files               # full (default) | files | cursor
//	        # cursor_field: updated_at       # incremental: cursor only; a declared, typed column
//	        strict: false                    # true: only the declared columns are allowed
//	        source_file_column: _file        # optional: a column receiving each row's file path
//	        csv: {delimiter: ",", quote: "\"", header: true, null: "NA", skip_rows: 0}
//	        columns:                         # optional declarations, in file order
//	          - name: subscription_id
//	            type: string
//	          - name: started_at
//	            type: timestamp
//	            time_zone: America/New_York  # values without an offset are read in this zone
//	            format: "%m/%d/%Y %H:%M"     # optional strptime format (date, timestamp)
//	          - name: mrr
//	            from: "Monthly Amount"       # the column's name in the file
//	            type: decimal(18,2)
//
// Paths: "*", "?" and "[...]" match within one path segment and "**" matches any number of
// directories (it must be a whole segment). As in a shell, wildcards do not match names that
// start with a dot, unless the pattern's segment does. Files are loaded in path order (later
// files win when rows share a primary key); a file matched by several patterns is loaded once.
// Symbolic links to files are followed, links to directories are not.
//
// Format: .csv (and .tsv, a CSV whose default delimiter is a tab), .jsonl, .ndjson and .json
// (JSON lines: one object per line), .parquet; .gz and .zst suffixes are skipped. All the paths
// of a stream must imply one format, or format must be set.
//
// Types: string, boolean, integer (64-bit), double, decimal(p,s) (1 ≤ p ≤ 38, 0 ≤ s ≤ p), date,
// timestamp (an instant), json; a column without a type is inferred. A timestamp without a
// time_zone must carry an explicit offset in every value: naive values are an error, never
// silently UTC. Undeclared columns are loaded with inferred types unless strict is true.
//
// CSV options (format csv only): delimiter and quote are single characters (default "," or a
// tab for .tsv, and "\""); a quote inside a quoted field is doubled. null is a string read as
// NULL besides the empty field. skip_rows lines are skipped before the header. With header:
// false, every column must be declared, in file order, and from is not allowed.
//
// # Incremental modes
//
// full (default): every read loads every matched file; the table is replaced. Zero matched
// files is an error.
//
// files: a read loads the files that are new or changed since the cursor, one batch per file in
// path order, each batch carrying the cursor after it, so that progress is kept file by file.
// The cursor records each loaded file's size, modification time and SHA-256. A file whose size
// or modification time differs is hashed; if its content is unchanged (touched, copied) it is
// not reloaded. A changed file is reloaded whole: its rows replace those with the same primary
// key, even rows that a later file had loaded. Without a primary_key a changed file is an
// error (its rows would be appended twice): declare one, or run a full refresh. Rows of removed
// files stay in the table; a removed file stays in the cursor, so restoring it unchanged loads
// nothing. After the first read, zero matched files is not an error.
//
// cursor: a read loads the rows whose cursor_field is past the greatest value loaded so far.
// The source computes that maximum itself with an in-process DuckDB over the matched files,
// parsing the column as the warehouse does (type, from, format, time_zone, CSV options), and
// the batch's Filter asks the warehouse for the rows past it. cursor_field must be a declared
// column of type integer, double, decimal, date, timestamp or string. Every read scans every
// matched file; nothing is emitted when no row is new.
//
//   - With a primary_key, rows equal to the previous maximum are reloaded too (the Filter is set
//     just below it: one unit, microsecond or day), so a row that arrives later with the same
//     value as the maximum is not lost; the merge on the key makes the reload harmless.
//   - Without a primary_key, or for a string cursor_field (which has no value "just below"),
//     the Filter is strictly greater than the maximum: a row that arrives later with a value
//     equal to the maximum already loaded is missed. Use it only when every new row has a
//     cursor value greater than all earlier ones.
//   - Rows whose cursor value is NULL are loaded only by the first (or a full-refresh) read.
//
// A cursor written under another mode or cursor_field is an error asking for a full refresh,
// except that a full cursor is a valid starting point for incremental: files.
//
// # Cursors
//
// Cursors are versioned JSON ("v": 1). File paths in them are relative to the project
// directory when under it, so a project can move. A cursor that does not parse is an error
// asking for a full refresh of the stream.
package file
