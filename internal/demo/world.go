package demo

// world.go: the model of the simulated company — its records, its sales team, the random
// streams, identifiers and calendar the rest of the package builds on.

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
	"time"
	_ "time/tzdata" // America/New_York must not depend on the host's zoneinfo: output is deterministic
)

// Record types. Times are instants (UTC); dates are midnight UTC. Money is in cents.

type user struct {
	id, name, email, role, territory string
}

type account struct {
	id, name, domain, industry, region, segment, owner, currency string
	created                                                      time.Time
	deleted                                                      bool
}

type contact struct {
	id, accountID, email, first, last, title, stage string
	created, updated                                time.Time
}

type lead struct {
	id, email, company, source, status, convertedOpp string
	created, mql, sql, firstActivity                 time.Time // zero: empty
}

type opp struct {
	id, accountID, name, typ, stage, forecast, currency, owner, nextStep string
	probability                                                          int
	amount                                                               int64
	noAmount, noClose                                                    bool
	close                                                                time.Time // a date
	created, modified                                                    time.Time
	closed, won                                                          bool
	history                                                              []stageRow
}

// stageRow is an opportunity history row: the opportunity's values after a change.
type stageRow struct {
	id, stage         string
	amount            int64
	close             time.Time
	noAmount, noClose bool
	at                time.Time
}

// period is one row of the billing schedule: a subscription's MRR over [start, end).
type period struct {
	subID, plan, status string
	start, end          time.Time // end zero: open
	mrr                 int64
}

type customer struct {
	id, name, email, accountID string
}

type invoice struct {
	id, customerID, subID, status string
	amount                        int64
	issued, updated               time.Time
}

// Picklists.
const (
	typeNewBusiness = "New Business"
	typeExpansion   = "Expansion"
	typeRenewal     = "Renewal"
	stageWon        = "Closed Won"
	stageLost       = "Closed Lost"
	segSMB          = "SMB"
	segMM           = "MM"
	segENT          = "ENT"
)

func openStages() []string { return []string{"Prospecting", "Discovery", "Proposal", "Negotiation"} }
func regions() []string    { return []string{"NA", "EMEA", "APAC", "LATAM"} }
func segments() []string   { return []string{segSMB, segMM, segENT} }

// generator holds the state of one Generate call.
type generator struct {
	opts  Options
	asOf  time.Time // midnight UTC of as_of_date; every event happens before it
	begin time.Time // the company's first selling day
	ny    *time.Location
	words words
	users []user
	aes   map[string][]string // owner ids by territory ("NA-SMB")
	csms  map[string][]string // CSM ids by region
	sdrs  map[string][]string // SDR ids by region
	names map[string]bool     // account names in use (the one structure that grows with Scale)
	seq   sequences
	dirt  dirt
}

// sequences numbers the records of each kind in creation order.
type sequences struct {
	account, contact, lead, opp, history, orphan, customer, sub, invoice, activity int
}

func next(n *int) int { *n++; return *n }

func newGenerator(opts Options) (*generator, error) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("load time zone America/New_York: %w", err)
	}
	g := &generator{
		opts:  opts,
		asOf:  opts.AsOf,
		begin: opts.AsOf.AddDate(-4, 0, 0),
		ny:    ny,
		words: newWords(),
		aes:   map[string][]string{},
		csms:  map[string][]string{},
		sdrs:  map[string][]string{},
		names: map[string]bool{},
		dirt:  newDirt(opts.DirtRate),
	}
	g.hireTeam(g.dice(0))
	return g, nil
}

// dice is a random stream. Stream 0 builds the team; stream i+1 simulates account i, stream
// activityStream+i draws its sales activities.
type dice struct{ *rand.Rand }

func (g *generator) dice(stream uint64) dice {
	return dice{rand.New(rand.NewPCG(uint64(g.opts.Seed), splitmix(stream)))}
}

// splitmix scrambles a stream number so that neighbouring streams start far apart.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (d dice) between(lo, hi int) int         { return lo + d.IntN(hi-lo+1) }
func (d dice) chance(p float64) bool          { return d.Float64() < p }
func (d dice) pick(xs []string) string        { return xs[d.IntN(len(xs))] }
func (d dice) uniform(lo, hi float64) float64 { return lo + (hi-lo)*d.Float64() }

// weighted returns an index with probability proportional to its weight.
func (d dice) weighted(ws ...float64) int {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	x := d.Float64() * total
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

// within returns an instant in [from, to); from when the range is empty.
func (d dice) within(from, to time.Time) time.Time {
	if !to.After(from) {
		return from
	}
	return from.Add(time.Duration(d.Int64N(int64(to.Sub(from)))))
}

// Calendar helpers.

const day = 24 * time.Hour

func days(n int) time.Duration { return time.Duration(n) * day }

// dateOf is t's date (midnight UTC).
func dateOf(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

// workTime is an instant during the working day (13:00–22:59 UTC, US and EU hours) of date.
func (d dice) workTime(date time.Time) time.Time {
	return dateOf(date).Add(time.Duration(13*3600+d.IntN(10*3600)) * time.Second)
}

// localWorkTime is an instant during New York business hours (08:00–18:59) on date's calendar day.
func (g *generator) localWorkTime(d dice, date time.Time) time.Time {
	y, m, dd := date.UTC().Date()
	return time.Date(y, m, dd, d.between(8, 18), d.IntN(60), d.IntN(60), 0, g.ny)
}

// Identifiers: Salesforce-style for the CRM (sequential 18-character ids with a key prefix),
// Stripe-style for billing (a prefix and 12 scrambled base-62 characters).

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func encode62(n uint64, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = base62[n%62]
		n /= 62
	}
	return string(b)
}

func crmID(prefix string, n int) string { return prefix + "Dm00000" + encode62(uint64(n), 8) }

// orphanAccountID is an account id no account has (its seventh character differs).
func orphanAccountID(n int) string { return "001Dm0000X" + encode62(uint64(n), 8) }

// billingID scrambles n (salted by prefix) with a bijection of [0, 62^10), so ids look random
// yet never collide within a prefix.
func billingID(prefix string, n int) string {
	const space = 839299365868340224 // 62^10
	const mult = 608948813217771433  // odd and not a multiple of 31: coprime with 62^10
	salt := uint64(0)
	for _, c := range prefix {
		salt = salt*131 + uint64(c)
	}
	hi, lo := bits.Mul64((uint64(n)+salt*7919)%space, mult)
	_, x := bits.Div64(hi, lo, space)
	return prefix + "_" + encode62(x, 10)
}

// Names.

// companyName returns an unused account name and its domain stem, e.g. "Cedarbrook Health"
// and "cedarbrookhealth".
func (g *generator) companyName(d dice) (string, string) {
	w := &g.words
	var name string
	for try := 0; ; try++ {
		name = d.pick(w.roots) + d.pick(w.tails) + " " + d.pick(w.nouns)
		if try >= 8 {
			name += fmt.Sprintf(" %d", d.between(2, 99))
		}
		if !g.names[name] {
			break
		}
	}
	g.names[name] = true
	return name, strings.ToLower(strings.ReplaceAll(name, " ", ""))
}

// prospectName is a company that is not an account (lead-only); its nouns are disjoint from
// account names', so it never collides with one.
func (g *generator) prospectName(d dice) (string, string) {
	name := d.pick(g.words.lasts) + " " + d.pick(g.words.prospectNouns)
	stem := strings.ToLower(strings.NewReplacer(" ", "", "&", "and").Replace(name))
	return name, stem
}

func tld(d dice, region string) string {
	switch {
	case region == "EMEA" && d.chance(0.3):
		return d.pick([]string{".de", ".co.uk", ".fr", ".nl"})
	case d.chance(0.75):
		return ".com"
	}
	return d.pick([]string{".io", ".co", ".ai"})
}

// email is a work address in one of the usual patterns.
func email(d dice, first, last, domain string) string {
	f, l := strings.ToLower(first), strings.ToLower(last)
	switch d.weighted(6, 2, 1) {
	case 0:
		return f + "." + l + "@" + domain
	case 1:
		return f[:1] + l + "@" + domain
	}
	return f + "@" + domain
}

// hireTeam builds the sales team: per scale unit, one AE per territory (region × segment), one
// SDR, CSM and manager per region.
func (g *generator) hireTeam(d dice) {
	used := map[string]bool{}
	hire := func(role, territory string) string {
		id := crmID("005", len(g.users)+1)
		first, last := d.pick(g.words.firsts), d.pick(g.words.lasts)
		addr := strings.ToLower(first + "." + last)
		for n := 2; used[addr]; n++ {
			addr = strings.ToLower(first+"."+last) + fmt.Sprint(n)
		}
		used[addr] = true
		g.users = append(g.users, user{id: id, name: first + " " + last, email: addr + "@northbeam.io", role: role, territory: territory})
		return id
	}
	for range g.opts.Scale {
		for _, r := range regions() {
			hire("Manager", r)
			for _, s := range segments() {
				t := r + "-" + s
				g.aes[t] = append(g.aes[t], hire("AE", t))
			}
			g.sdrs[r] = append(g.sdrs[r], hire("SDR", r))
			g.csms[r] = append(g.csms[r], hire("CSM", r))
		}
	}
}

// words are the vocabularies names are drawn from.
type words struct {
	roots, tails, nouns, prospectNouns, firsts, lasts, titles, industries, freemail []string
}

func newWords() words {
	return words{
		roots: strings.Fields(`Acme Alpen Amber Apex Arc Aster Atlas Aurora Beacon Birch Blue Bright Cedar
			Cinder Cobalt Coral Crest Delta Ember Falcon Fern Flint Granite Harbor Helix Indigo Iron
			Juniper Keystone Lumen Maple Meridian Nimbus North Nova Oak Onyx Orbit Pine Quartz Raven
			Ridge Sable Silver Solar Summit Terra Tidal Vector Willow`),
		tails: append([]string{""}, strings.Fields(`bay bridge brook dale field ford gate grid hill hub
			lane leaf light line mark mont port press quest rock side spire star stone stream tek ton
			vale view wave well wick wind wise worth yard ly io ify`)...),
		nouns: strings.Fields(`Labs Systems Analytics Logistics Health Financial Foods Media Robotics
			Software Energy Capital Retail Networks Dynamics Solutions Partners Studios Bio Security
			Cloud Mobility Learning Insurance Manufacturing`),
		prospectNouns: []string{"Group", "Holdings", "& Co", "Associates", "Consulting", "Ventures",
			"Industries", "Enterprises", "Agency", "Collective"},
		firsts: strings.Fields(`James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth
			William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy
			Matthew Lisa Anthony Betty Mark Sandra Steven Ashley Andrew Emily Joshua Michelle Kevin
			Amanda Brian Melissa George Stephanie Priya Wei Carlos Sofia Lukas Emma Hiroshi Yuki
			Fatima Omar Lucas Camila Mateo Valentina Noah Chloe Ethan Olivia Arjun Ana`),
		lasts: strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
			Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez
			Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright
			Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell
			Carter Roberts Patel Kim Chen Mueller Schmidt Rossi Dubois Tanaka Silva Kowalski`),
		titles: []string{"VP Sales", "Chief Revenue Officer", "Head of Revenue Operations",
			"Sales Operations Manager", "Director of Finance", "CFO", "Controller",
			"Marketing Operations Manager", "VP Marketing", "Account Executive", "Sales Manager",
			"Data Analyst", "Head of Customer Success", "IT Manager", "CEO"},
		industries: []string{"Software", "Fintech", "Healthcare", "Manufacturing", "Retail", "Media",
			"Logistics", "Education", "Energy", "Professional Services"},
		freemail: []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com"},
	}
}
