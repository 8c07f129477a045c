package demo

// write.go: streaming the simulation to files. Each account is simulated and written at once
// through buffered writers, so memory does not grow with Scale; the subscription schedule goes to
// a temporary CSV that DuckDB turns into Parquet at the end.

import (
	"bufio"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
)

// accountsPerScale is the number of simulated accounts per unit of Scale (duplicates add ~3%).
const accountsPerScale = 300

// run simulates the company and writes every record.
func (g *generator) run(out *writers, sum *Summary) error {
	for _, u := range g.users {
		if err := out.user(u); err != nil {
			return err
		}
	}
	if err := g.finance(out); err != nil {
		return err
	}
	for i := range accountsPerScale * g.opts.Scale {
		if err := g.simulateAccount(g.dice(uint64(i)+1), g.dice(activityStream+uint64(i)), out); err != nil {
			return err
		}
	}
	for _, p := range g.dirt.all() {
		sum.Planted[p.kind] = p.hits
	}
	return nil
}

// simulateAccount simulates one account on stream d and writes everything about it; its sales
// activities draw from stream ad, so that they leave every other value as it was without them.
func (g *generator) simulateAccount(d, ad dice, out *writers) error {
	a := g.newAccount(d)
	if g.dirt.deletedAccount.hit(d) {
		a.deleted = true
		if err := out.account(a); err != nil {
			return err
		}
		for range d.between(1, 4) {
			if err := g.writeLead(ad, a, g.coldLead(d, a), out); err != nil {
				return err
			}
		}
		return nil
	}
	if err := out.account(a); err != nil {
		return err
	}
	if g.dirt.dupAccount.hit(d) {
		if err := out.account(g.duplicateAccount(d, a)); err != nil {
			return err
		}
	}
	l := g.life(d, a)
	contacts := g.contacts(d, a, l)
	for _, c := range contacts {
		if err := out.contact(c); err != nil {
			return err
		}
	}
	for _, ld := range g.leads(d, a, l.opps, contacts) {
		if err := g.writeLead(ad, a, ld, out); err != nil {
			return err
		}
	}
	for _, o := range l.opps {
		if err := out.opp(o); err != nil {
			return err
		}
		if err := g.oppActivities(ad, a, o, out.activity); err != nil {
			return err
		}
	}
	if l.customer == nil {
		return nil
	}
	if err := out.customer(l.customer); err != nil {
		return err
	}
	for _, p := range l.periods {
		if err := out.period(l.customer, a.currency, p); err != nil {
			return err
		}
	}
	for _, in := range g.invoices(d, l.customer, l.periods) {
		if err := out.invoice(in, a.currency); err != nil {
			return err
		}
	}
	return nil
}

// writeLead writes a lead and the activity of its first touch (drawn from ad).
func (g *generator) writeLead(ad dice, a *account, l lead, out *writers) error {
	if err := out.lead(g, l); err != nil {
		return err
	}
	if act, ok := g.leadTouch(ad, a, l); ok {
		return out.activity(act)
	}
	return nil
}

// Formatting.

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// fmtLocal writes t as New York wall-clock time without an offset, as CRM exports do.
func (g *generator) fmtLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(g.ny).Format(time.DateTime)
}

func fmtMoney(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// rawMoney is a JSON number with exactly two decimals.
type rawMoney int64

func (m rawMoney) MarshalJSON() ([]byte, error) { return []byte(fmtMoney(int64(m))), nil }

// Files.

// file is one output file: a buffered writer that counts rows.
type file struct {
	rel  string // slash-separated, relative to the project
	f    *os.File
	buf  *bufio.Writer
	csv  *csv.Writer // nil for JSON lines
	json *json.Encoder
	rows int
}

func createFile(dir, rel string, header []string) (*file, error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create directory for %s: %w", rel, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", rel, err)
	}
	out := &file{rel: rel, f: f, buf: bufio.NewWriterSize(f, 256<<10)}
	if !strings.HasSuffix(rel, ".jsonl") {
		out.csv = csv.NewWriter(out.buf)
		if err := out.csv.Write(header); err != nil {
			f.Close()
			return nil, fmt.Errorf("write %s header: %w", rel, err)
		}
		return out, nil
	}
	out.json = json.NewEncoder(out.buf)
	out.json.SetEscapeHTML(false)
	return out, nil
}

func (f *file) row(fields ...string) error {
	if err := f.csv.Write(fields); err != nil {
		return fmt.Errorf("write %s row %d: %w", f.rel, f.rows+1, err)
	}
	f.rows++
	return nil
}

func (f *file) object(v any) error {
	if err := f.json.Encode(v); err != nil {
		return fmt.Errorf("write %s row %d: %w", f.rel, f.rows+1, err)
	}
	f.rows++
	return nil
}

func (f *file) close() error {
	if f.csv != nil {
		f.csv.Flush()
		if err := f.csv.Error(); err != nil {
			f.f.Close()
			return fmt.Errorf("write %s: %w", f.rel, err)
		}
	}
	if err := f.buf.Flush(); err != nil {
		f.f.Close()
		return fmt.Errorf("write %s: %w", f.rel, err)
	}
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.rel, err)
	}
	return nil
}

// writers are the project's output files, opened together.
type writers struct {
	accounts, users, contacts, leads, opps, history, activities, customers, invoices *file
	fxRates, targets                                                                 *file
	subs                                                                             *file // temporary CSV
	tmpDir, subsCSV                                                                  string
	subsRows                                                                         int
	// vendors, when set, receives every CRM and billing record too (the fake SaaS systems).
	vendors *vendorSeeder
}

// createWriters opens every data file, in the order Summary lists them.
func createWriters(dir string) (*writers, error) {
	w := &writers{}
	tmp, err := os.MkdirTemp("", "revops-demo-")
	if err != nil {
		return nil, fmt.Errorf("create temporary directory: %w", err)
	}
	w.tmpDir, w.subsCSV = tmp, filepath.Join(tmp, "subscriptions.csv")
	specs := streamSpecs()
	for _, s := range specs {
		target := dir
		rel := s.path
		if s.name == "subscriptions" {
			target, rel = tmp, "subscriptions.csv"
		}
		f, err := createFile(target, rel, s.columnNames())
		if err != nil {
			w.closeAll()
			w.cleanup()
			return nil, err
		}
		*w.slot(s.name) = f
	}
	return w, nil
}

func (w *writers) slot(stream string) **file {
	return map[string]**file{
		"accounts": &w.accounts, "users": &w.users, "contacts": &w.contacts, "leads": &w.leads,
		"opportunities": &w.opps, "opportunity_history": &w.history, "activities": &w.activities, "subscriptions": &w.subs,
		"customers": &w.customers, "invoices": &w.invoices, "fx_rates": &w.fxRates, "sales_targets": &w.targets,
	}[stream]
}

// close closes every file and records the data files and their rows in sum (the subscription
// schedule is recorded once its Parquet file is written).
func (w *writers) close(sum *Summary) error {
	var errs []error
	for _, s := range streamSpecs() {
		f := *w.slot(s.name)
		if f == nil {
			continue
		}
		errs = append(errs, f.close())
		if s.name == "subscriptions" {
			w.subsRows = f.rows
			continue
		}
		sum.Files = append(sum.Files, f.rel)
		sum.Rows[s.name] = f.rows
	}
	return errors.Join(errs...)
}

func (w *writers) closeAll() {
	for _, s := range streamSpecs() {
		if f := *w.slot(s.name); f != nil {
			f.f.Close()
		}
	}
}

func (w *writers) cleanup() { os.RemoveAll(w.tmpDir) }

func (w *writers) user(u user) error {
	if w.vendors != nil {
		if err := w.vendors.user(u); err != nil {
			return err
		}
	}
	return w.users.row(u.id, u.name, u.email, u.role, u.territory)
}

func (w *writers) account(a *account) error {
	if w.vendors != nil {
		if err := w.vendors.account(a); err != nil {
			return err
		}
	}
	return w.accounts.row(a.id, a.name, a.domain, a.industry, a.region, a.segment, a.owner,
		fmtTime(a.created), strconv.FormatBool(a.deleted))
}

type contactJSON struct {
	ContactID      string `json:"contact_id"`
	AccountID      string `json:"account_id"`
	Email          string `json:"email"`
	FirstName      string `json:"first_name"`
	LastName       string `json:"last_name"`
	Title          string `json:"title"`
	LifecycleStage string `json:"lifecycle_stage"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func (w *writers) contact(c contact) error {
	if w.vendors != nil {
		if err := w.vendors.contact(c); err != nil {
			return err
		}
	}
	return w.contacts.object(contactJSON{c.id, c.accountID, c.email, c.first, c.last, c.title, c.stage,
		fmtTime(c.created), fmtTime(c.updated)})
}

func (w *writers) lead(g *generator, l lead) error {
	if w.vendors != nil {
		if err := w.vendors.lead(l); err != nil {
			return err
		}
	}
	return w.leads.row(l.id, l.email, l.company, l.source, l.status, g.fmtLocal(l.created),
		g.fmtLocal(l.mql), g.fmtLocal(l.sql), l.convertedOpp, g.fmtLocal(l.firstActivity))
}

func (w *writers) opp(o *opp) error {
	if w.vendors != nil {
		if err := w.vendors.opp(o); err != nil {
			return err
		}
	}
	amount, closeDate := fmtMoney(o.amount), fmtDate(o.close)
	if o.noAmount {
		amount = ""
	}
	if o.noClose {
		closeDate = ""
	}
	err := w.opps.row(o.id, o.accountID, o.name, o.typ, o.stage, o.forecast, strconv.Itoa(o.probability),
		amount, o.currency, closeDate, fmtTime(o.created), o.owner, strconv.FormatBool(o.closed),
		strconv.FormatBool(o.won), o.nextStep, fmtTime(o.modified))
	if err != nil {
		return err
	}
	for _, h := range o.history {
		amount, closeDate := fmtMoney(h.amount), fmtDate(h.close)
		if h.noAmount {
			amount = ""
		}
		if h.noClose {
			closeDate = ""
		}
		if err := w.history.row(h.id, o.id, h.stage, amount, closeDate, fmtTime(h.at)); err != nil {
			return err
		}
	}
	return nil
}

func (w *writers) activity(a activity) error {
	if w.vendors != nil {
		if err := w.vendors.activity(a); err != nil {
			return err
		}
	}
	return w.activities.row(a.id, a.typ, a.subject, fmtTime(a.at), a.leadID, a.oppID, a.accountID, a.owner)
}

func (w *writers) customer(c *customer) error {
	if w.vendors != nil {
		if err := w.vendors.customer(c); err != nil {
			return err
		}
	}
	return w.customers.row(c.id, c.name, c.email, c.accountID)
}

func (w *writers) period(c *customer, currency string, p period) error {
	if w.vendors != nil {
		w.vendors.period(c, currency, p)
	}
	return w.subs.row(c.id, p.subID, fmtDate(p.start), fmtDate(p.end), fmtMoney(p.mrr), currency, p.plan, p.status)
}

type invoiceJSON struct {
	InvoiceID      string   `json:"invoice_id"`
	CustomerID     string   `json:"customer_id"`
	SubscriptionID string   `json:"subscription_id"`
	Amount         rawMoney `json:"amount"`
	Currency       string   `json:"currency"`
	IssuedAt       string   `json:"issued_at"`
	Status         string   `json:"status"`
	UpdatedAt      string   `json:"updated_at"`
}

func (w *writers) invoice(in invoice, currency string) error {
	return w.invoices.object(invoiceJSON{in.id, in.customerID, in.subID, rawMoney(in.amount), currency,
		fmtTime(in.issued), in.status, fmtTime(in.updated)})
}

// writeParquet converts the subscription schedule CSV to Parquet with an in-process DuckDB, on
// one thread so that the file's bytes are the same on every run.
func writeParquet(csvPath, parquetPath string, rows int) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return fmt.Errorf("open duckdb to write subscriptions: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("SET threads TO 1"); err != nil {
		return fmt.Errorf("configure duckdb: %w", err)
	}
	var cols []string
	for _, c := range subscriptionColumns() {
		cols = append(cols, quoteLiteral(c.name)+": "+quoteLiteral(duckType(c.typ)))
	}
	query := fmt.Sprintf("COPY (SELECT * FROM read_csv(%s, header = true, auto_detect = false, columns = {%s})) TO %s (FORMAT parquet)",
		quoteLiteral(csvPath), strings.Join(cols, ", "), quoteLiteral(parquetPath))
	if _, err := db.Exec(query); err != nil {
		return fmt.Errorf("write %s: %w", subscriptionsPath, err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM read_parquet(" + quoteLiteral(parquetPath) + ")").Scan(&n); err != nil {
		return fmt.Errorf("verify %s: %w", subscriptionsPath, err)
	}
	if n != rows {
		return fmt.Errorf("verify %s: %d rows, want %d", subscriptionsPath, n, rows)
	}
	return nil
}

// quoteLiteral renders s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// duckType maps a revops column type to DuckDB's.
func duckType(t string) string {
	switch t {
	case "string":
		return "VARCHAR"
	case "date":
		return "DATE"
	}
	return strings.ToUpper(t)
}
