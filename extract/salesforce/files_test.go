package salesforce

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/extract/salesforce/fake"
)

// exportFormat is how a test writes an export: Data Loader upper-cases the API names; Bulk
// API 2.0 results keep their case.
type exportFormat struct {
	name      string
	upper     bool
	describe  bool // save the describe next to the export (describe_dir)
	customDay bool // add a custom date field (typed only with a saved describe)
}

// writeExport writes the fake's ground truth of an object (live and recycle-bin records) as
// a CSV export, the way Data Loader or Bulk API 2.0 render values: empty for null, datetimes
// as 2026-01-05T14:30:00.000Z, dates as 2026-01-05, booleans true/false.
func writeExport(t *testing.T, e *env, path, object string, upper bool) {
	t.Helper()
	fields, err := e.org.Describe(object)
	if err != nil {
		t.Fatal(err)
	}
	var cols []fake.Field
	for _, f := range fields {
		if f.Type != "address" && f.Type != "location" && f.Type != "base64" {
			cols = append(cols, f)
		}
	}
	tr := e.truth(object)
	recs := make([]fake.Record, 0, len(tr.Live)+len(tr.Deleted))
	for _, m := range []map[string]fake.Record{tr.Live, tr.Deleted} {
		for _, r := range m {
			recs = append(recs, r)
		}
	}
	// Exports are in no useful order: write them by Name descending, not by stamp.
	slices.SortFunc(recs, func(a, b fake.Record) int { return strings.Compare(fmt.Sprint(b["Name"]), fmt.Sprint(a["Name"])) })
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
		if upper {
			header[i] = strings.ToUpper(c.Name)
		}
	}
	_ = w.Write(header)
	for _, r := range recs {
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = exportValue(c, r[c.Name])
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
}

func exportValue(f fake.Field, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if f.Type == "date" {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	case string:
		return x
	}
	panic(fmt.Sprintf("unexpected value %T", v))
}

// saveDescribe saves sobjects/X/describe as the API returns it, as an operator would with curl.
func saveDescribe(t *testing.T, e *env, dir, object string) {
	t.Helper()
	src := e.source(nil)
	var raw json.RawMessage
	if err := src.newAPI().getJSON(t.Context(), src.dataPath("/sobjects/"+object+"/describe"), nil, &raw); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, object+".json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A backfill from CSV exports, then API incremental runs from the backfill's cursor: the
// merged table equals the org's ground truth, and the API run reads exactly the records
// changed since the export (nothing lost at the boundary, nothing read twice).
func TestFilesBackfillThenAPI(t *testing.T) {
	for _, tc := range []exportFormat{
		{name: "data loader, built-in types", upper: true},
		{name: "bulk csv, built-in types"},
		{name: "data loader, saved describe", upper: true, describe: true, customDay: true},
		{name: "bulk csv, saved describe", describe: true, customDay: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.org.AddField("Account", fake.Field{Name: "Tier__c", Type: "picklist", Custom: true}); err != nil {
				t.Fatal(err)
			}
			if tc.customDay {
				if err := e.org.AddField("Account", fake.Field{Name: "Renewal_Date__c", Type: "date", Custom: true}); err != nil {
					t.Fatal(err)
				}
			}
			// 300 accounts over 30 stamps (10 per second: the export's last stamp is shared).
			base := t0.Add(-2 * time.Hour)
			ids := e.accounts(300, func(i int) time.Time { return base.Add(time.Duration(i/10) * time.Second) })
			for i, id := range ids[:50] {
				ch := fake.Record{"Tier__c": []string{"Gold", "Silver"}[i%2], "SystemModstamp": base.Add(time.Duration(i/10) * time.Second)}
				if tc.customDay {
					ch["Renewal_Date__c"] = time.Date(2026, 3, 1+i%28, 0, 0, 0, 0, time.UTC)
				}
				if err := e.org.Update("Account", id, ch); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.org.Delete("Account", ids[7]); err != nil { // in the recycle bin at export time
				t.Fatal(err)
			}

			dir := t.TempDir()
			files := m{"dir": dir}
			if tc.describe {
				if err := os.Mkdir(filepath.Join(dir, "describe"), 0o700); err != nil {
					t.Fatal(err)
				}
				saveDescribe(t, e, filepath.Join(dir, "describe"), "Account")
				files["describe_dir"] = "describe"
			}
			writeExport(t, e, filepath.Join(dir, "Account.csv"), "Account", tc.upper)
			exported := e.truth("Account")

			// Changes after the export: an update, a new record, a soft delete, a hard delete.
			e.clock.Advance(time.Hour)
			if err := e.org.Update("Account", ids[100], fake.Record{"Name": "Renamed", "Tier__c": "Bronze"}); err != nil {
				t.Fatal(err)
			}
			newIDs := e.insert("Account", fake.Record{"Name": "New after export", "Tier__c": "Gold"})
			if err := e.org.Delete("Account", ids[200]); err != nil {
				t.Fatal(err)
			}
			if err := e.org.HardDelete("Account", ids[250]); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(time.Minute) // windows end before now (safety_lag 0)

			tb := newTable()
			back := e.mustRead(e.source(m{"mode": "files", "files": files}), "account", nil, tb)
			if back.rows() != len(exported.Live)+len(exported.Deleted) || unique(back.ids) != back.rows() {
				t.Fatalf("backfill emitted %d rows (%d distinct), want %d", back.rows(), unique(back.ids), len(exported.Live)+len(exported.Deleted))
			}
			assertTruth(t, tb, exported)
			var st state
			if err := json.Unmarshal(back.cursor, &st); err != nil {
				t.Fatal(err)
			}
			// The greatest (stamp, Id) of the export: the record deleted at t0 before the export.
			if want := t0.Format(time.RFC3339Nano); st.TS != want || st.ID != ids[7] || st.Field != "SystemModstamp" {
				t.Errorf("backfill cursor = %s, want ts %s, id %s, field SystemModstamp", back.cursor, want, ids[7])
			}

			api := e.mustRead(e.source(nil), "account", back.cursor, tb)
			want := []string{ids[100], ids[200], ids[250], newIDs[0]}
			slices.Sort(want)
			got := slices.Clone(api.ids)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("API run after the backfill emitted %v, want exactly the changed records %v", got, want)
			}
			assertTruth(t, tb, e.truth("Account"))
			if len(tb.rows) != len(e.truth("Account").Live)+len(e.truth("Account").Deleted)+1 { // +1: the hard-deleted tombstone
				t.Errorf("merged table has %d rows", len(tb.rows))
			}
			if row := tb.rows[ids[250]]; row == nil || row["is_deleted"] != "true" {
				t.Errorf("hard-deleted record after the export: row %v, want a tombstone", row)
			}

			// The next API run continues from the API run's cursor: nothing new.
			again := e.mustRead(e.source(nil), "account", api.cursor, tb)
			if again.rows() != 0 {
				t.Errorf("second API run emitted %d rows, want 0", again.rows())
			}
		})
	}
}

// Without a saved describe, the built-in types give every standard field of the default
// objects the Arrow type and column name an API read gives, whatever the header's case.
func TestFilesInferredTypesMatchDescribe(t *testing.T) {
	e := newEnv(t)
	src := e.source(m{"objects": DefaultObjects()})
	for _, sp := range src.streams {
		var d describeResult
		if err := src.newAPI().getJSON(t.Context(), src.dataPath("/sobjects/"+sp.object+"/describe"), nil, &d); err != nil {
			t.Fatal(err)
		}
		want, err := newPlan(d, nil, sp.deleted)
		if err != nil {
			t.Fatal(err)
		}
		for _, upper := range []bool{false, true} {
			var header []string
			for _, f := range d.Fields {
				if f.Type == "address" || f.Type == "location" || f.Type == "base64" {
					continue // exports leave compound fields out
				}
				h := f.Name
				if upper {
					h = strings.ToUpper(h)
				}
				header = append(header, h)
			}
			got, err := newPlan(inferDescribe(sp.object, header), nil, sp.deleted)
			if err != nil {
				t.Fatalf("%s: %v", sp.object, err)
			}
			wantTypes := map[string]string{}
			for _, f := range want.schema.Fields() {
				wantTypes[f.Name] = f.Type.String()
			}
			for _, f := range got.schema.Fields() {
				if w, ok := wantTypes[f.Name]; !ok || w != f.Type.String() {
					t.Errorf("%s (upper %v): column %s %s, API read gives %q", sp.object, upper, f.Name, f.Type, w)
				}
			}
			if len(got.schema.Fields()) != len(want.schema.Fields()) || got.stampField != want.stampField {
				t.Errorf("%s (upper %v): %d columns stamped on %s, API read: %d on %s", sp.object, upper,
					len(got.schema.Fields()), got.stampField, len(want.schema.Fields()), want.stampField)
			}
		}
	}
}

// Bad input fails the read with an error naming the file, the line and the column.
func TestFilesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string // "" with noFile: no file at all
		want []string
	}{
		{"bad boolean", "ID,NAME,SYSTEMMODSTAMP,ISDELETED\n001A,Acme,2026-01-05T14:30:00.000Z,false\n001B,Beta,2026-01-05T14:30:00.000Z,maybe\n",
			[]string{"Account.csv", "line 3, column 4 (ISDELETED)", `"maybe" is not a boolean`}},
		{"bad datetime", "Id,Name,SystemModstamp\n001A,Acme,05/01/2026 14:30\n",
			[]string{"Account.csv", "line 2, column 3 (SystemModstamp)", "not a datetime"}},
		{"bad number", "Id,AnnualRevenue,SystemModstamp\n001A,lots,2026-01-05T14:30:00.000Z\n",
			[]string{"line 2, column 2 (AnnualRevenue)", "does not fit decimal"}},
		{"empty id", "Id,Name,SystemModstamp\n,Acme,2026-01-05T14:30:00.000Z\n",
			[]string{"line 2, column 1 (Id)", "empty"}},
		{"no stamp column", "Id,Name\n001A,Acme\n", []string{"Account.csv", "line 1", "no SystemModstamp column"}},
		{"no id column", "Name,SystemModstamp\nAcme,2026-01-05T14:30:00.000Z\n", []string{"line 1", "no Id column"}},
		{"ragged row", "Id,Name,SystemModstamp\n001A,Acme\n", []string{"Account.csv", "line 2", "wrong number of fields"}},
		{"bad quote", "Id,Name,SystemModstamp\n001A,\"Ac\"me,2026-01-05T14:30:00.000Z\n", []string{"Account.csv", "line 2", "column"}},
		{"duplicate column", "Id,NAME,Name,SystemModstamp\n", []string{"line 1", "columns 2 and 3"}},
		{"empty file", "", []string{"Account.csv", "empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Account.csv"), []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			res := e.read(e.source(m{"mode": "files", "files": m{"dir": dir}}), "account", nil, newTable(), 0)
			if res.err == nil {
				t.Fatal("read succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(res.err.Error(), w) {
					t.Errorf("error %q does not contain %q", res.err, w)
				}
			}
		})
	}
}

// Export details: a BOM, relationship columns, a custom field in upper case, a file named by
// files.paths, an "Export" without IsDeleted (every row live), and Count over the file.
func TestFilesExportDetails(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	text := "\ufeffID,NAME,ACCOUNT.NAME,ANNUALREVENUE,CUSTOMERTIER__C,SYSTEMMODSTAMP\n" +
		"001B,Beta,Parent,1500.5,Gold,2026-01-05T14:30:01.000Z\n" +
		"001A,\"Acme, Inc.\",,,,2026-01-05T14:30:00.000Z\n"
	if err := os.MkdirAll(filepath.Join(dir, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x", "accounts-2026.csv"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	src := e.source(m{"mode": "files", "files": m{"dir": dir, "paths": m{"Account": "x/accounts-2026.csv"}}})
	tb := newTable()
	res := e.mustRead(src, "account", nil, tb)
	if res.rows() != 2 {
		t.Fatalf("rows = %d, want 2", res.rows())
	}
	want := map[string]map[string]any{
		"001B": {"id": "001B", "name": "Beta", "annual_revenue": "1500.50", "customertier__c": "Gold", "is_deleted": "false", "system_modstamp": "2026-01-05T14:30:01Z"},
		"001A": {"id": "001A", "name": "Acme, Inc.", "annual_revenue": nil, "customertier__c": nil, "is_deleted": "false", "system_modstamp": "2026-01-05T14:30:00Z"},
	}
	for id, cols := range want {
		for c, v := range cols {
			if got := tb.rows[id][c]; got != v {
				t.Errorf("%s.%s = %v, want %v", id, c, got, v)
			}
		}
	}
	if _, ok := tb.fields["account.name"]; ok {
		t.Error("relationship column Account.Name was loaded")
	}
	if n, err := src.Count(t.Context(), "account"); err != nil || n != 2 {
		t.Errorf("Count = %d, %v; want 2", n, err)
	}
	// A missing export names the path to create.
	res = e.read(e.source(m{"mode": "files", "files": m{"dir": dir}}), "account", nil, newTable(), 0)
	if res.err == nil || !strings.Contains(res.err.Error(), "Account.csv") {
		t.Errorf("missing export: %v", res.err)
	}
}

func TestFilesConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		over m
		want string // "" when valid
	}{
		{"files mode needs no auth", m{"mode": "files", "files": m{"dir": "exports"}, "auth": nil}, ""},
		{"api mode needs auth", m{"auth": nil}, `missing required key "auth"`},
		{"files mode needs files", m{"mode": "files"}, "files is required with mode files"},
		{"files need files mode", m{"files": m{"dir": "exports"}}, "files is set but mode is api"},
		{"bad mode", m{"mode": "csv"}, `mode "csv" must be api or files`},
		{"pattern without object", m{"mode": "files", "files": m{"dir": "d", "pattern": "all.csv"}}, "files.pattern"},
		{"path for another object", m{"mode": "files", "files": m{"dir": "d", "paths": m{"Lead": "l.csv"}}}, "files.paths: Lead is not one of the objects"},
		{"empty dir", m{"mode": "files", "files": m{"dir": ""}}, "files.dir is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.config(tc.over)
			if v, ok := tc.over["auth"]; ok && v == nil {
				delete(c, "auth")
			}
			_, err := newFrom(c)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("New error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
