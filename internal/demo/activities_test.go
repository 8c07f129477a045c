package demo_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/revops/revops/internal/demo"
)

// TestActivities checks data/crm/activities.csv against the world: each lead's first touch is
// one activity at its first_activity_at, by an SDR; every opportunity has a kickoff meeting and
// a number of calls, emails and meetings that grows with its length and size, by its owner, within
// [its creation, its close or as_of_date), in New York business hours; about 10,000 activities
// per unit of scale (≈10 M at scale 1000).
func TestActivities(t *testing.T) {
	t.Parallel()
	dir, sum := generate(t, demo.Options{})
	w := readWorld(t, dir)
	acts := readTable(t, dir, "data/crm/activities.csv")
	if len(acts) != sum.Rows["activities"] {
		t.Errorf("Summary says %d activities, the file has %d", sum.Rows["activities"], len(acts))
	}
	if n := len(acts); n < 9000 || n > 11500 {
		t.Errorf("%d activities at scale 1, want about 10,000", n)
	}
	index(t, "activities", acts, "activity_id")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, time.October, 31, 0, 0, 0, 0, time.UTC)
	parse := func(what, v string) time.Time {
		t.Helper()
		tm, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("%s %q: %v", what, v, err)
		}
		return tm
	}
	users := index(t, "users", w.users, "user_id")
	opps := index(t, "opportunities", w.opps, "opportunity_id")
	// An opportunity's activities end when it closes (its last history row) or at as_of_date.
	end := map[string]time.Time{}
	for _, h := range w.history {
		if o := opps[h["opportunity_id"]]; o != nil && o["is_closed"] == "true" {
			end[h["opportunity_id"]] = parse("history created_at", h["created_at"]) // rows are in time order
		}
	}
	touches := map[string]string{} // lead id → activity_at, New York wall time
	perOpp := map[string]int{}
	types := map[string]int{}
	taskID, eventID := regexp.MustCompile(`^00T[0-9A-Za-z]{15}$`), regexp.MustCompile(`^00U[0-9A-Za-z]{15}$`)
	for _, a := range acts {
		id := a["activity_id"]
		if a["activity_type"] == "meeting" { // a Salesforce Event
			checkFormat(t, "activity_id", id, eventID)
		} else {
			checkFormat(t, "activity_id", id, taskID)
		}
		checkFormat(t, "activity_at", a["activity_at"], utcStamp)
		at := parse("activity_at", a["activity_at"])
		if !at.Before(asOf) {
			t.Errorf("activity %s at %s, not before as_of_date", id, a["activity_at"])
		}
		owner := users[a["owner_id"]]
		switch {
		case a["lead_id"] != "" && a["opportunity_id"] == "":
			if _, dup := touches[a["lead_id"]]; dup {
				t.Errorf("lead %s has two first touches", a["lead_id"])
			}
			touches[a["lead_id"]] = at.In(ny).Format(time.DateTime)
			if a["activity_type"] != "call" || a["account_id"] != "" || owner == nil || owner["role"] != "SDR" {
				t.Errorf("first touch %s: %v", id, a)
			}
		case a["opportunity_id"] != "" && a["lead_id"] == "":
			o := opps[a["opportunity_id"]]
			if o == nil {
				t.Errorf("activity %s: opportunity %s does not exist", id, a["opportunity_id"])
				continue
			}
			types[a["activity_type"]]++
			if perOpp[a["opportunity_id"]] == 0 && a["activity_type"] != "meeting" {
				t.Errorf("opportunity %s starts with a %s", a["opportunity_id"], a["activity_type"])
			}
			perOpp[a["opportunity_id"]]++
			if a["account_id"] != o["account_id"] || a["owner_id"] != o["owner_id"] {
				t.Errorf("activity %s: account %s owner %s, its opportunity's %s and %s", id, a["account_id"], a["owner_id"],
					o["account_id"], o["owner_id"])
			}
			stop, closed := end[a["opportunity_id"]]
			if !closed {
				stop = asOf
			}
			if created := parse("created_at", o["created_at"]); at.Before(created) || !at.Before(stop) {
				t.Errorf("activity %s at %s outside its opportunity's [%s, %s)", id, a["activity_at"], o["created_at"],
					stop.Format(time.RFC3339))
			}
			if local := at.In(ny); perOpp[a["opportunity_id"]] > 1 &&
				(local.Hour() < 8 || local.Hour() >= 19 || local.Weekday() == time.Saturday || local.Weekday() == time.Sunday) {
				t.Errorf("activity %s at %s New York time, outside business hours", id, local)
			}
		default:
			t.Errorf("activity %s: lead %q, opportunity %q: want exactly one", id, a["lead_id"], a["opportunity_id"])
		}
	}
	for _, l := range w.leads {
		if touches[l["lead_id"]] != l["first_activity_at"] {
			t.Errorf("lead %s: first_activity_at %q, its first touch activity at %q", l["lead_id"], l["first_activity_at"],
				touches[l["lead_id"]])
		}
	}
	if len(touches) > len(w.leads) {
		t.Errorf("%d first touches for %d leads", len(touches), len(w.leads))
	}
	total := 0
	for _, o := range w.opps {
		n := perOpp[o["opportunity_id"]]
		if n < 1 || n > 80 {
			t.Errorf("opportunity %s (%s): %d activities", o["opportunity_id"], o["type"], n)
		}
		total += n
	}
	if mean := float64(total) / float64(len(w.opps)); mean < 7 || mean > 12 {
		t.Errorf("%.1f activities per opportunity, want about 9", mean)
	}
	for typ, share := range map[string][2]float64{"email": {0.3, 0.5}, "call": {0.25, 0.45}, "meeting": {0.15, 0.35}} {
		if s := float64(types[typ]) / float64(total); s < share[0] || s > share[1] {
			t.Errorf("%s: %.0f%% of opportunity activities", typ, s*100)
		}
	}
	if len(types) != 3 {
		t.Errorf("opportunity activity types %v", types)
	}
}
