package demo

// dirt.go: the mistakes real CRMs accumulate, planted on purpose so that revops' checks have
// something to find. Each kind applies to a population of eligible records and hits about
// DirtRate of them; the counts are exact and reported in Summary.Planted.
//
//	duplicate_accounts      eligible: accounts not deleted. An extra row right after the account:
//	                        same domain, name in other case or spacing, later created_at, no
//	                        contacts or deals.
//	soft_deleted_accounts   eligible: accounts. is_deleted=true; such an account has no contacts
//	                        or deals (a deleted account's children are deleted with it).
//	duplicate_contacts      eligible: contacts not orphaned. An extra row right after the contact:
//	                        its email with letters capitalized, a new id, a later created_at.
//	orphan_contacts         eligible: contacts. account_id names no account (001Dm0000X…).
//	missing_amount          eligible: opportunities at Proposal or later that are not won (open,
//	                        or lost after reaching Proposal). amount is empty, in the opportunity
//	                        and in its last history row.
//	missing_close_date      eligible: open opportunities at Proposal or Negotiation. close_date is
//	                        empty, in the opportunity and its last history row.
//	open_past_close_date    eligible: open opportunities with a close date, created three or more
//	                        days before as_of_date. close_date (and every history row's) is moved
//	                        to a day after the creation day and before as_of_date.
//	zero_amount_won         eligible: Closed Won opportunities. amount is 0.00 in the opportunity
//	                        and its Closed Won history row; billing has the real amount.

import (
	"strings"
	"time"
	"unicode"
)

// planter hits about rate of the records it is offered, at random positions: each offer adds
// rate to a credit, and a hit spends one when the credit passes a random threshold. The number
// of hits in n offers is within one of rate×n.
type planter struct {
	kind      string
	rate      float64
	credit    float64
	threshold float64 // 0: not drawn yet
	hits      int
}

func (p *planter) hit(d dice) bool {
	if p.rate <= 0 {
		return false
	}
	if p.threshold == 0 {
		p.threshold = 1 - d.Float64() // (0, 1]
	}
	p.credit += p.rate
	if p.credit < p.threshold {
		return false
	}
	p.credit--
	p.threshold = 0
	p.hits++
	return true
}

// dirt holds one planter per kind.
type dirt struct {
	dupAccount, deletedAccount, dupContact, orphanContact planter
	missingAmount, missingClose, pastClose, zeroWon       planter
}

func newDirt(rate float64) dirt {
	p := func(kind string) planter { return planter{kind: kind, rate: rate} }
	return dirt{
		dupAccount: p(PlantedDuplicateAccounts), deletedAccount: p(PlantedSoftDeletedAccounts),
		dupContact: p(PlantedDuplicateContacts), orphanContact: p(PlantedOrphanContacts),
		missingAmount: p(PlantedMissingAmount), missingClose: p(PlantedMissingCloseDate),
		pastClose: p(PlantedOpenPastCloseDate), zeroWon: p(PlantedZeroAmountWon),
	}
}

func (t *dirt) all() []*planter {
	return []*planter{&t.dupAccount, &t.deletedAccount, &t.dupContact, &t.orphanContact,
		&t.missingAmount, &t.missingClose, &t.pastClose, &t.zeroWon}
}

// duplicateAccount returns a second row for a: same domain, the name re-cased or re-spaced.
func (g *generator) duplicateAccount(d dice, a *account) *account {
	dup := *a
	dup.id = crmID("001", next(&g.seq.account))
	dup.name = variantName(d, a.name)
	dup.created = d.within(a.created, g.asOf).Truncate(time.Minute)
	dup.owner = d.pick(g.aes[a.region+"-"+a.segment])
	return &dup
}

// variantName spells name differently in case or spacing only.
func variantName(d dice, name string) string {
	variants := []string{
		strings.ToUpper(name),
		strings.ToLower(name),
		strings.Replace(name, " ", "  ", 1),
		name + " ",
		" " + name,
	}
	v := variants[d.IntN(len(variants))]
	if v == name { // an all-caps or all-lower name: fall back to spacing
		v = name + " "
	}
	return v
}

// dirtyContact may orphan c, or follow it with a duplicate; it returns the rows to write.
func (g *generator) dirtyContact(d dice, c contact) []contact {
	if g.dirt.orphanContact.hit(d) {
		c.accountID = orphanAccountID(next(&g.seq.orphan))
		return []contact{c}
	}
	if !g.dirt.dupContact.hit(d) {
		return []contact{c}
	}
	dup := c
	dup.id = crmID("003", next(&g.seq.contact))
	dup.email = capitalize(c.email)
	dup.created = d.within(c.created.Add(time.Hour), g.asOf).Truncate(time.Second)
	dup.updated = d.within(dup.created, g.asOf).Truncate(time.Second)
	return []contact{c, dup}
}

// capitalize upper-cases the first letter of each part of an address ("ann.lee@x.com" →
// "Ann.Lee@X.com").
func capitalize(addr string) string {
	b := []rune(addr)
	up := true
	for i, r := range b {
		if up && unicode.IsLetter(r) {
			b[i] = unicode.ToUpper(r)
		}
		up = r == '.' || r == '@'
	}
	return string(b)
}

// dirtyOpp plants the opportunity-level dirt in o (already built, history included).
func (g *generator) dirtyOpp(d dice, o *opp) {
	last := &o.history[len(o.history)-1]
	atProposal := false
	for _, h := range o.history {
		atProposal = atProposal || h.stage == "Proposal" || h.stage == "Negotiation"
	}
	if o.won {
		if g.dirt.zeroWon.hit(d) {
			o.amount, last.amount = 0, 0
		}
		return
	}
	if atProposal && g.dirt.missingAmount.hit(d) {
		o.noAmount, last.noAmount = true, true
	}
	if o.closed {
		return
	}
	if atProposal && g.dirt.missingClose.hit(d) {
		o.noClose, last.noClose = true, true
		return
	}
	first := dateOf(o.created).Add(day)
	if first.Before(g.asOf.Add(-day)) && g.dirt.pastClose.hit(d) {
		stale := dateOf(d.within(first, g.asOf.Add(-day)))
		o.close = stale
		for i := range o.history {
			o.history[i].close = stale
		}
	}
}
