// Package export writes query results to files leadership tools read: Parquet (typed, with
// DECIMAL money and UTC timestamps kept as such) and CSV. Files are written beside their
// destination and renamed into place, so a reader never sees half a file.
package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/revops/revops/internal/render"
)

// Format is a file format.
type Format string

// Formats.
const (
	Parquet Format = "parquet"
	CSV     Format = "csv"
)

// WriteFile writes every record of rr to path in format and returns the rows written. The reader
// is consumed but not released.
func WriteFile(path string, format Format, rr array.RecordReader) (rows int64, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	switch format {
	case Parquet, "":
		// pqarrow closes a writer that is an io.Closer; keep the file ours to close.
		rows, err = writeParquet(struct{ io.Writer }{tmp}, rr)
	case CSV:
		rows, err = writeCSV(tmp, rr)
	default:
		err = fmt.Errorf("unknown format %q (expected parquet or csv)", format)
	}
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("export %s: %w", path, err)
	}
	return rows, nil
}

func writeParquet(w io.Writer, rr array.RecordReader) (int64, error) {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd))
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return 0, err
	}
	var rows int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if err := fw.WriteBuffered(rec); err != nil {
			return 0, errors.Join(err, fw.Close())
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		return 0, errors.Join(err, fw.Close())
	}
	// Close writes the footer: without it the file is unreadable.
	return rows, fw.Close()
}

func writeCSV(w io.Writer, rr array.RecordReader) (int64, error) {
	cw := csv.NewWriter(w)
	names := make([]string, rr.Schema().NumFields())
	for i, f := range rr.Schema().Fields() {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return 0, err
	}
	var rows int64
	row := make([]string, len(names))
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range row {
				col := rec.Column(c)
				row[c] = ""
				if !col.IsNull(r) {
					row[c] = render.Text(col, r)
				}
			}
			if err := cw.Write(row); err != nil {
				return 0, err
			}
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		return 0, err
	}
	cw.Flush()
	return rows, cw.Error()
}
