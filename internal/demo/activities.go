package demo

// activities.go: the sales activities — calls, emails and meetings — logged in the CRM. Each
// lead's first touch (its first_activity_at) is one, by an SDR of the account's region; every
// opportunity is worked by its owner from its creation until it closes (or as_of_date) with a
// kickoff meeting and then touches at a rate set by the segment and the deal type, during New
// York business hours on weekdays. They are drawn from random streams of their own (one per
// account, activityStream + its index), so that adding them changed no other generated value,
// and written as they are drawn.

import (
	"time"
)

// activityStream is the first random stream of the activities: account i's activities draw
// from stream activityStream+i, far from the streams that simulate the world (0: the team,
// i+1: account i).
const activityStream = 1 << 62

// Activity types (the files contract's activity_type; HubSpot's engagement types).
const (
	activityCall    = "call"
	activityEmail   = "email"
	activityMeeting = "meeting"
)

// maxOppActivities bounds the activities of one opportunity.
const maxOppActivities = 400

type activity struct {
	id, typ, subject, leadID, oppID, accountID, owner string
	at                                                time.Time
}

// leadTouch is the activity of a lead's first touch (ok false when the lead was never touched):
// a call by an SDR of the account's region, at first_activity_at.
func (g *generator) leadTouch(d dice, a *account, l lead) (activity, bool) {
	if l.firstActivity.IsZero() {
		return activity{}, false
	}
	return activity{id: crmID("00T", next(&g.seq.activity)), typ: activityCall, subject: "Call",
		leadID: l.id, owner: d.pick(g.sdrs[a.region]), at: l.firstActivity}, true
}

// activityRate is how many activities a week an opportunity's owner logs on it: more the larger
// the deal, fewer on expansions and fewer still on renewals (customer success keeps in touch).
func activityRate(segment, typ string) float64 {
	perWeek := map[string]float64{segSMB: 1.2, segMM: 1.45, segENT: 1.9}[segment]
	switch typ {
	case typeExpansion:
		perWeek *= 0.8
	case typeRenewal:
		perWeek *= 0.6
	}
	return perWeek
}

// oppActivities draws the activities of an opportunity and hands each to emit as it is drawn, in
// time order: a kickoff meeting within two hours of its creation, then a Poisson process (in
// business hours) of calls, emails and meetings by its owner until it closes, or as_of_date
// for an open one.
func (g *generator) oppActivities(d dice, a *account, o *opp, emit func(activity) error) error {
	end := g.asOf
	if o.closed {
		end = o.history[len(o.history)-1].at
	}
	perDay := activityRate(a.segment, o.typ) / 7
	subjects := newBusinessSubjects
	if o.typ == typeRenewal {
		subjects = renewalSubjects
	}
	t := o.created.Add(time.Duration(d.IntN(120*60)) * time.Second)
	if !t.Before(end) {
		t = o.created
	}
	for i := 0; i < maxOppActivities; i++ {
		typ := activityMeeting
		if i > 0 {
			gap := time.Duration(d.ExpFloat64() / perDay * float64(day))
			if t = g.businessHours(d, t.Add(gap)); !t.Before(end) {
				break
			}
			typ = []string{activityEmail, activityCall, activityMeeting}[d.weighted(45, 35, 20)]
		}
		subject := subjects[typ][0]
		if i > 0 {
			subject = d.pick(subjects[typ][1:])
		}
		prefix := "00T" // a Task; meetings are Events, as in Salesforce
		if typ == activityMeeting {
			prefix = "00U"
		}
		err := emit(activity{id: crmID(prefix, next(&g.seq.activity)), typ: typ, subject: subject,
			oppID: o.id, accountID: a.id, owner: o.owner, at: t.Truncate(time.Second)})
		if err != nil {
			return err
		}
	}
	return nil
}

// The subjects of an opportunity's activities by type; the first meeting subject is the
// kickoff's (calls and emails are never first).
var (
	newBusinessSubjects = map[string][]string{
		activityMeeting: {"Meeting: discovery", "Meeting: demo", "Meeting: technical deep dive", "Meeting: stakeholder review", "Meeting: negotiation"},
		activityCall:    {"", "Call: follow-up", "Call: check-in", "Call: pricing questions", "Call: champion sync"},
		activityEmail:   {"", "Email: recap and next steps", "Email: case study", "Email: proposal", "Email: follow-up"},
	}
	renewalSubjects = map[string][]string{
		activityMeeting: {"Meeting: renewal kickoff", "Meeting: business review", "Meeting: renewal terms", "Meeting: adoption review"},
		activityCall:    {"", "Call: renewal check-in", "Call: usage questions", "Call: pricing"},
		activityEmail:   {"", "Email: renewal quote", "Email: usage report", "Email: follow-up"},
	}
)

// businessHours is t when it falls on a weekday between 08:00 and 18:59 New York time, else a
// time in the first two hours of the next business morning (never before t). Like first
// touches, it stays clear of the hour that daylight saving repeats.
func (g *generator) businessHours(d dice, t time.Time) time.Time {
	local := t.In(g.ny)
	morning := false
	switch h := local.Hour(); {
	case h >= 19:
		local, morning = local.AddDate(0, 0, 1), true
	case h < 8:
		morning = true
	}
	for local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
		local, morning = local.AddDate(0, 0, 1), true
	}
	if !morning {
		return t
	}
	y, m, dd := local.Date()
	return time.Date(y, m, dd, 8, d.IntN(120), d.IntN(60), 0, g.ny)
}
