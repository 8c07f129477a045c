package demo

// crm.go: the CRM side of an account — the account row, its contacts, the marketing leads around
// it, and opportunities with their stage history.

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// newAccount creates an account: who it is, where, how big, who owns it, and when it appeared
// (at a pace that grows over the company's four years).
func (g *generator) newAccount(d dice) *account {
	name, stem := g.companyName(d)
	region := regions()[d.weighted(55, 25, 12, 8)]
	segment := segments()[d.weighted(55, 30, 15)]
	span := g.asOf.Add(-days(10)).Sub(g.begin)
	created := g.begin.Add(time.Duration(math.Pow(d.Float64(), 0.8) * float64(span)))
	return &account{
		id:       crmID("001", next(&g.seq.account)),
		name:     name,
		domain:   stem + tld(d, region),
		industry: d.pick(g.words.industries),
		region:   region,
		segment:  segment,
		owner:    d.pick(g.aes[region+"-"+segment]),
		currency: currencyFor(d, region),
		created:  d.workTime(created).Truncate(time.Minute),
	}
}

func currencyFor(d dice, region string) string {
	if region != "EMEA" {
		return "USD"
	}
	return []string{"EUR", "GBP", "USD"}[d.weighted(5, 3, 2)]
}

// contacts creates the people of an account. Their lifecycle stage follows the account's state.
func (g *generator) contacts(d dice, a *account, l *accountLife) []contact {
	n := map[string][2]int{segSMB: {2, 5}, segMM: {4, 8}, segENT: {6, 12}}[a.segment]
	count := d.between(n[0], n[1])
	used := map[string]bool{}
	out := make([]contact, 0, count+1)
	for i := range count {
		first, last := d.pick(g.words.firsts), d.pick(g.words.lasts)
		addr := email(d, first, last, a.domain)
		for k := 2; used[addr]; k++ {
			addr = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(last), k, a.domain)
		}
		used[addr] = true
		created := a.created.Add(time.Duration(d.IntN(3600)) * time.Second)
		if i > 0 {
			created = d.within(a.created, g.asOf.Add(-time.Hour))
		}
		title := d.pick(g.words.titles)
		if i == 0 {
			title = d.pick(g.words.titles[:4])
		}
		c := contact{
			id: crmID("003", next(&g.seq.contact)), accountID: a.id, email: addr,
			first: first, last: last, title: title, stage: contactStage(d, l),
			created: created.Truncate(time.Second), updated: d.within(created, g.asOf).Truncate(time.Second),
		}
		out = append(out, g.dirtyContact(d, c)...)
	}
	return out
}

func contactStage(d dice, l *accountLife) string {
	switch {
	case l.customer != nil && l.won && d.chance(0.9):
		return "customer"
	case l.open && d.chance(0.7):
		return "opportunity"
	}
	return []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "other"}[d.weighted(2, 5, 3, 1, 1)]
}

// leads creates the account's marketing leads: a converted lead for 60% of New Business deals,
// and leads that never converted — people at this account, at prospects, or on free mail.
func (g *generator) leads(d dice, a *account, opps []*opp, contacts []contact) []lead {
	var out []lead
	for _, o := range opps {
		if o.typ != typeNewBusiness || len(contacts) == 0 || !d.chance(0.6) {
			continue
		}
		out = append(out, g.convertedLead(d, a, o, contacts[0].email))
	}
	for range d.between(2, 9) {
		out = append(out, g.coldLead(d, a))
	}
	return out
}

func leadSource(d dice) string {
	return []string{"Web", "Paid Search", "Content", "Event", "Referral", "Partner", "Outbound"}[d.weighted(25, 15, 15, 10, 8, 7, 20)]
}

func (g *generator) convertedLead(d dice, a *account, o *opp, addr string) lead {
	created := g.localWorkTime(d, o.created.Add(-days(d.between(3, 30))))
	gap := int(dateOf(o.created).Sub(dateOf(created)) / day) // at least 3
	mql := g.laterWorkTime(d, created, d.between(0, gap/2))
	sql := g.laterWorkTime(d, mql, d.between(1, gap-1-int(dateOf(mql).Sub(dateOf(created))/day)))
	return lead{
		id: crmID("00Q", next(&g.seq.lead)), email: addr, company: a.name, source: leadSource(d),
		status: "Converted", convertedOpp: o.id, created: created, mql: mql, sql: sql,
		firstActivity: g.firstTouch(d, created, true),
	}
}

// laterWorkTime is a New York working-hours instant k days after t's day, and after t.
func (g *generator) laterWorkTime(d dice, t time.Time, k int) time.Time {
	u := g.localWorkTime(d, t.Add(days(k)))
	if !u.After(t) {
		u = t.Add(time.Duration(d.between(5, 59)) * time.Minute)
	}
	return u
}

// coldLead is a lead that never converted, created any time in the company's history.
func (g *generator) coldLead(d dice, a *account) lead {
	first, last := d.pick(g.words.firsts), d.pick(g.words.lasts)
	l := lead{id: crmID("00Q", next(&g.seq.lead)), source: leadSource(d)}
	switch d.weighted(35, 45, 20) {
	case 0: // someone else at this account
		l.company, l.email = a.name, email(d, first, last, a.domain)
	case 1: // a prospect company that never became an account
		name, stem := g.prospectName(d)
		l.company, l.email = name, email(d, first, last, stem+".com")
	default: // a personal address
		name, _ := g.prospectName(d)
		l.company = name
		l.email = fmt.Sprintf("%s.%s%d@%s", strings.ToLower(first), strings.ToLower(last), d.between(1, 99), d.pick(g.words.freemail))
	}
	l.created = g.localWorkTime(d, d.within(g.begin, g.asOf.Add(-day)))
	l.firstActivity = g.firstTouch(d, l.created, false)
	if d.chance(0.35) {
		if t := g.laterWorkTime(d, l.created, d.between(0, 10)); t.Before(g.asOf) {
			l.mql = t
		}
	}
	if !l.mql.IsZero() && d.chance(0.4) {
		if t := g.laterWorkTime(d, l.mql, d.between(0, 14)); t.Before(g.asOf) {
			l.sql = t
		}
	}
	recent := g.asOf.Sub(l.created) < days(30)
	switch {
	case !l.sql.IsZero():
		l.status = []string{"Qualified", "Disqualified"}[d.IntN(2)]
	case !l.mql.IsZero():
		l.status = []string{"Working", "Nurturing", "Disqualified"}[d.weighted(5, 3, 2)]
	case recent:
		l.status = "Open"
	default:
		l.status = []string{"Nurturing", "Disqualified", "Open"}[d.weighted(4, 35, 25)]
	}
	return l
}

// firstTouch is when a rep first worked the lead: minutes after creation for most (a median of
// about 8), hours for some, never for a few unconverted ones. Reps work 08:00–19:00 New York
// time, which also keeps every value clear of the hour that daylight saving repeats.
func (g *generator) firstTouch(d dice, created time.Time, converted bool) time.Time {
	if !converted && d.chance(0.06) {
		return time.Time{}
	}
	minutes := math.Exp(math.Log(8) + 1.4*d.NormFloat64())
	t := created.Add(time.Duration(min(minutes, 14*24*60) * float64(time.Minute))).Truncate(time.Second)
	if local := t.In(g.ny); local.Hour() >= 19 || local.Hour() < 8 {
		morning := local
		if local.Hour() >= 19 {
			morning = local.AddDate(0, 0, 1)
		}
		y, m, dd := morning.Date()
		t = time.Date(y, m, dd, 8, d.IntN(120), d.IntN(60), 0, g.ny)
	}
	if !t.Before(g.asOf) {
		return time.Time{}
	}
	return t
}

// deal is what the commercial simulation decided about one opportunity; buildOpp turns it into
// the CRM record and its history.
type deal struct {
	typ, name, owner string
	created          time.Time // instant
	close            time.Time // date: planned (open) or actual (closed)
	amount           int64     // the amount the deal has from Proposal on
	won              bool
}

func stageProbability(stage string) int {
	return map[string]int{"Prospecting": 10, "Discovery": 20, "Proposal": 50, "Negotiation": 75, stageWon: 100, stageLost: 0}[stage]
}

func forecastCategory(stage string) string {
	return map[string]string{"Prospecting": "Pipeline", "Discovery": "Pipeline", "Proposal": "BestCase",
		"Negotiation": "Forecast", stageWon: "Closed", stageLost: "Omitted"}[stage]
}

func nextSteps(stage string) []string {
	return map[string][]string{
		"Prospecting": {"Intro call", "Send case study", "Book discovery"},
		"Discovery":   {"Demo to team", "Map stakeholders", "Technical deep dive"},
		"Proposal":    {"Send proposal", "Pricing review", "Security questionnaire"},
		"Negotiation": {"Legal redlines", "Procurement review", "Signature"},
	}[stage]
}

// buildOpp builds an opportunity and its stage history. A deal whose close date is before
// as_of_date is closed (won or lost as decided); otherwise it is open at the stage its elapsed
// share of the planned cycle reaches.
func (g *generator) buildOpp(d dice, a *account, dl deal) *opp {
	o := &opp{
		id: crmID("006", next(&g.seq.opp)), accountID: a.id, name: dl.name, typ: dl.typ,
		currency: a.currency, owner: dl.owner, created: dl.created, close: dl.close,
	}
	stages := openStages()
	closeAt := d.workTime(dl.close)
	o.closed = dl.close.Before(g.asOf)
	reached := 3             // the last open stage reached
	if o.closed && !dl.won { // most lost deals die early
		reached = d.weighted(4, 3, 2, 1)
	}
	if !o.closed {
		progress := float64(g.asOf.Sub(dl.created)) / float64(closeAt.Sub(dl.created))
		reached = min(3, int(progress*4))
	}
	estimate := max(10000, (dl.amount*int64(d.between(70, 130))/100)/10000*10000)
	span := closeAt.Sub(dl.created)
	var rows []stageRow
	for j := 0; j <= reached; j++ {
		at := dl.created
		if j > 0 {
			at = dl.created.Add(time.Duration(float64(span) * float64(j) / 4 * d.uniform(0.8, 0.99)))
		}
		amount := estimate
		if j >= 2 {
			amount = dl.amount
		}
		rows = append(rows, stageRow{stage: stages[j], amount: amount, close: dl.close, at: at.Truncate(time.Second)})
	}
	if o.closed {
		last := rows[len(rows)-1]
		final := stageRow{stage: stageLost, amount: last.amount, close: dl.close, at: closeAt}
		if dl.won {
			final.stage, final.amount = stageWon, dl.amount
		}
		rows = append(rows, final)
	}
	rows = g.slipCloseDate(d, rows, dl)
	for i := range rows {
		rows[i].id = crmID("008", next(&g.seq.history))
	}
	last := rows[len(rows)-1]
	o.history, o.stage, o.amount = rows, last.stage, last.amount
	o.won = last.stage == stageWon
	o.probability, o.forecast = stageProbability(o.stage), forecastCategory(o.stage)
	if o.closed {
		o.modified = minTime(last.at.Add(time.Duration(d.IntN(72*3600))*time.Second), g.asOf.Add(-time.Second))
	} else {
		o.modified = d.within(last.at, g.asOf).Truncate(time.Second)
		if d.chance(0.06) {
			o.forecast = "Omitted"
		}
		if !d.chance(0.12) {
			o.nextStep = d.pick(nextSteps(o.stage))
		}
	}
	g.dirtyOpp(d, o)
	return o
}

// slipCloseDate makes a fifth of the deals with two or more rows slip: their close date
// started earlier and was moved out at some point, which adds a history row in the same stage.
func (g *generator) slipCloseDate(d dice, rows []stageRow, dl deal) []stageRow {
	if len(rows) < 2 || !d.chance(0.2) {
		return rows
	}
	first, last := rows[0].at, rows[len(rows)-1].at
	at := d.within(first.Add(time.Hour), last.Add(-time.Hour)).Truncate(time.Second)
	if !at.After(first) || !at.Before(last) {
		return rows
	}
	early := maxTime(dl.close.Add(-days(d.between(7, 45))), dateOf(dl.created).Add(days(7)))
	if !early.Before(dl.close) {
		return rows
	}
	i := 0
	for i < len(rows) && rows[i].at.Before(at) {
		rows[i].close = early
		i++
	}
	slip := rows[i-1]
	slip.close, slip.at = dl.close, at
	return slices.Insert(rows, i, slip)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
