package demo_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/revops/revops/internal/demo"
)

// table is a data file read back as rows of column → text ("" for empty or NULL).
type table []map[string]string

// readTable reads a data file of the demo project.
func readTable(t *testing.T, dir, rel string) table {
	t.Helper()
	path := filepath.Join(dir, rel)
	var out table
	switch filepath.Ext(rel) {
	case ".csv":
		recs := readCSV(t, path)
		for _, r := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = r[i]
			}
			out = append(out, row)
		}
	case ".jsonl":
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			row := map[string]string{}
			for k, v := range raw {
				var s string
				if json.Unmarshal(v, &s) != nil {
					s = string(v) // a number
				}
				row[k] = s
			}
			out = append(out, row)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	case ".parquet":
		db := openDuckDB(t)
		q := fmt.Sprintf(`SELECT customer_id, subscription_id, CAST(start_date AS VARCHAR), coalesce(CAST(end_date AS VARCHAR), ''),
			CAST(monthly_amount AS VARCHAR), currency, plan, status, typeof(monthly_amount) FROM read_parquet('%s')`, strings.ReplaceAll(path, "'", "''"))
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var v [9]string
			if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]); err != nil {
				t.Fatal(err)
			}
			out = append(out, map[string]string{"customer_id": v[0], "subscription_id": v[1], "start_date": v[2],
				"end_date": v[3], "monthly_amount": v[4], "currency": v[5], "plan": v[6], "status": v[7], "type": v[8]})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// world is the generated project read back.
type world struct {
	accounts, users, contacts, leads, opps, history, subs, customers, invoices table
}

func readWorld(t *testing.T, dir string) world {
	return world{
		accounts:  readTable(t, dir, "data/crm/accounts.csv"),
		users:     readTable(t, dir, "data/crm/users.csv"),
		contacts:  readTable(t, dir, "data/crm/contacts.jsonl"),
		leads:     readTable(t, dir, "data/crm/leads.csv"),
		opps:      readTable(t, dir, "data/crm/opportunities.csv"),
		history:   readTable(t, dir, "data/crm/opportunity_history.csv"),
		subs:      readTable(t, dir, "data/billing/subscriptions.parquet"),
		customers: readTable(t, dir, "data/billing/customers.csv"),
		invoices:  readTable(t, dir, "data/billing/invoices.jsonl"),
	}
}

// index maps a column's values to rows; it fails the test on duplicates.
func index(t *testing.T, name string, tb table, col string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, r := range tb {
		if _, dup := out[r[col]]; dup {
			t.Errorf("%s: %s %q is not unique", name, col, r[col])
		}
		out[r[col]] = r
	}
	return out
}

func TestCoherence(t *testing.T) {
	t.Parallel()
	dir, sum := generate(t, demo.Options{})
	w := readWorld(t, dir)
	for name, n := range map[string]int{"accounts": len(w.accounts), "contacts": len(w.contacts), "leads": len(w.leads),
		"opportunities": len(w.opps), "opportunity_history": len(w.history), "subscriptions": len(w.subs),
		"customers": len(w.customers), "invoices": len(w.invoices), "users": len(w.users)} {
		if sum.Rows[name] != n {
			t.Errorf("Summary says %d %s, the file has %d", sum.Rows[name], name, n)
		}
	}
	accounts := index(t, "accounts", w.accounts, "account_id")
	users := index(t, "users", w.users, "user_id")
	opps := index(t, "opportunities", w.opps, "opportunity_id")
	customers := index(t, "customers", w.customers, "customer_id")
	index(t, "contacts", w.contacts, "contact_id")
	index(t, "leads", w.leads, "lead_id")
	index(t, "history", w.history, "id")
	index(t, "invoices", w.invoices, "invoice_id")
	for _, a := range w.accounts {
		checkFormat(t, "account created_at", a["created_at"], utcStamp)
		if users[a["owner_id"]] == nil {
			t.Errorf("account %s: owner %s is no user", a["account_id"], a["owner_id"])
		}
	}
	checkOpportunities(t, w, accounts, users)
	checkHistory(t, w, opps)
	for _, l := range w.leads {
		checkFormat(t, "lead created_at", l["created_at"], naiveStamp)
		for _, c := range []string{"mql_at", "sql_at", "first_activity_at"} {
			if l[c] != "" {
				checkFormat(t, "lead "+c, l[c], naiveStamp)
			}
		}
		if id := l["converted_opportunity_id"]; id != "" && (opps[id] == nil || opps[id]["type"] != "New Business") {
			t.Errorf("lead %s converted to %s, which is no New Business opportunity", l["lead_id"], id)
		}
		if l["mql_at"] != "" && l["mql_at"] < l["created_at"] || l["sql_at"] != "" && l["sql_at"] < l["mql_at"] {
			t.Errorf("lead %s: created %s, mql %s, sql %s out of order", l["lead_id"], l["created_at"], l["mql_at"], l["sql_at"])
		}
	}
	subs := map[string]bool{}
	for _, s := range w.subs {
		subs[s["subscription_id"]] = true
		if customers[s["customer_id"]] == nil {
			t.Errorf("subscription %s: customer %s does not exist", s["subscription_id"], s["customer_id"])
		}
		if s["type"] != "DECIMAL(18,2)" {
			t.Errorf("monthly_amount is %s in the Parquet file", s["type"])
		}
		if s["end_date"] != "" && s["end_date"] <= s["start_date"] {
			t.Errorf("subscription %s: period [%s, %s) is empty", s["subscription_id"], s["start_date"], s["end_date"])
		}
	}
	index(t, "subscription periods", keyed(w.subs, "subscription_id", "start_date"), "key")
	matched := 0
	for _, c := range w.customers {
		if id := c["crm_account_id"]; id != "" {
			matched++
			if accounts[id] == nil {
				t.Errorf("customer %s: crm_account_id %s does not exist", c["customer_id"], id)
			}
		}
	}
	if share := float64(matched) / float64(len(w.customers)); share < 0.7 || share > 0.9 {
		t.Errorf("%.0f%% of customers carry crm_account_id, want about 80%%", share*100)
	}
	for _, in := range w.invoices {
		if !subs[in["subscription_id"]] || customers[in["customer_id"]] == nil {
			t.Errorf("invoice %s: unknown subscription %s or customer %s", in["invoice_id"], in["subscription_id"], in["customer_id"])
		}
		checkFormat(t, "invoice amount", in["amount"], moneyRE)
		checkFormat(t, "invoice issued_at", in["issued_at"], utcStamp)
	}
}

func keyed(tb table, cols ...string) table {
	out := make(table, len(tb))
	for i, r := range tb {
		var parts []string
		for _, c := range cols {
			parts = append(parts, r[c])
		}
		out[i] = map[string]string{"key": strings.Join(parts, "|")}
	}
	return out
}

func checkFormat(t *testing.T, what, v string, re interface{ MatchString(string) bool }) {
	t.Helper()
	if !re.MatchString(v) {
		t.Errorf("%s %q has the wrong format", what, v)
	}
}

func checkOpportunities(t *testing.T, w world, accounts, users map[string]map[string]string) {
	t.Helper()
	for _, o := range w.opps {
		id := o["opportunity_id"]
		a := accounts[o["account_id"]]
		if a == nil || a["is_deleted"] != "false" {
			t.Errorf("opportunity %s: account %s missing or deleted", id, o["account_id"])
		}
		if users[o["owner_id"]] == nil {
			t.Errorf("opportunity %s: owner %s is no user", id, o["owner_id"])
		}
		won, lost := o["stage_name"] == "Closed Won", o["stage_name"] == "Closed Lost"
		if (o["is_won"] == "true") != won || (o["is_closed"] == "true") != (won || lost) {
			t.Errorf("opportunity %s: stage %s with is_closed=%s is_won=%s", id, o["stage_name"], o["is_closed"], o["is_won"])
		}
		if o["amount"] != "" {
			checkFormat(t, "opportunity amount", o["amount"], moneyRE)
		}
		if o["close_date"] != "" {
			checkFormat(t, "opportunity close_date", o["close_date"], dateRE)
		}
		checkFormat(t, "opportunity created_at", o["created_at"], utcStamp)
		checkFormat(t, "opportunity last_modified_at", o["last_modified_at"], utcStamp)
		if o["last_modified_at"] < o["created_at"] || o["last_modified_at"] >= "2026-10-31" {
			t.Errorf("opportunity %s: last_modified_at %s outside [created_at %s, as_of_date)", id, o["last_modified_at"], o["created_at"])
		}
	}
}

func checkHistory(t *testing.T, w world, opps map[string]map[string]string) {
	t.Helper()
	last := map[string]map[string]string{}
	for _, h := range w.history {
		id := h["opportunity_id"]
		if opps[id] == nil {
			t.Errorf("history %s: opportunity %s does not exist", h["id"], id)
			continue
		}
		if prev := last[id]; prev != nil && h["created_at"] < prev["created_at"] {
			t.Errorf("history of %s goes back in time: %s after %s", id, h["created_at"], prev["created_at"])
		} else if prev == nil && h["created_at"] != opps[id]["created_at"] {
			t.Errorf("history of %s starts at %s, the opportunity was created at %s", id, h["created_at"], opps[id]["created_at"])
		}
		last[id] = h
	}
	for id, o := range opps {
		h := last[id]
		if h == nil {
			t.Errorf("opportunity %s has no history", id)
			continue
		}
		if h["stage_name"] != o["stage_name"] || h["amount"] != o["amount"] || h["close_date"] != o["close_date"] {
			t.Errorf("opportunity %s is %s/%s/%s, its last history row %s/%s/%s", id,
				o["stage_name"], o["amount"], o["close_date"], h["stage_name"], h["amount"], h["close_date"])
		}
	}
}

// recount counts the planted dirt in the files, by the definitions in dirt.go.
func recount(w world, asOf string) map[string]int {
	n := map[string]int{}
	for _, k := range []string{demo.PlantedDuplicateAccounts, demo.PlantedSoftDeletedAccounts, demo.PlantedDuplicateContacts,
		demo.PlantedOrphanContacts, demo.PlantedMissingAmount, demo.PlantedMissingCloseDate,
		demo.PlantedOpenPastCloseDate, demo.PlantedZeroAmountWon} {
		n[k] = 0
	}
	domains, ids, emails := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range w.accounts {
		d := strings.ToLower(strings.TrimSpace(a["domain"]))
		if domains[d] {
			n[demo.PlantedDuplicateAccounts]++
		}
		domains[d], ids[a["account_id"]] = true, true
		if a["is_deleted"] == "true" {
			n[demo.PlantedSoftDeletedAccounts]++
		}
	}
	for _, c := range w.contacts {
		e := strings.ToLower(c["email"])
		if emails[e] {
			n[demo.PlantedDuplicateContacts]++
		}
		emails[e] = true
		if !ids[c["account_id"]] {
			n[demo.PlantedOrphanContacts]++
		}
	}
	for _, o := range w.opps {
		switch {
		case o["is_won"] == "true" && o["amount"] == "0.00":
			n[demo.PlantedZeroAmountWon]++
		case o["amount"] == "":
			n[demo.PlantedMissingAmount]++
		}
		switch {
		case o["close_date"] == "":
			n[demo.PlantedMissingCloseDate]++
		case o["is_closed"] == "false" && o["close_date"] < asOf:
			n[demo.PlantedOpenPastCloseDate]++
		}
	}
	return n
}

func TestPlantedDirt(t *testing.T) {
	t.Parallel()
	dir, sum := generate(t, demo.Options{})
	w := readWorld(t, dir)
	got := recount(w, "2026-10-31")
	for k, planted := range sum.Planted {
		if got[k] != planted {
			t.Errorf("%s: Summary says %d, the files have %d", k, planted, got[k])
		}
		if planted == 0 {
			t.Errorf("%s: nothing planted at seed 42", k)
		}
	}
	if len(sum.Planted) != len(got) {
		t.Errorf("Summary.Planted has kinds %v, want %v", sum.Planted, got)
	}
	// Duplicate accounts differ from the original only in case and spacing.
	byDomain := map[string]string{}
	norm := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	for _, a := range w.accounts {
		if first, ok := byDomain[a["domain"]]; ok && (first == a["name"] || norm(first) != norm(a["name"])) {
			t.Errorf("duplicate account %q of %q is not a case/spacing variant", a["name"], first)
		}
		byDomain[a["domain"]] = a["name"]
	}
	// The rate is honoured: about 3% of accounts are duplicated and of contacts orphaned.
	if r := float64(sum.Planted[demo.PlantedOrphanContacts]) / float64(len(w.contacts)); r < 0.02 || r > 0.04 {
		t.Errorf("orphan contact rate %.3f", r)
	}

	// Other seeds, dates and rates (as_of_date the day daylight saving ends in New York).
	for _, opts := range []demo.Options{
		{Seed: 7, AsOf: time.Date(2025, time.November, 2, 0, 0, 0, 0, time.UTC), DirtRate: 0.1},
		{Seed: 2026, Scale: 2, AsOf: time.Date(2024, time.March, 10, 15, 0, 0, 0, time.UTC)},
	} {
		dir, sum := generate(t, opts)
		got := recount(readWorld(t, dir), opts.AsOf.Format(time.DateOnly))
		for k, planted := range sum.Planted {
			if got[k] != planted {
				t.Errorf("seed %d: %s: Summary says %d, the files have %d", opts.Seed, k, planted, got[k])
			}
		}
	}

	dir, sum = generate(t, demo.Options{DirtRate: -1})
	for k, v := range recount(readWorld(t, dir), "2026-10-31") {
		if v != 0 || sum.Planted[k] != 0 {
			t.Errorf("DirtRate -1: %s planted %d, found %d", k, sum.Planted[k], v)
		}
	}
}
