package duckdb

import (
	"errors"
	"testing"

	"github.com/revops/revops/warehouse"
)

func TestWiden(t *testing.T) {
	const keep = ""
	const incompatible = "!"
	for _, c := range []struct {
		have, got string
		want      string // the new type, keep, or incompatible (with policy error)
	}{
		{"BIGINT", "BIGINT", keep},
		{"BIGINT", "INTEGER", keep},
		{"INTEGER", "BIGINT", "BIGINT"},
		{"SMALLINT", "UINTEGER", "BIGINT"},
		{"UINTEGER", "INTEGER", "BIGINT"},
		{"UBIGINT", "BIGINT", "HUGEINT"},
		{"INTEGER", "DOUBLE", "DOUBLE"},
		{"FLOAT", "DOUBLE", "DOUBLE"},
		{"DOUBLE", "FLOAT", keep},
		{"DOUBLE", "BIGINT", keep},
		{"BIGINT", "DECIMAL(18,2)", "DECIMAL(21,2)"},
		{"DECIMAL(18,2)", "INTEGER", keep},
		{"DECIMAL(10,2)", "BIGINT", "DECIMAL(21,2)"},
		{"DECIMAL(10,2)", "DECIMAL(18,4)", "DECIMAL(18,4)"},
		{"DECIMAL(18,4)", "DECIMAL(10,2)", keep},
		{"DECIMAL(10,2)", "DECIMAL(12,5)", "DECIMAL(13,5)"},
		{"DECIMAL(38,0)", "DECIMAL(38,10)", incompatible},
		{"DECIMAL(18,2)", "DOUBLE", incompatible},
		{"DATE", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"},
		{"DATE", "TIMESTAMP", "TIMESTAMP"},
		{"TIMESTAMP WITH TIME ZONE", "DATE", keep},
		{"TIMESTAMP_MS", "TIMESTAMP", "TIMESTAMP"},
		{"TIMESTAMP", "TIMESTAMP WITH TIME ZONE", incompatible},
		{"TIMESTAMP WITH TIME ZONE", "TIMESTAMP", incompatible},
		{"VARCHAR", "BIGINT", keep},
		{"BIGINT", "VARCHAR", incompatible},
		{"BOOLEAN", "INTEGER", incompatible},
		{"INTEGER", "BOOLEAN", incompatible},
		{"JSON", "STRUCT(a INTEGER)", keep},
		{"JSON", "VARCHAR", incompatible},
		{"BIGINT", `"NULL"`, keep},
		{"INTEGER[]", "INTEGER[]", keep},
		{"INTEGER[]", "BIGINT[]", incompatible},
	} {
		w, err := widen(parseType(c.have), parseType(c.got), warehouse.TypeChangeError)
		var got string
		switch {
		case errors.As(err, new(errIncompatible)):
			got = incompatible
		case err != nil:
			t.Fatal(err)
		case w.change:
			got = w.to.text
		}
		if got != c.want {
			t.Errorf("widen(%s, %s) = %q, want %q", c.have, c.got, got, c.want)
		}
		if c.want == incompatible {
			w, err := widen(parseType(c.have), parseType(c.got), warehouse.TypeChangeString)
			if err != nil || !w.change || w.to.text != "VARCHAR" {
				t.Errorf("widen(%s, %s) with policy string = %+v, %v; want VARCHAR", c.have, c.got, w, err)
			}
		}
	}
}
