package demo

// billing.go: an account's commercial life — the deals it is sold, the subscription a won deal
// starts and how it moves (expansions, renewals, downgrades, churn, win-backs) — and the billing
// records that follow: customers, the subscription schedule, and monthly invoices.

import (
	"fmt"
	"time"
)

// accountLife is the outcome of simulating one account.
type accountLife struct {
	opps     []*opp
	periods  []period
	customer *customer // nil until the account has been billed
	won      bool      // some deal was won
	open     bool      // some deal is open at as_of_date
}

// seats × unit price (cents per seat per month) is a subscription's MRR.
type plan struct {
	name  string
	seats int
	unit  int64
}

func (p plan) mrr() int64 { return int64(p.seats) * p.unit }

func newPlan(d dice, segment, currency string) plan {
	idx := map[string]int{segSMB: 0, segMM: 1, segENT: 2}[segment]
	prices := map[string][3]int64{"USD": {4900, 8900, 12900}, "EUR": {4500, 8200, 11900}, "GBP": {3900, 6900, 9900}}[currency]
	seats := [3][2]int{{5, 30}, {25, 100}, {80, 300}}[idx]
	return plan{name: [3]string{"starter", "growth", "enterprise"}[idx], seats: d.between(seats[0], seats[1]), unit: prices[idx]}
}

// salesCycle is the planned length of a New Business deal, in days.
func salesCycle(d dice, segment string) int {
	c := map[string][2]int{segSMB: {14, 45}, segMM: {30, 90}, segENT: {60, 150}}[segment]
	return d.between(c[0], c[1])
}

// life simulates the account: New Business attempts until one is won (a lost one is retried
// more often than not, months later); a won deal starts a subscription, which runs until it
// churns; a churned customer is sometimes won back, under a new subscription.
func (g *generator) life(d dice, a *account) *accountLife {
	l := &accountLife{}
	t := a.created.Add(days(d.between(1, 45)))
	winBack := false
	for t.Before(g.asOf) {
		p := newPlan(d, a.segment, a.currency)
		cycle := salesCycle(d, a.segment)
		winP := map[string]float64{segSMB: 0.27, segMM: 0.23, segENT: 0.2}[a.segment]
		name := a.name + " - New Business"
		if winBack {
			cycle, winP, name = d.between(20, 45), 0.6, a.name+" - Win-back"
		}
		o := g.buildOpp(d, a, deal{
			typ: typeNewBusiness, name: name, owner: a.owner, created: t,
			close: dateOf(t).Add(days(cycle)), amount: p.mrr() * 12, won: d.chance(winP),
		})
		l.opps = append(l.opps, o)
		if !o.closed {
			l.open = true
			return l
		}
		if !o.won {
			if a.segment == segSMB && o.history[len(o.history)-2].stage == "Negotiation" && d.chance(0.3) {
				g.lostTrial(d, a, l, o.close)
			}
			if !d.chance(0.78) {
				return l
			}
			t = d.workTime(o.close.Add(days(d.between(30, 150))))
			continue
		}
		l.won = true
		start := o.close
		if lag := days(d.between(0, 7)); start.Add(lag).Before(g.asOf) {
			start = start.Add(lag)
		}
		churned, ok := g.subscribe(d, a, l, start, p)
		if !ok || !d.chance(0.3) {
			return l
		}
		winBack = true
		t = d.workTime(churned.Add(days(d.between(45, 200))))
	}
	return l
}

// ensureCustomer creates the billing customer on the account's first subscription. About 80%
// carry the CRM account id; the rest can only be matched by their email's domain.
func (g *generator) ensureCustomer(d dice, a *account, l *accountLife) *customer {
	if l.customer != nil {
		return l.customer
	}
	c := &customer{id: billingID("cus", next(&g.seq.customer)), name: a.name}
	if d.chance(0.3) {
		c.name += d.pick([]string{", Inc.", " Inc", " Ltd", " GmbH", " LLC"})
	}
	c.email = d.pick([]string{"billing", "ap", "finance", "accounts"}) + "@" + a.domain
	if d.chance(0.8) {
		c.accountID = a.id
	}
	l.customer = c
	return c
}

// lostTrial records the $0 trial an SMB prospect ran before deciding against buying.
func (g *generator) lostTrial(d dice, a *account, l *accountLife, end time.Time) {
	g.ensureCustomer(d, a, l)
	l.periods = append(l.periods, period{
		subID: billingID("sub", next(&g.seq.sub)), plan: "trial", status: "trialing",
		start: end.Add(-days(14)), end: end,
	})
}

// subscribe starts a subscription at start and lives it through expansions and yearly renewals
// until it churns (churned, true) or reaches as_of_date still active (false).
func (g *generator) subscribe(d dice, a *account, l *accountLife, start time.Time, p plan) (time.Time, bool) {
	g.ensureCustomer(d, a, l)
	sub := billingID("sub", next(&g.seq.sub))
	if a.segment == segSMB && d.chance(0.2) {
		l.periods = append(l.periods, period{subID: sub, plan: "trial", status: "trialing", start: start.Add(-days(14)), end: start})
	}
	first := len(l.periods)
	change := func(at time.Time, p plan) {
		if n := len(l.periods); n > first {
			l.periods[n-1].end = at
		}
		l.periods = append(l.periods, period{subID: sub, plan: p.name, status: "active", start: at, mrr: p.mrr()})
	}
	change(start, p)
	for anniversary := start; ; {
		renewal := anniversary.AddDate(1, 0, 0)
		for _, window := range [][2]int{{30, 140}, {170, 270}} {
			if !d.chance(0.5) {
				continue
			}
			if ok, added := g.expand(d, a, l, anniversary.Add(days(d.between(window[0], window[1]))), p); ok {
				p.seats += added
				change(l.opps[len(l.opps)-1].close, p)
			}
		}
		created := d.workTime(renewal.Add(-days(60)))
		if !created.Before(g.asOf) {
			return time.Time{}, false
		}
		churnP := map[string]float64{segSMB: 0.18, segMM: 0.12, segENT: 0.06}[a.segment]
		next := p
		outcome := d.weighted(churnP, 0.08, 0.12, 0.8-churnP)
		switch outcome {
		case 1: // downgrade
			next.seats = max(1, p.seats*d.between(60, 90)/100)
		case 2: // price uplift
			next.unit = p.unit * int64(d.between(103, 110)) / 100
		}
		o := g.buildOpp(d, a, deal{
			typ: typeRenewal, name: fmt.Sprintf("%s - Renewal %d", a.name, renewal.Year()),
			owner: d.pick(g.csms[a.region]), created: created, close: renewal,
			amount: next.mrr() * 12, won: outcome != 0,
		})
		l.opps = append(l.opps, o)
		if !o.closed {
			l.open = true
			return time.Time{}, false
		}
		if !o.won {
			l.periods[len(l.periods)-1].end = renewal
			return renewal, true
		}
		if next != p {
			p = next
			change(renewal, p)
		}
		anniversary = renewal
	}
}

// expand tries to sell more seats in a deal created on day (a contract year has two windows
// for one, each closing at most 90 days later, well before the renewal). It reports whether the
// deal was won (it is then the account's latest opportunity) and how many seats it added.
func (g *generator) expand(d dice, a *account, l *accountLife, day time.Time, p plan) (bool, int) {
	created := d.workTime(day)
	if !created.Before(g.asOf) {
		return false, 0
	}
	added := max(1, p.seats*d.between(10, 50)/100)
	o := g.buildOpp(d, a, deal{
		typ: typeExpansion, name: fmt.Sprintf("%s - Expansion +%d seats", a.name, added), owner: a.owner,
		created: created, close: dateOf(created).Add(days(d.between(20, 80))),
		amount: int64(added) * p.unit * 12, won: d.chance(0.4),
	})
	l.opps = append(l.opps, o)
	if !o.closed {
		l.open = true
	}
	return o.won, added
}

// invoices bills each paid period monthly, from its start until it ends or as_of_date. Most are
// paid within weeks; the last month's are often still open; a few are void or uncollectible.
func (g *generator) invoices(d dice, c *customer, periods []period) []invoice {
	var out []invoice
	for _, p := range periods {
		if p.mrr == 0 {
			continue
		}
		end := g.asOf
		if !p.end.IsZero() && p.end.Before(end) {
			end = p.end
		}
		y, m, dd := p.start.Date()
		for k := 0; ; k++ {
			issueDay := p.start
			if k > 0 {
				issueDay = time.Date(y, m+time.Month(k), min(dd, 28), 0, 0, 0, 0, time.UTC)
			}
			if !issueDay.Before(end) {
				break
			}
			out = append(out, g.invoice(d, c, p, issueDay))
		}
	}
	return out
}

func (g *generator) invoice(d dice, c *customer, p period, issueDay time.Time) invoice {
	issued := issueDay.Add(time.Duration(8*3600+d.IntN(3600)) * time.Second)
	in := invoice{id: billingID("in", next(&g.seq.invoice)), customerID: c.id, subID: p.subID, amount: p.mrr, issued: issued}
	age := g.asOf.Sub(issued)
	switch {
	case age < days(30) && d.chance(0.6):
		in.status, in.updated = "open", issued
	case d.chance(0.02):
		in.status, in.updated = "void", issued.Add(days(d.between(1, 5)))
	case d.chance(0.01):
		in.status, in.updated = "uncollectible", issued.Add(days(d.between(45, 90)))
	default:
		in.status, in.updated = "paid", issued.Add(time.Duration(d.between(1, 25*24))*time.Hour)
	}
	in.updated = minTime(in.updated, g.asOf.Add(-time.Second))
	return in
}
