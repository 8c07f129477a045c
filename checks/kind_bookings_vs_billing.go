package checks

import (
	"context"
	"fmt"
	"time"
)

// bookings_vs_billing: CRM bookings against billing, per account (revenue-models.md §7).
// Keys: bookings (relation; default the target), billing (relation, required; e.g.
// ref('fct_customer_mrr_month')), lag_months (default 2), months (booking months evaluated,
// default 12), booking_types (default [new_business, expansion]), tolerance ({absolute,
// percent}; default exact), bookings_columns: {account, date, arr, type} (defaults account_id,
// booking_date, booked_arr, booking_type) and billing_columns: {account, month, new,
// expansion, multiplier} (defaults customer_id, date_month, new_mrr, expansion_mrr, 12: MRR
// movements × 12 = ARR). The two account columns must hold the same identifiers.
//
// For each account and each month m with bookings of those types, booked = the month's booked
// ARR and billed = the account's new + expansion ARR movements in months m … m + lag_months,
// stopping before the account's next booking month (so a movement is matched to one booking
// month only). Only booking months whose window has ended (m + lag_months before the current
// month) and within the last `months` such months are compared; billing movements without a
// booking (self-serve upgrades) are not. Observed = account-months where booked and billed
// differ beyond the tolerance; rate = their percent; default: error if > 0.
type bookingsVsBilling struct {
	bookings, billing *Target
	lag, months       int
	types             []any
	tol               tolerance
	bc                bookingsColumns
	mc                billingColumns
}

type bookingsColumns struct {
	Account string `yaml:"account"`
	Date    string `yaml:"date"`
	ARR     string `yaml:"arr"`
	Type    string `yaml:"type"`
}

type billingColumns struct {
	Account    string   `yaml:"account"`
	Month      string   `yaml:"month"`
	New        string   `yaml:"new"`
	Expansion  string   `yaml:"expansion"`
	Multiplier *float64 `yaml:"multiplier"`
}

type bookingsArgs struct {
	Bookings        string           `yaml:"bookings"`
	Billing         string           `yaml:"billing,required"`
	LagMonths       *int             `yaml:"lag_months"`
	Months          *int             `yaml:"months"`
	BookingTypes    []string         `yaml:"booking_types"`
	Tolerance       *toleranceArgs   `yaml:"tolerance"`
	BookingsColumns *bookingsColumns `yaml:"bookings_columns"`
	BillingColumns  *billingColumns  `yaml:"billing_columns"`
}

func parseBookingsVsBilling(p *parseCtx) (checker, error) {
	var a bookingsArgs
	if err := p.decode(&a); err != nil {
		return nil, err
	}
	c := bookingsVsBilling{lag: 2, months: 12,
		bc: bookingsColumns{Account: "account_id", Date: "booking_date", ARR: "booked_arr", Type: "booking_type"},
		mc: billingColumns{Account: "customer_id", Month: "date_month", New: "new_mrr", Expansion: "expansion_mrr"}}
	if a.LagMonths != nil {
		if *a.LagMonths < 0 || *a.LagMonths > 24 {
			return nil, p.failf(p.argNode("lag_months"), "bookings_vs_billing: lag_months: expected 0 to 24")
		}
		c.lag = *a.LagMonths
	}
	if a.Months != nil {
		if *a.Months < 1 || *a.Months > 120 {
			return nil, p.failf(p.argNode("months"), "bookings_vs_billing: months: expected 1 to 120")
		}
		c.months = *a.Months
	}
	types := a.BookingTypes
	if len(types) == 0 {
		types = []string{"new_business", "expansion"}
	}
	for _, t := range types {
		c.types = append(c.types, t)
	}
	if x := a.BookingsColumns; x != nil {
		setIf(&c.bc.Account, x.Account)
		setIf(&c.bc.Date, x.Date)
		setIf(&c.bc.ARR, x.ARR)
		setIf(&c.bc.Type, x.Type)
	}
	if x := a.BillingColumns; x != nil {
		setIf(&c.mc.Account, x.Account)
		setIf(&c.mc.Month, x.Month)
		setIf(&c.mc.New, x.New)
		setIf(&c.mc.Expansion, x.Expansion)
		c.mc.Multiplier = x.Multiplier
	}
	var err error
	if c.tol, err = p.tolerance(a.Tolerance); err != nil {
		return nil, err
	}
	if a.Bookings != "" {
		t, err := p.ref("bookings", a.Bookings)
		if err != nil {
			return nil, err
		}
		c.bookings = &t
	}
	t, err := p.ref("billing", a.Billing)
	if err != nil {
		return nil, err
	}
	c.billing = &t
	return c, nil
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func (bookingsVsBilling) info() kindInfo { return kindInfo{rate: true} }

func (c bookingsVsBilling) run(ctx context.Context, e *env, sp *Spec) (outcome, error) {
	g := e.sql()
	bookings := sp.Target
	if c.bookings != nil {
		bookings = *c.bookings
	}
	mult := 12.0
	if c.mc.Multiplier != nil {
		mult = *c.mc.Multiplier
	}
	// The last booking month whose window [m, m+lag] has ended before the current month.
	now := e.now.UTC()
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := cur.AddDate(0, -1-c.lag, 0)
	first := last.AddDate(0, -(c.months - 1), 0)
	date := func(t time.Time) string { return "CAST(" + g.lit(t.Format("2006-01-02")) + " AS DATE)" }
	acct, month := g.ident("account"), g.ident("month")
	b := "b AS (SELECT " + g.ident(c.bc.Account) + " AS " + acct + ", CAST(date_trunc('month', " + g.ident(c.bc.Date) + ") AS DATE) AS " + month +
		", sum(" + g.ident(c.bc.ARR) + ") AS " + g.ident("booked") + " FROM " + g.rel(bookings) +
		" WHERE " + and(sp.Where, text(g.ident(c.bc.Type))+" IN ("+g.lits(c.types)+")") + " GROUP BY 1, 2)"
	bw := "bw AS (SELECT *, lead(" + month + ") OVER (PARTITION BY " + acct + " ORDER BY " + month + ") AS " + g.ident("next_month") + " FROM b)"
	m := "m AS (SELECT " + g.ident(c.mc.Account) + " AS " + acct + ", CAST(date_trunc('month', " + g.ident(c.mc.Month) + ") AS DATE) AS " + month +
		", sum(coalesce(" + g.ident(c.mc.New) + ", 0) + coalesce(" + g.ident(c.mc.Expansion) + ", 0)) * " + g.lit(mult) + " AS " + g.ident("billed") +
		" FROM " + g.rel(*c.billing) + " GROUP BY 1, 2)"
	j := "j AS (SELECT bw." + acct + " AS " + acct + ", bw." + month + " AS " + month + ", bw." + g.ident("booked") + " AS " + g.ident("booked") +
		", coalesce(sum(m." + g.ident("billed") + "), 0) AS " + g.ident("billed") +
		" FROM bw LEFT JOIN m ON m." + acct + " = bw." + acct + " AND m." + month + " >= bw." + month +
		" AND m." + month + " <= CAST(bw." + month + " + to_months(" + g.lit(c.lag) + ") AS DATE)" +
		" AND (bw." + g.ident("next_month") + " IS NULL OR m." + month + " < bw." + g.ident("next_month") + ")" +
		" WHERE bw." + month + " BETWEEN " + date(first) + " AND " + date(last) + " GROUP BY 1, 2, 3)"
	d := "d AS (SELECT *, NOT " + c.tol.within(g, g.ident("booked"), g.ident("billed")) + " AS " + g.ident("_revops_bad") + " FROM j)"
	with := "WITH " + b + ",\n" + bw + ",\n" + m + ",\n" + j + ",\n" + d
	o, total, n, err := runCompare(ctx, e, sp, g, with, []string{"account", "month", "booked", "billed"})
	if err != nil {
		return o, err
	}
	o.text = ofRows(n, total, "account-months") + fmt.Sprintf(" booked %s–%s differ from billed new+expansion ARR within %d months (%s)",
		first.Format("2006-01"), last.Format("2006-01"), c.lag, c.tol.String())
	return o, nil
}
