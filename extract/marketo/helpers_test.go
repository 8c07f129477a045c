package marketo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/extensions"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/marketo/fake"
	"github.com/revops/revops/internal/fakeapi"
	"github.com/revops/revops/internal/yamlx"
)

// t0 is the fake clock's start.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// env is a fake Marketo subscription and what tests need around it.
type env struct {
	t     *testing.T
	fake  *fake.Server
	url   string
	clock *fakeapi.Clock
	mem   *memory.CheckedAllocator
	// sleeps counts the waits of the source (retry backoff, bulk polls); each advances the
	// fake clock, so throttling and expiry happen on the fake's time.
	sleeps atomic.Int64
}

func newEnv(t *testing.T, knobs fake.Knobs) *env {
	t.Helper()
	clock := fakeapi.NewClock(t0)
	f := fake.New(fake.Options{Clock: clock, Knobs: knobs})
	hs := httptest.NewServer(f)
	t.Cleanup(hs.Close)
	e := &env{t: t, fake: f, url: hs.URL, clock: clock, mem: memory.NewCheckedAllocator(memory.NewGoAllocator())}
	t.Cleanup(func() { e.mem.AssertSize(t, 0) })
	return e
}

// decodeYAML is the config layer's strict decoder over YAML text.
func decodeYAML(text string) func(v any) error {
	return func(v any) error {
		root, err := yamlx.Parse("revops.yaml", []byte(text))
		if err != nil {
			return err
		}
		return (&yamlx.Decoder{File: "revops.yaml"}).Decode(root, v)
	}
}

// baseYAML is the configuration every test source starts from.
const baseYAML = "client_id: revops-client\nclient_secret: revops-secret\nstart_date: 2025-01-01\n"

// source builds a source against the fake; extra is YAML appended to the base config.
func (e *env) source(extraYAML string) *source {
	e.t.Helper()
	text := fmt.Sprintf("base_url: %s\n%s%s", e.url, baseYAML, extraYAML)
	if !strings.Contains(extraYAML, "lookback:") {
		text += "lookback: 1h\n"
	}
	if !strings.Contains(extraYAML, "mql:") {
		text += "mql: {score_threshold: 100}\n"
	}
	sleep := func(ctx context.Context, d time.Duration) error {
		e.sleeps.Add(1)
		e.clock.Advance(d)
		return ctx.Err()
	}
	pace := func(ctx context.Context, d time.Duration) error {
		// A microsecond more: the limiter may ask for a wait that rounds to 0 when its bucket
		// holds 0.999… tokens, and a clock that does not move would keep it asking.
		e.clock.Advance(d + time.Microsecond)
		return ctx.Err()
	}
	f := NewWith(Options{Sleep: sleep, Limiter: newLimiter(DefaultRequestsPer20s, e.clock.Now, pace), Allocator: e.mem})
	src, err := f(extract.Config{Name: "mkto", Decode: decodeYAML(text), Now: e.clock.Now})
	if err != nil {
		e.t.Fatalf("New: %v", err)
	}
	s := src.(*source)
	s.batchRows = 1 // a batch per page with rows: kill tests get a kill point per page
	return s
}

// rowMap is a row in tests: string, int64, float64, bool or nil; timestamps as RFC 3339,
// dates as YYYY-MM-DD, decimals as their text, JSON as its text.
type rowMap = map[string]any

func rowsOf(rec arrow.RecordBatch) []rowMap {
	out := make([]rowMap, rec.NumRows())
	for i := range out {
		out[i] = rowMap{}
	}
	for c, f := range rec.Schema().Fields() {
		col := rec.Column(c)
		for i := 0; i < int(rec.NumRows()); i++ {
			if col.IsNull(i) {
				out[i][f.Name] = nil
				continue
			}
			switch a := col.(type) {
			case *array.String:
				out[i][f.Name] = a.Value(i)
			case *extensions.JSONArray:
				out[i][f.Name] = a.Storage().(*array.String).Value(i)
			case *array.Int64:
				out[i][f.Name] = a.Value(i)
			case *array.Float64:
				out[i][f.Name] = a.Value(i)
			case *array.Boolean:
				out[i][f.Name] = a.Value(i)
			case *array.Timestamp:
				out[i][f.Name] = time.UnixMicro(int64(a.Value(i))).UTC().Format(time.RFC3339)
			case *array.Date32:
				out[i][f.Name] = a.Value(i).ToTime().Format(time.DateOnly)
			case *array.Decimal128:
				out[i][f.Name] = a.Value(i).ToString(decimalScale)
			default:
				panic(fmt.Sprintf("column %s: %T", f.Name, col))
			}
		}
	}
	return out
}

// batch is what a test keeps of an emitted batch.
type batch struct {
	rows   []rowMap
	cursor extract.Cursor
	final  bool
}

var errCrash = errors.New("crash")

// read runs one Read and returns its batches. killAt > 0 simulates a kill: when batch killAt
// arrives, emit cancels the read's context and drops the batch (it is never loaded).
func (e *env) read(src *source, stream string, from extract.Cursor, killAt int) ([]batch, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []batch
	err := src.Read(ctx, stream, from, func(ctx context.Context, b extract.Batch) error {
		defer b.Records.Release()
		if killAt > 0 && len(got)+1 == killAt {
			cancel()
			return nil
		}
		got = append(got, batch{rows: rowsOf(b.Records), cursor: b.Cursor, final: b.Final})
		return nil
	})
	return got, err
}

// warehouse is what the loader keeps: per stream, rows merged on the primary key (last wins),
// and the committed cursor.
type warehouse struct {
	tables  map[string]map[string]rowMap
	cursors map[string]extract.Cursor
}

func newWarehouse() *warehouse {
	return &warehouse{tables: map[string]map[string]rowMap{}, cursors: map[string]extract.Cursor{}}
}

func pkOf(st extract.Stream, r rowMap) string {
	parts := make([]string, len(st.PrimaryKey))
	for i, k := range st.PrimaryKey {
		parts[i] = fmt.Sprint(r[k])
	}
	return strings.Join(parts, "/")
}

func streamOf(src *source, name string) extract.Stream {
	for _, st := range src.Streams() {
		if st.Name == name {
			return st
		}
	}
	panic("no stream " + name)
}

// load merges batches; a Replace stream's table is replaced by what one read emits.
func (w *warehouse) load(st extract.Stream, bs []batch) {
	tab := w.tables[st.Name]
	if tab == nil || st.Replace {
		tab = map[string]rowMap{}
		w.tables[st.Name] = tab
	}
	for _, b := range bs {
		for _, r := range b.rows {
			tab[pkOf(st, r)] = r
		}
		w.cursors[st.Name] = b.cursor
	}
}

// sync reads the streams (all when none are named) from the warehouse's cursors and loads them.
func (e *env) sync(src *source, w *warehouse, streams ...string) {
	e.t.Helper()
	if len(streams) == 0 {
		streams = src.streams
	}
	for _, name := range streams {
		bs, err := e.read(src, name, w.cursors[name], 0)
		if err != nil {
			e.t.Fatalf("read %s: %v", name, err)
		}
		if len(bs) == 0 || !bs[len(bs)-1].final {
			e.t.Fatalf("read %s: the last batch is not final", name)
		}
		w.load(streamOf(src, name), bs)
	}
}

// world seeds n leads with activities over the 60 days before t0: visits, forms, emails in
// bursts that share timestamps, status and field updates, score, program and revenue stage
// changes, and a few deletions. It is deterministic for a seed.
func (e *env) world(n int, seed uint64) {
	e.t.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	base := t0.Add(-60 * 24 * time.Hour)
	statuses := []string{"New", "Working", "Nurture", "MQL", "SQL"}
	sources := []string{"Web", "Paid Search", "Event", "Referral"}
	var ids []int64
	for i := 0; i < n; i++ {
		created := base.Add(time.Duration(rnd.IntN(50*24)) * time.Hour).Add(time.Duration(rnd.IntN(3600)) * time.Second)
		fields := map[string]any{"leadScore": rnd.IntN(50), "numberOfEmployees": 10 + rnd.IntN(5000)}
		if i%3 == 0 {
			fields["annualRevenue"] = fmt.Sprintf("%d.%02d", rnd.IntN(9_000_000), rnd.IntN(100))
		}
		if i%4 == 0 {
			fields["dateOfBirth"] = fmt.Sprintf("19%02d-%02d-%02d", 60+rnd.IntN(40), 1+rnd.IntN(12), 1+rnd.IntN(28))
		}
		if i%5 == 0 {
			fields["unsubscribed"] = i%10 == 0
		}
		l, err := e.fake.AddLead(fake.Lead{Email: fmt.Sprintf("lead%d@example.com", i), FirstName: fmt.Sprint("First", i),
			LastName: fmt.Sprint("Last", i), Company: fmt.Sprintf("Acme %d, \"Inc\"", i%7), LeadStatus: "New",
			LeadSource: sources[i%len(sources)], CreatedAt: created, Fields: fields})
		if err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	for i, id := range ids {
		l := e.truthLead(id)
		at := l.CreatedAt
		for j := 0; j < 3+rnd.IntN(6); j++ {
			at = at.Add(time.Duration(1+rnd.IntN(20)) * time.Hour)
			if at.After(t0) {
				break
			}
			typ := []int{fake.TypeVisitWebpage, fake.TypeVisitWebpage, fake.TypeFillOutForm, fake.TypeOpenEmail, fake.TypeClickEmail}[rnd.IntN(5)]
			a := fake.Activity{LeadID: id, ActivityDate: at, TypeID: typ, PrimaryAttributeValueID: int64(1 + rnd.IntN(40)),
				PrimaryAttributeValue: fmt.Sprintf("page-%d.html", rnd.IntN(40)), CampaignID: int64(rnd.IntN(3)),
				Attributes: []fake.Attribute{{Name: "Client IP Address", Value: fmt.Sprintf("10.0.%d.%d", rnd.IntN(255), rnd.IntN(255))},
					{Name: "User Agent", Value: "Mozilla/5.0 <test> & co"}}}
			if _, err := e.fake.AddActivity(a); err != nil {
				e.t.Fatal(err)
			}
		}
		if at.After(t0) {
			at = t0.Add(-time.Minute)
		}
		switch i % 6 {
		case 0:
			e.must(e.fake.UpdateLead(id, at, map[string]any{"leadStatus": statuses[rnd.IntN(len(statuses))], "title": "VP"}))
		case 1:
			_, err := e.fake.ChangeScore(id, at, "leadScore", int64(60+rnd.IntN(80)), "Visited pricing")
			e.must(err)
		case 2:
			_, err := e.fake.ChangeProgramStatus(id, at, 1001, "Webinar 2025", []string{"Registered", "Attended", "MQL"}[rnd.IntN(3)], "Filled out form")
			e.must(err)
		case 3:
			_, err := e.fake.ChangeRevenueStage(id, at, 7, "Default Model", []string{"Known", "Engaged", "MQL"}[rnd.IntN(3)])
			e.must(err)
		}
	}
	// A burst of 40 visits in one second (ties at one activityDate).
	for k := 0; k < 40; k++ {
		_, err := e.fake.AddActivity(fake.Activity{LeadID: ids[k%len(ids)], ActivityDate: t0.Add(-3 * time.Hour), TypeID: fake.TypeVisitWebpage,
			PrimaryAttributeValue: "burst.html"})
		e.must(err)
	}
	for k := 0; k < n/15; k++ {
		e.must(e.fake.DeleteLead(ids[7+k*11], t0.Add(-time.Duration(k+1)*time.Hour)))
	}
}

// mutate changes the world at the clock's time: new leads with activities, updates, a score
// change, a deletion.
func (e *env) mutate(round int) {
	e.t.Helper()
	tr := e.fake.Truth()
	now := e.clock.Now()
	for i := 0; i < 4; i++ {
		l, err := e.fake.AddLead(fake.Lead{Email: fmt.Sprintf("new%d-%d@example.com", round, i), LastName: "New", CreatedAt: now})
		e.must(err)
		_, err = e.fake.AddActivity(fake.Activity{LeadID: l.ID, TypeID: fake.TypeFillOutForm, ActivityDate: now,
			Attributes: []fake.Attribute{{Name: "Form Fields", Value: `{"Email":"x"}`}}})
		e.must(err)
	}
	live := tr.Leads
	e.must(e.fake.UpdateLead(live[round%len(live)].ID, now, map[string]any{"leadStatus": "MQL", "company": "Changed Co"}))
	_, err := e.fake.ChangeScore(live[(round+3)%len(live)].ID, now, "leadScore", 150, "Demo request")
	e.must(err)
	e.must(e.fake.DeleteLead(live[(round+5)%len(live)].ID, now))
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) truthLead(id int64) fake.Lead {
	for _, l := range e.fake.Truth().Leads {
		if l.ID == id {
			return l
		}
	}
	e.t.Fatalf("no lead %d", id)
	return fake.Lead{}
}

// cell renders a fake value as rowsOf renders the column of its dataType.
func cell(f fake.Field, v any) any {
	if v == nil {
		return nil
	}
	switch f.DataType {
	case "integer", "score":
		return v.(int64)
	case "currency":
		return decimalText(v.(string))
	case "boolean", "float":
		return v
	case "date":
		return v.(time.Time).Format(time.DateOnly)
	case "datetime":
		return v.(time.Time).UTC().Format(time.RFC3339)
	}
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	return v
}

// decimalText renders decimal text with six decimals (the test values have at most six).
func decimalText(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	return whole + "." + frac + strings.Repeat("0", 6-len(frac))
}

// expectedLeads is the leads table the truth implies: live leads with every describe field,
// and a tombstone per deleted lead.
func expectedLeads(tr fake.Truth) map[string]rowMap {
	out := map[string]rowMap{}
	for _, l := range tr.Leads {
		r := rowMap{"deleted": false, "deleted_at": nil, "_extra": nil}
		for _, f := range tr.Fields {
			if _, ok := kindOf(f.DataType); ok {
				r[snakeCase(f.Name)] = cell(f, l.Value(f.Name))
			}
		}
		out[fmt.Sprint(l.ID)] = r
	}
	for _, d := range tr.Deleted {
		r := rowMap{"id": d.LeadID, "deleted": true, "deleted_at": d.DeletedAt.UTC().Format(time.RFC3339), "_extra": nil}
		for _, f := range tr.Fields {
			if _, ok := kindOf(f.DataType); ok && f.Name != "id" {
				r[snakeCase(f.Name)] = nil
			}
		}
		out[fmt.Sprint(d.LeadID)] = r
	}
	return out
}

// expectedActivities is the activities table the truth implies for the given types (all when
// none).
func expectedActivities(tr fake.Truth, types ...int) map[string]rowMap {
	names := map[int]string{}
	for _, t := range tr.ActivityTypes {
		names[t.ID] = t.Name
	}
	nz := func(n int64) any {
		if n == 0 {
			return nil
		}
		return n
	}
	out := map[string]rowMap{}
	for _, a := range tr.Activities {
		if len(types) > 0 && !slices.Contains(types, a.TypeID) {
			continue
		}
		attrs := map[string]any{}
		for _, at := range a.Attributes {
			if at.Value != nil && at.Value != "" {
				attrs[at.Name] = at.Value
			}
		}
		js, _ := json.Marshal(attrs)
		var pav any
		if a.PrimaryAttributeValue != "" {
			pav = a.PrimaryAttributeValue
		}
		out[a.MarketoGUID] = rowMap{"marketo_guid": a.MarketoGUID, "id": a.ID, "lead_id": a.LeadID,
			"activity_date": a.ActivityDate.UTC().Format(time.RFC3339), "activity_type_id": int64(a.TypeID),
			"activity_type_name": names[a.TypeID], "campaign_id": nz(a.CampaignID),
			"primary_attribute_value_id": nz(a.PrimaryAttributeValueID), "primary_attribute_value": pav,
			"attributes": string(js), "_extra": nil}
	}
	return out
}

// expectedLifecycle is the lead_lifecycle table the truth implies with the default mql rules
// and score_threshold 100.
func expectedLifecycle(tr fake.Truth) map[string]rowMap {
	text := func(v any) any {
		if v == nil || v == "" {
			return nil
		}
		return fmt.Sprint(v)
	}
	out := map[string]rowMap{}
	for _, a := range tr.Activities {
		var newV, oldV any
		mql := false
		switch a.TypeID {
		case fake.TypeChangeDataValue:
			if a.PrimaryAttributeValue != "Lead Status" {
				continue
			}
			newV, oldV = text(a.Attr("New Value")), text(a.Attr("Old Value"))
			mql = newV == "MQL"
		case fake.TypeChangeScore:
			newV, oldV = text(a.Attr("New Value")), text(a.Attr("Old Value"))
			mql = a.Attr("New Value").(int64) >= 100 && a.Attr("Old Value").(int64) < 100
		case fake.TypeChangeStatusInProgression:
			newV, oldV = text(a.Attr("New Status")), text(a.Attr("Old Status"))
		case fake.TypeChangeRevenueStage:
			newV, oldV = text(a.Attr("New Stage")), text(a.Attr("Old Stage"))
			mql = newV == "MQL"
		default:
			continue
		}
		name := map[int]string{13: "Change Data Value", 22: "Change Score", 104: "Change Status in Progression", 101: "Change Revenue Stage"}[a.TypeID]
		out[a.MarketoGUID] = rowMap{"marketo_guid": a.MarketoGUID, "lead_id": a.LeadID, "changed_at": a.ActivityDate.UTC().Format(time.RFC3339),
			"activity_type_id": int64(a.TypeID), "activity_type_name": name, "subject": text(a.PrimaryAttributeValue),
			"old_value": oldV, "new_value": newV, "reason": text(a.Attr("Reason")), "is_mql": mql}
	}
	return out
}

// equalTables compares a loaded table with the expected one, row for row and cell for cell.
func equalTables(t *testing.T, stream string, got, want map[string]rowMap) {
	t.Helper()
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	bad := 0
	for _, k := range keys {
		g, w := got[k], want[k]
		switch {
		case g == nil:
			t.Errorf("%s %s: missing", stream, k)
		case w == nil:
			t.Errorf("%s %s: unexpected row %v", stream, k, g)
		default:
			a, _ := json.Marshal(g)
			b, _ := json.Marshal(w)
			if string(a) != string(b) {
				t.Errorf("%s %s:\n got %s\nwant %s", stream, k, a, b)
			} else {
				continue
			}
		}
		if bad++; bad > 10 {
			t.Fatalf("%s: too many differences", stream)
		}
	}
}

// checkTruth compares every stream read into w with the fake's truth.
func (e *env) checkTruth(w *warehouse, streams ...string) {
	e.t.Helper()
	tr := e.fake.Truth()
	for _, st := range streams {
		switch st {
		case Leads:
			equalTables(e.t, st, w.tables[st], expectedLeads(tr))
		case Activities:
			equalTables(e.t, st, w.tables[st], expectedActivities(tr))
		case LeadLifecycle:
			equalTables(e.t, st, w.tables[st], expectedLifecycle(tr))
		case ActivityTypes:
			if len(w.tables[st]) != len(tr.ActivityTypes) {
				e.t.Errorf("activity_types: %d rows, want %d", len(w.tables[st]), len(tr.ActivityTypes))
			}
		}
	}
}

// noDuplicateKeys fails when one read emitted a primary key twice.
func noDuplicateKeys(t *testing.T, st extract.Stream, bs []batch) {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range bs {
		for _, r := range b.rows {
			k := pkOf(st, r)
			if seen[k] {
				t.Errorf("%s: key %s emitted twice in one read", st.Name, k)
			}
			seen[k] = true
		}
	}
}

// count returns the API requests the fake saw for path.
func (e *env) count(path string) int { return e.fake.Stats().ByPath[path] }

// countSuffix returns the API requests the fake saw for paths ending with suffix.
func (e *env) countSuffix(suffix string) int {
	n := 0
	for p, c := range e.fake.Stats().ByPath {
		if strings.HasSuffix(p, suffix) {
			n += c
		}
	}
	return n
}
