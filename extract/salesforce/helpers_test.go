package salesforce

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"gopkg.in/yaml.v3"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/salesforce/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// m is a YAML mapping in tests.
type m = map[string]any

// t0 is the fake clock's start in every test.
var t0 = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

// Test credentials.
const (
	testClientID     = "3MVG9-test-client"
	testClientSecret = "s3cr3t-client-value"
	testRefreshToken = "5Aep-refresh-token-value"
	testUser         = "integration@acme.test"
)

var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func privateKeyPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testKey())}))
}

// env is a fake org served on loopback, with a checked allocator.
type env struct {
	t     *testing.T
	org   *fake.Server
	srv   *httptest.Server
	clock *fakeapi.Clock
	mem   *memory.CheckedAllocator
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := fakeapi.NewClock(t0)
	org := fake.New(fake.Options{Clock: clock, Clients: []fake.Client{{
		ID: testClientID, Secret: testClientSecret, Username: testUser,
		RefreshTokens: []string{testRefreshToken}, PublicKey: &testKey().PublicKey,
	}}})
	srv := httptest.NewServer(org)
	t.Cleanup(srv.Close)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return &env{t: t, org: org, srv: srv, clock: clock, mem: mem}
}

// decodeFrom returns the config layer's strict decoder over src rendered as YAML.
func decodeFrom(src m) func(v any) error {
	return func(v any) error {
		text, err := yaml.Marshal(src)
		if err != nil {
			return err
		}
		root, err := yamlx.Parse("revops.yaml", text)
		if err != nil {
			return err
		}
		return (&yamlx.Decoder{File: "revops.yaml"}).Decode(root, v)
	}
}

// config is a client_credentials configuration against the env's fake, with overrides.
func (e *env) config(over m) m {
	c := m{
		"login_url":    e.srv.URL,
		"auth":         m{"grant": "client_credentials", "client_id": testClientID, "client_secret": testClientSecret},
		"objects":      []string{"Account"},
		"safety_lag":   "0s",
		"lookback":     "0s",
		"max_attempts": 10,
	}
	maps.Copy(c, over)
	return c
}

// source builds a source over the env's fake.
func (e *env) source(over m) *Source {
	e.t.Helper()
	s, err := NewWithOptions(extract.Config{Name: "crm", Decode: decodeFrom(e.config(over)), Now: e.clock.Now},
		Options{Allocator: e.mem, HTTPClient: e.srv.Client(), Sleep: noSleep, BaseDelay: time.Millisecond})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	return s
}

func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// insert adds records and fails the test on error.
func (e *env) insert(object string, recs ...fake.Record) []string {
	e.t.Helper()
	ids := make([]string, len(recs))
	for i, r := range recs {
		id, err := e.org.Insert(object, r)
		if err != nil {
			e.t.Fatalf("insert %s: %v", object, err)
		}
		ids[i] = id
	}
	return ids
}

// accounts inserts n accounts; stamp(i) gives each one's SystemModstamp.
func (e *env) accounts(n int, stamp func(i int) time.Time) []string {
	e.t.Helper()
	recs := make([]fake.Record, n)
	for i := range recs {
		recs[i] = fake.Record{"Name": fmt.Sprintf("Account %05d", i), "Industry": []string{"Tech", "Health", "Retail"}[i%3],
			"AnnualRevenue": float64(i*1000) + 0.25, "NumberOfEmployees": i % 500, "SystemModstamp": stamp(i)}
	}
	ids := e.insert("Account", recs...)
	slices.Sort(ids)
	return ids
}

// table merges emitted batches by primary key, the later row winning, as the loader does.
type table struct {
	rows   map[string]map[string]any
	fields map[string]arrow.Field
}

func newTable() *table {
	return &table{rows: map[string]map[string]any{}, fields: map[string]arrow.Field{}}
}

func (tb *table) apply(t *testing.T, rec arrow.RecordBatch) {
	t.Helper()
	idCol := -1
	for i, f := range rec.Schema().Fields() {
		tb.fields[f.Name] = f
		if f.Name == "id" {
			idCol = i
		}
	}
	if idCol < 0 {
		t.Fatalf("batch has no id column: %s", rec.Schema())
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		row := map[string]any{}
		for c, f := range rec.Schema().Fields() {
			row[f.Name] = cell(rec.Column(c), r)
		}
		tb.rows[row["id"].(string)] = row
	}
}

// cell renders an Arrow value canonically: nil, or a string.
func cell(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Date32:
		return a.Value(i).ToTime().Format(time.DateOnly)
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(i))).UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("unsupported %s", col.DataType())
}

// truthCell renders a fake value as cell renders the column f.
func truthCell(f arrow.Field, v any) any {
	if v == nil {
		return nil
	}
	switch dt := f.Type.(type) {
	case *arrow.StringType:
		return v.(string)
	case *arrow.BooleanType:
		return strconv.FormatBool(v.(bool))
	case *arrow.Int64Type:
		return strconv.FormatInt(v.(int64), 10)
	case *arrow.Float64Type:
		return strconv.FormatFloat(v.(float64), 'g', -1, 64)
	case *arrow.Decimal128Type:
		return strconv.FormatFloat(v.(float64), 'f', int(dt.Scale), 64)
	case *arrow.Date32Type:
		return v.(time.Time).Format(time.DateOnly)
	case *arrow.TimestampType:
		return v.(time.Time).UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("unsupported %s", f.Type)
}

// assertTruth checks the merged table against the fake's ground truth: every live record is
// there with its current values and not deleted; every record in the recycle bin is there
// and deleted; no row claims to be live that is not; a deleted row may be gone upstream.
func assertTruth(t *testing.T, tb *table, truth fake.Truth) {
	t.Helper()
	_, hasDeleted := tb.fields["is_deleted"]
	problems := 0
	report := func(format string, args ...any) {
		if problems < 10 {
			t.Errorf(format, args...)
		}
		problems++
	}
	for id, rec := range truth.Live {
		row, ok := tb.rows[id]
		if !ok {
			report("live record %s is missing", id)
			continue
		}
		for name, f := range tb.fields {
			sf, ok := f.Metadata.GetValue("salesforce_name")
			if !ok {
				continue
			}
			v, ok := rec[sf]
			if !ok { // a Data Loader header upper-cases names the built-in map does not know
				for k, kv := range rec {
					if strings.EqualFold(k, sf) {
						v = kv
					}
				}
			}
			if got, want := row[name], truthCell(f, v); got != want {
				report("record %s: %s = %v, want %v", id, name, got, want)
			}
		}
		if hasDeleted && row["is_deleted"] != "false" {
			report("live record %s has is_deleted %v", id, row["is_deleted"])
		}
	}
	for id := range truth.Deleted {
		row, ok := tb.rows[id]
		if !ok {
			report("deleted record %s is missing", id)
		} else if row["is_deleted"] != "true" {
			report("deleted record %s has is_deleted %v", id, row["is_deleted"])
		}
	}
	for id, row := range tb.rows {
		if _, live := truth.Live[id]; live {
			continue
		}
		if !hasDeleted || row["is_deleted"] != "true" {
			report("row %s is in the table as live but not live upstream", id)
		}
	}
	if problems > 10 {
		t.Errorf("… %d problems in all", problems)
	}
}

// result is what one Read emitted.
type result struct {
	batches []int // rows per batch
	ids     []string
	cursor  extract.Cursor
	err     error
}

func (r result) rows() int { return len(r.ids) }

// errKilled simulates a crash: emit fails and Read must return it unchanged.
var errKilled = errors.New("killed")

// read runs one Read; each emitted batch is merged into tb with its cursor (a commit per
// batch). With killAfter > 0 the read is killed at that batch: the batch is not committed.
func (e *env) read(src *Source, stream string, from extract.Cursor, tb *table, killAfter int) result {
	e.t.Helper()
	res := result{cursor: from}
	err := src.Read(context.Background(), stream, from, func(_ context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if killAfter > 0 && len(res.batches)+1 == killAfter {
			return errKilled
		}
		tb.apply(e.t, b.Records)
		res.batches = append(res.batches, int(b.Records.NumRows()))
		col := b.Records.Column(b.Records.Schema().FieldIndices("id")[0]).(*array.String)
		for i := 0; i < col.Len(); i++ {
			res.ids = append(res.ids, col.Value(i))
		}
		res.cursor = b.Cursor
		return nil
	})
	res.err = err
	return res
}

// mustRead is read that fails the test on error.
func (e *env) mustRead(src *Source, stream string, from extract.Cursor, tb *table) result {
	e.t.Helper()
	res := e.read(src, stream, from, tb, 0)
	if res.err != nil {
		e.t.Fatalf("Read %s: %v", stream, res.err)
	}
	return res
}

func (e *env) truth(object string) fake.Truth {
	e.t.Helper()
	tr, err := e.org.Truth(object)
	if err != nil {
		e.t.Fatal(err)
	}
	return tr
}

// unique counts distinct ids.
func unique(ids []string) int {
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	return len(seen)
}
