package marketo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/extract/marketo/fake"
)

// TestSchemaDrift: a field added to describe becomes a column at the next read (for the rows it
// reads); a field of a dataType the connector does not know goes to _extra; lead_fields limits
// the columns and names unknown fields.
func TestSchemaDrift(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	e.world(10, 10)
	src := e.source("streams: [leads]\nlookback: 0s\n")
	w := newWarehouse()
	e.sync(src, w)
	e.checkTruth(w, Leads)

	e.clock.Advance(time.Hour)
	_, err := e.fake.AddField(fake.Field{Name: "tier__c", DisplayName: "Tier", DataType: "string"})
	e.must(err)
	_, err = e.fake.AddField(fake.Field{Name: "scoreFormula", DisplayName: "Formula", DataType: "formula"})
	e.must(err)
	id := e.fake.Truth().Leads[0].ID
	e.must(e.fake.UpdateLead(id, time.Time{}, map[string]any{"tier__c": "Gold", "scoreFormula": "A+"}))
	e.clock.Advance(time.Hour)
	bs, err := e.read(src, Leads, w.cursors[Leads], 0)
	if err != nil {
		t.Fatal(err)
	}
	var got rowMap
	for _, b := range bs {
		for _, r := range b.rows {
			if r["id"] == id {
				got = r
			}
		}
	}
	if got == nil || got["tier__c"] != "Gold" || got["_extra"] != `{"scoreFormula":"A+"}` {
		t.Fatalf("the changed lead: %v", got)
	}

	narrow := e.source("streams: [leads]\nlead_fields: [email, leadStatus]\n")
	bs, err = e.read(narrow, Leads, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, b := range bs {
		if len(b.rows) > 0 {
			for name := range b.rows[0] {
				cols = append(cols, name)
			}
			break
		}
	}
	slices.Sort(cols)
	if fmt.Sprint(cols) != "[_extra created_at deleted deleted_at email id lead_status updated_at]" {
		t.Errorf("lead_fields columns: %v", cols)
	}
	_, err = e.read(e.source("streams: [leads]\nlead_fields: [email, favouriteColour]\n"), Leads, nil, 0)
	if err == nil || !strings.Contains(err.Error(), "favouriteColour is not a lead field") {
		t.Errorf("unknown lead field: %v", err)
	}
}

// TestLifecycleMQLRules: which changes count as MQL follows the mql block.
func TestLifecycleMQLRules(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	l, err := e.fake.AddLead(fake.Lead{Email: "a@x.io", LeadStatus: "New", CreatedAt: t0.Add(-48 * time.Hour)})
	e.must(err)
	at := t0.Add(-24 * time.Hour)
	step := func() time.Time { at = at.Add(time.Minute); return at }
	e.must(e.fake.UpdateLead(l.ID, step(), map[string]any{"leadStatus": "Marketing Qualified"}))
	e.must(e.fake.UpdateLead(l.ID, step(), map[string]any{"title": "MQL"})) // another field: not lifecycle
	_, err = e.fake.ChangeScore(l.ID, step(), "leadScore", 95, "web")
	e.must(err)
	_, err = e.fake.ChangeScore(l.ID, step(), "leadScore", 120, "demo") // crosses 100
	e.must(err)
	_, err = e.fake.ChangeScore(l.ID, step(), "leadScore", 130, "again") // already above
	e.must(err)
	_, err = e.fake.ChangeProgramStatus(l.ID, step(), 5, "Webinar", "Qualified", "attended")
	e.must(err)
	_, err = e.fake.ChangeRevenueStage(l.ID, step(), 7, "Model", "MQL")
	e.must(err)
	for _, tc := range []struct {
		name string
		yaml string
		want string // is_mql per change, in order
	}{
		{"defaults, score off", "mql: {}\n", "status:true score:false score:false score:false program:false stage:true"},
		{"score threshold and program status", "mql: {score_threshold: 100, program_statuses: [qualified]}\n",
			"status:true score:false score:true score:false program:true stage:true"},
		{"custom status values, no stages", "mql: {lead_status_values: [SQL], revenue_stages: []}\n",
			"status:false score:false score:false score:false program:false stage:false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := e.source("streams: [lead_lifecycle]\n" + tc.yaml)
			bs, err := e.read(src, LeadLifecycle, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bs {
				for _, r := range b.rows {
					kind := map[int64]string{13: "status", 22: "score", 104: "program", 101: "stage"}[r["activity_type_id"].(int64)]
					got = append(got, fmt.Sprint(kind, ":", r["is_mql"]))
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, " "), tc.want)
			}
		})
	}
}

// TestAuthAndAccessErrors: bad credentials fail at once with an AuthError that never shows the
// secret; 603 is ErrAccessDenied; an unknown activity type id is named.
func TestAuthAndAccessErrors(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	e.world(3, 1)
	bad := e.source("streams: [leads]\n")
	bad.client.secret = bad.client.id // a wrong secret
	_, err := e.read(bad, Leads, nil, 0)
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Status != 401 || strings.Contains(err.Error(), "revops-client") {
		t.Errorf("bad credentials: %v", err)
	}
	if n := e.count("/identity/oauth/token"); n != 1 {
		t.Errorf("bad credentials were sent %d times", n)
	}

	src := e.source("streams: [activities]\n")
	e.fake.ScriptCodes("describe", "603")
	e.fake.ScriptCodes("types.json", "603")
	if _, err := e.read(src, Activities, nil, 0); !errors.Is(err, ErrAccessDenied) {
		t.Errorf("603: %v", err)
	}
	_, err = e.read(e.source("streams: [activities]\nactivity_type_ids: [1, 9999]\n"), Activities, nil, 0)
	if err == nil || !strings.Contains(err.Error(), "9999") {
		t.Errorf("unknown type id: %v", err)
	}
}

// TestLongQueriesGoAsPOST: a leads.json query longer than Marketo's URL limit (many fields)
// is sent as a POST with _method=GET and reads the same rows.
func TestLongQueriesGoAsPOST(t *testing.T) {
	e := newEnv(t, fake.Knobs{})
	for i := 0; i < 250; i++ {
		_, err := e.fake.AddField(fake.Field{Name: fmt.Sprintf("customAttributeNumber%03d__c", i), DataType: "integer"})
		e.must(err)
	}
	e.world(12, 12)
	src := e.source("streams: [leads]\nuse_bulk: never\n")
	w := newWarehouse()
	e.sync(src, w)
	e.checkTruth(w, Leads)
	if e.fake.ErrorsServed()["HTTP 414"] != 0 || e.count("/rest/v1/leads.json") == 0 {
		t.Errorf("errors %v", e.fake.ErrorsServed())
	}
}

// TestConcurrentStreamsShareTheCap: streams read at once stay within max_concurrency and share
// one token.
func TestConcurrentStreamsShareTheCap(t *testing.T) {
	e := newEnv(t, fake.Knobs{MaxConcurrent: 2})
	e.world(30, 13)
	src := e.source("max_concurrency: 2\n")
	var wg sync.WaitGroup
	errs := make([]error, len(src.streams))
	for i, name := range src.streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = src.Read(context.Background(), name, nil, func(_ context.Context, b extract.Batch) error {
				b.Records.Release()
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", src.streams[i], err)
		}
	}
	if n := e.fake.ErrorsServed()["615"]; n != 0 {
		t.Errorf("615 served %d times", n)
	}
}
