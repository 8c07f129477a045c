package demo

// finance.go: the finance team's files — monthly exchange rates to USD, and quarterly bookings
// targets per segment — that the revenue models convert currencies with and measure pipeline
// coverage against.

import (
	"math"
	"strconv"
	"time"
)

// fxBase is each non-USD currency's rate to USD at the start of the company's history.
var fxBase = []struct {
	currency string
	rate     float64
}{{"EUR", 1.08}, {"GBP", 1.26}}

// finance writes the rate of each currency on the first day of every month from a year before
// the company's first selling day to as_of_date's month (a deterministic wave of a few percent,
// so that conversions move between months), and a target per segment for every quarter from
// the first selling day to a year after as_of_date.
func (g *generator) finance(out *writers) error {
	start := time.Date(g.begin.Year()-1, g.begin.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i, m := 0, start; !m.After(g.asOf); i, m = i+1, m.AddDate(0, 1, 0) {
		for j, c := range fxBase {
			rate := c.rate * (1 + 0.04*math.Sin(float64(i)/5+float64(j)))
			if err := out.fxRates.row(c.currency, fmtDate(m), strconv.FormatFloat(rate, 'f', 6, 64)); err != nil {
				return err
			}
		}
	}
	// Quarterly new-business targets per segment, growing 8% a quarter from a base sized to
	// the scale (scale 1 ≈ $0.4M a quarter across segments).
	base := map[string]float64{segSMB: 60_000, segMM: 120_000, segENT: 220_000}
	q0 := time.Date(g.begin.Year(), (g.begin.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	for i, q := 0, q0; q.Before(g.asOf.AddDate(1, 0, 0)); i, q = i+1, q.AddDate(0, 3, 0) {
		for _, seg := range segments() {
			target := base[seg] * float64(g.opts.Scale) * math.Pow(1.08, float64(i))
			cents := int64(math.Round(target/1000)) * 1000 * 100
			if err := out.targets.row(fmtDate(q), fmtDate(q.AddDate(0, 3, 0)), seg, fmtMoney(cents)); err != nil {
				return err
			}
		}
	}
	return nil
}
