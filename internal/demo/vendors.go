package demo

// vendors.go: the demo company's SaaS systems. With Options.Vendors, the simulated world is also
// loaded into fake Salesforce, HubSpot, Marketo and Stripe servers (the same fakes the
// connectors are tested against), served on 127.0.0.1 while revops extracts from them:
//
//   - Salesforce is the CRM of record: users, accounts (segment and region in the custom fields
//     Segment__c and Region__c; soft-deleted accounts in the recycle bin), contacts, leads (MQL
//     and SQL dates in MQL_Date__c and SQL_Date__c), opportunities replayed change by change so
//     that OpportunityHistory holds the world's stage history, in the account's CurrencyIsoCode,
//     the opportunity stages, and the sales activities as Tasks (calls, e-mails) and Events
//     (meetings): first touches on their lead, the others on their opportunity;
//   - HubSpot is the marketing system: owners, companies, and the leads as contacts with their
//     lifecycle-stage dates;
//   - Marketo is the marketing automation that scores the leads: every lead as a Marketo lead
//     (the Salesforce lead id in sfdcLeadId, as Marketo's Salesforce sync keeps it), created at
//     the lead's creation (its New Lead activity), its first touch as a Sales Touch activity, and
//     its revenue-stage changes to MQL and SQL at the world's MQL and SQL times — so the MQL
//     dates Marketo's lead_lifecycle stream yields are the world's;
//   - Stripe is billing: customers (metadata crm_account_id when the world links them), one
//     subscription per world subscription with a single item, and monthly paid invoices whose
//     subscription lines follow the world's MRR schedule — so ARR built from Stripe equals ARR
//     built from the schedule file.

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	hsfake "github.com/revops/revops/extract/hubspot/fake"
	mkfake "github.com/revops/revops/extract/marketo/fake"
	sffake "github.com/revops/revops/extract/salesforce/fake"
	stfake "github.com/revops/revops/extract/stripe/fake"
	"github.com/revops/revops/internal/fakeapi"
)

// Credentials the demo's fakes accept (they guard nothing: the fakes listen on 127.0.0.1 only).
const (
	demoSalesforceClient = "revops-demo"
	demoSalesforceSecret = "demo-secret"
	demoStripeKey        = "sk_test_revops_demo"
	demoMarketoClient    = "revops-demo"
	demoMarketoSecret    = "demo-marketo-secret"
)

// The demo's Marketo: the custom activity type of a rep's touch (custom activity types have ids
// from 100000), and the revenue model whose stages the leads move through.
const (
	marketoSalesTouch   = 100001
	marketoRevenueModel = 1
)

// vendorsDir holds, under the project, one file per address or credential of the running fakes;
// the vendor demo's revops.yaml reads them as ${file:...} references.
const vendorsDir = ".vendors"

// The files of vendorsDir.
const (
	FileSalesforceURL    = "salesforce_url"
	FileSalesforceSecret = "salesforce_secret"
	FileHubSpotURL       = "hubspot_url"
	FileHubSpotToken     = "hubspot_token"
	FileStripeURL        = "stripe_url"
	FileStripeKey        = "stripe_key"
	FileMarketoURL       = "marketo_url"
	FileMarketoSecret    = "marketo_secret"
)

// Vendors are the running fake SaaS systems holding the demo world. Close stops them.
type Vendors struct {
	Salesforce *sffake.Server
	HubSpot    *hsfake.Server
	Marketo    *mkfake.Server
	Stripe     *stfake.Server
	// Clock is the fakes' shared clock, standing at the demo's as_of_date once seeded.
	Clock *fakeapi.Clock
	// URLs are the fakes' base URLs by vendor ("salesforce", "hubspot", "marketo", "stripe").
	URLs    map[string]string
	servers []*http.Server
}

// Close stops the servers.
func (v *Vendors) Close() error {
	var errs []error
	for _, s := range v.servers {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// serve starts the fakes on 127.0.0.1 (ephemeral ports) and writes their addresses and
// credentials under dir/vendorsDir; it returns the files written, relative to dir.
func (v *Vendors) serve(dir string) ([]string, error) {
	v.URLs = map[string]string{}
	files := map[string]string{
		FileSalesforceSecret: demoSalesforceSecret,
		FileHubSpotToken:     hsfake.DefaultToken,
		FileStripeKey:        demoStripeKey,
		FileMarketoSecret:    demoMarketoSecret,
	}
	for _, s := range []struct {
		vendor, file string
		h            http.Handler
	}{{"salesforce", FileSalesforceURL, v.Salesforce}, {"hubspot", FileHubSpotURL, v.HubSpot},
		{"marketo", FileMarketoURL, v.Marketo}, {"stripe", FileStripeURL, v.Stripe}} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			v.Close()
			return nil, fmt.Errorf("start the demo's fake %s: %w", s.vendor, err)
		}
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		v.servers = append(v.servers, srv)
		go srv.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed on Close
		v.URLs[s.vendor] = "http://" + ln.Addr().String()
		files[s.file] = v.URLs[s.vendor]
	}
	if err := os.MkdirAll(filepath.Join(dir, vendorsDir), 0o700); err != nil {
		v.Close()
		return nil, fmt.Errorf("write the demo's vendor settings: %w", err)
	}
	names := slices.Sorted(maps.Keys(files))
	written := make([]string, 0, len(names))
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, vendorsDir, name), []byte(files[name]+"\n"), 0o600); err != nil {
			v.Close()
			return nil, fmt.Errorf("write the demo's vendor settings: %w", err)
		}
		written = append(written, vendorsDir+"/"+name)
	}
	return written, nil
}

// vendorSeeder loads the world into the fakes as the generator writes it.
type vendorSeeder struct {
	v    *Vendors
	asOf time.Time
	// products and prices of the Stripe catalog, by plan and by plan/currency/amount.
	products map[string]string
	prices   map[string]string
	// the current customer's schedule, flushed at the next customer and at the end.
	cust    *customer
	custCur string
	periods []period
	// marketo holds the Marketo events until finish, which replays them in time order (the
	// fake's activity log is appended to, not inserted into).
	marketo []marketoEvent
}

func newVendorSeeder(asOf time.Time) (*vendorSeeder, error) {
	clock := fakeapi.NewClock(asOf)
	v := &Vendors{Clock: clock}
	v.Salesforce = sffake.New(sffake.Options{Clock: clock, Seed: 42, Clients: []sffake.Client{{
		ID: demoSalesforceClient, Secret: demoSalesforceSecret, Username: "etl@northbeam.io"}}})
	v.HubSpot = hsfake.New(hsfake.Options{Clock: clock})
	v.Stripe = stfake.New(stfake.Options{Clock: clock, APIKeys: []string{demoStripeKey}})
	// The clock stands still at as_of_date, so the fake's 20-second rate window would never
	// pass: no rate limit.
	v.Marketo = mkfake.New(mkfake.Options{Clock: clock, ClientID: demoMarketoClient, ClientSecret: demoMarketoSecret,
		Scope: "apis@northbeam.io", Knobs: mkfake.Knobs{RatePer20s: -1}})
	if _, err := v.Marketo.AddField(mkfake.Field{Name: "sfdcLeadId", DisplayName: "SFDC Lead ID", DataType: "string", Length: 18}); err != nil {
		return nil, fmt.Errorf("demo marketo: %w", err)
	}
	if err := v.Marketo.AddActivityType(mkfake.ActivityType{ID: marketoSalesTouch, Name: "Sales Touch",
		Description:      "A rep called or emailed the person (logged in Salesforce)",
		PrimaryAttribute: &mkfake.TypeAttribute{Name: "Channel", DataType: "string"},
		Attributes:       []mkfake.TypeAttribute{{Name: "Subject", DataType: "string"}}}); err != nil {
		return nil, fmt.Errorf("demo marketo: %w", err)
	}
	for obj, fields := range map[string][]sffake.Field{
		"Account":     {{Name: "Segment__c", Type: "picklist", Custom: true}, {Name: "Region__c", Type: "picklist", Custom: true}},
		"Lead":        {{Name: "MQL_Date__c", Type: "datetime", Custom: true}, {Name: "SQL_Date__c", Type: "datetime", Custom: true}},
		"Opportunity": {{Name: "CurrencyIsoCode", Type: "picklist"}},
		"User":        {{Name: "Territory__c", Type: "string", Custom: true}, {Name: "Role__c", Type: "string", Custom: true}},
	} {
		for _, f := range fields {
			if err := v.Salesforce.AddField(obj, f); err != nil {
				return nil, fmt.Errorf("demo salesforce: %w", err)
			}
		}
	}
	for i, stage := range append(openStages(), stageWon, stageLost) {
		_, err := v.Salesforce.Insert("OpportunityStage", sffake.Record{"MasterLabel": stage, "ApiName": stage,
			"IsActive": true, "SortOrder": i + 1, "IsClosed": stage == stageWon || stage == stageLost,
			"IsWon": stage == stageWon, "ForecastCategory": forecastCategory(stage),
			"DefaultProbability": stageProbability(stage)})
		if err != nil {
			return nil, fmt.Errorf("demo salesforce stage %s: %w", stage, err)
		}
	}
	return &vendorSeeder{v: v, asOf: asOf, products: map[string]string{}, prices: map[string]string{}}, nil
}

// sfMoney is an amount in cents as Salesforce's currency field holds it (nil: empty).
func sfMoney(cents int64, empty bool) any {
	if empty {
		return nil
	}
	return float64(cents) / 100
}

func sfDate(t time.Time, empty bool) any {
	if empty || t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

func sfTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func (s *vendorSeeder) user(u user) error {
	first, last, _ := strings.Cut(u.name, " ")
	if _, err := s.v.Salesforce.Insert("User", sffake.Record{"Id": u.id, "Username": u.email, "FirstName": first,
		"LastName": last, "Email": u.email, "IsActive": true, "UserType": "Standard", "Territory__c": u.territory,
		"Role__c": u.role, "SystemModstamp": s.asOf.AddDate(-4, 0, 0)}); err != nil {
		return fmt.Errorf("demo salesforce user %s: %w", u.id, err)
	}
	if err := s.v.HubSpot.PutOwners(hsfake.Owner{Email: u.email, FirstName: first, LastName: last,
		CreatedAt: s.asOf.AddDate(-4, 0, 0), UpdatedAt: s.asOf.AddDate(-4, 0, 0)}); err != nil {
		return fmt.Errorf("demo hubspot owner %s: %w", u.email, err)
	}
	return nil
}

func (s *vendorSeeder) account(a *account) error {
	if _, err := s.v.Salesforce.Insert("Account", sffake.Record{"Id": a.id, "Name": a.name, "Website": a.domain,
		"Industry": a.industry, "Segment__c": a.segment, "Region__c": a.region, "OwnerId": a.owner,
		"SystemModstamp": a.created}); err != nil {
		return fmt.Errorf("demo salesforce account %s: %w", a.id, err)
	}
	if a.deleted {
		s.v.Clock.Set(s.asOf.Add(-day))
		err := s.v.Salesforce.Delete("Account", a.id)
		s.v.Clock.Set(s.asOf)
		if err != nil {
			return fmt.Errorf("demo salesforce delete account %s: %w", a.id, err)
		}
	}
	ids, err := s.v.HubSpot.Put("companies", hsfake.Record{CreatedAt: a.created, UpdatedAt: a.created,
		Properties: map[string]string{"name": a.name, "domain": a.domain, "industry": a.industry, "type": a.segment}})
	if err != nil {
		return fmt.Errorf("demo hubspot company %s: %w", a.id, err)
	}
	if a.deleted {
		if err := s.v.HubSpot.Archive("companies", ids...); err != nil {
			return fmt.Errorf("demo hubspot archive company %s: %w", a.id, err)
		}
	}
	return nil
}

func (s *vendorSeeder) contact(c contact) error {
	if _, err := s.v.Salesforce.Insert("Contact", sffake.Record{"Id": c.id, "AccountId": c.accountID, "Email": c.email,
		"FirstName": c.first, "LastName": c.last, "Title": c.title, "CreatedDate": c.created,
		"SystemModstamp": c.updated}); err != nil {
		return fmt.Errorf("demo salesforce contact %s: %w", c.id, err)
	}
	return nil
}

// lead records a marketing lead in Salesforce, in HubSpot (as a contact with lifecycle dates)
// and, at finish, in Marketo. Its first touch comes as an activity.
func (s *vendorSeeder) lead(l lead) error {
	last, _, _ := strings.Cut(l.email, "@")
	if last == "" {
		last = "Unknown"
	}
	rec := sffake.Record{"Id": l.id, "LastName": last, "Company": l.company, "Email": nilIfEmpty(l.email),
		"Status": l.status, "LeadSource": l.source, "IsConverted": l.convertedOpp != "",
		"ConvertedOpportunityId": nilIfEmpty(l.convertedOpp), "MQL_Date__c": sfTime(l.mql), "SQL_Date__c": sfTime(l.sql),
		"CreatedDate": l.created, "SystemModstamp": maxTime(l.created, maxTime(l.mql, l.sql))}
	if _, err := s.v.Salesforce.Insert("Lead", rec); err != nil {
		return fmt.Errorf("demo salesforce lead %s: %w", l.id, err)
	}
	props := map[string]string{"email": l.email, "company": l.company, "hs_lead_status": l.status,
		"lifecyclestage": "lead", "hs_lifecyclestage_lead_date": hsTime(l.created)}
	if !l.mql.IsZero() {
		props["lifecyclestage"], props["hs_lifecyclestage_marketingqualifiedlead_date"] = "marketingqualifiedlead", hsTime(l.mql)
	}
	if !l.sql.IsZero() {
		props["lifecyclestage"], props["hs_lifecyclestage_salesqualifiedlead_date"] = "salesqualifiedlead", hsTime(l.sql)
	}
	if _, err := s.v.HubSpot.Put("contacts", hsfake.Record{CreatedAt: l.created,
		UpdatedAt: maxTime(l.created, maxTime(l.mql, l.sql)), Properties: props}); err != nil {
		return fmt.Errorf("demo hubspot contact for lead %s: %w", l.id, err)
	}
	s.marketoLead(l)
	return nil
}

// activity records a sales activity in Salesforce with the files' id: a call or an e-mail as a
// completed Task of that TaskSubtype, a meeting as a half-hour Event; a lead's first touch on
// the lead (WhoId), an opportunity's activities on the opportunity (WhatId) and its account.
func (s *vendorSeeder) activity(a activity) error {
	object := "Task"
	rec := sffake.Record{"Id": a.id, "Subject": a.subject, "OwnerId": a.owner, "ActivityDate": sfDate(a.at, false),
		"CreatedDate": a.at, "SystemModstamp": a.at}
	if a.typ == activityMeeting {
		object = "Event"
		rec["Type"], rec["StartDateTime"], rec["ActivityDateTime"] = "Meeting", a.at, a.at
		rec["EndDateTime"], rec["DurationInMinutes"] = a.at.Add(30*time.Minute), 30
	} else {
		rec["Status"], rec["IsClosed"] = "Completed", true
		rec["TaskSubtype"] = map[string]string{activityCall: "Call", activityEmail: "Email"}[a.typ]
	}
	if a.leadID != "" {
		rec["WhoId"] = a.leadID
	}
	if a.oppID != "" {
		rec["WhatId"], rec["AccountId"] = a.oppID, a.accountID
	}
	if _, err := s.v.Salesforce.Insert(object, rec); err != nil {
		return fmt.Errorf("demo salesforce %s %s: %w", strings.ToLower(object), a.id, err)
	}
	return nil
}

func hsTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *vendorSeeder) opp(o *opp) error {
	for i, h := range o.history {
		rec := sffake.Record{"StageName": h.stage, "Amount": sfMoney(h.amount, h.noAmount),
			"CloseDate": sfDate(h.close, h.noClose), "Probability": stageProbability(h.stage),
			"ForecastCategory": forecastCategory(h.stage), "IsClosed": h.stage == stageWon || h.stage == stageLost,
			"IsWon": h.stage == stageWon, "SystemModstamp": h.at}
		if i == 0 {
			rec["Id"], rec["AccountId"], rec["Name"], rec["Type"] = o.id, o.accountID, o.name, o.typ
			rec["OwnerId"], rec["CurrencyIsoCode"], rec["CreatedDate"] = o.owner, o.currency, o.created
			if _, err := s.v.Salesforce.Insert("Opportunity", rec); err != nil {
				return fmt.Errorf("demo salesforce opportunity %s: %w", o.id, err)
			}
			continue
		}
		if err := s.v.Salesforce.Update("Opportunity", o.id, rec); err != nil {
			return fmt.Errorf("demo salesforce opportunity %s history %s: %w", o.id, h.id, err)
		}
	}
	// The opportunity's last state: fields no history row tracks, at its last modification.
	if err := s.v.Salesforce.Update("Opportunity", o.id, sffake.Record{"NextStep": nilIfEmpty(o.nextStep),
		"Probability": o.probability, "ForecastCategory": o.forecast, "IsClosed": o.closed, "IsWon": o.won,
		"SystemModstamp": o.modified}); err != nil {
		return fmt.Errorf("demo salesforce opportunity %s: %w", o.id, err)
	}
	return nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *vendorSeeder) customer(c *customer) error {
	if err := s.flushBilling(); err != nil {
		return err
	}
	s.cust, s.custCur, s.periods = c, "", nil
	return nil
}

func (s *vendorSeeder) period(c *customer, currency string, p period) {
	s.custCur = strings.ToLower(currency)
	s.periods = append(s.periods, p)
}

// finish flushes what is still buffered; the generator calls it after the last account.
func (s *vendorSeeder) finish() error {
	if err := s.flushBilling(); err != nil {
		return err
	}
	return s.flushMarketo()
}

// marketoEvent is something that happened to a lead in Marketo.
type marketoEvent struct {
	at   time.Time
	kind int // the order of events at the same instant: created, touched, mql, sql
	seq  int // the lead's order of arrival
	lead lead
}

const (
	mkCreated = iota
	mkTouched
	mkMQL
	mkSQL
)

// marketoLead buffers the Marketo events of a lead.
func (s *vendorSeeder) marketoLead(l lead) {
	seq := len(s.marketo)
	s.marketo = append(s.marketo, marketoEvent{at: l.created, kind: mkCreated, seq: seq, lead: l})
	for _, e := range []struct {
		at   time.Time
		kind int
	}{{l.firstActivity, mkTouched}, {l.mql, mkMQL}, {l.sql, mkSQL}} {
		if !e.at.IsZero() {
			s.marketo = append(s.marketo, marketoEvent{at: e.at, kind: e.kind, seq: seq, lead: l})
		}
	}
}

// flushMarketo replays the buffered events in time order: each lead is created (Marketo ids in
// order of creation), touched, and moved to the MQL and SQL revenue stages.
func (s *vendorSeeder) flushMarketo() error {
	events := s.marketo
	s.marketo = nil
	slices.SortFunc(events, func(a, b marketoEvent) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.kind != b.kind {
			return a.kind - b.kind
		}
		return a.seq - b.seq
	})
	mk := s.v.Marketo
	ids := map[string]int64{} // Salesforce lead id → Marketo lead id
	for _, e := range events {
		l := e.lead
		var err error
		switch e.kind {
		case mkCreated:
			last, _, _ := strings.Cut(l.email, "@")
			var created mkfake.Lead
			created, err = mk.AddLead(mkfake.Lead{Email: l.email, LastName: last, Company: l.company, LeadStatus: l.status,
				LeadSource: l.source, CreatedAt: l.created, UpdatedAt: maxTime(l.created, maxTime(l.mql, l.sql)),
				Fields: map[string]any{"sfdcLeadId": l.id}})
			ids[l.id] = created.ID
		case mkTouched:
			_, err = mk.AddActivity(mkfake.Activity{LeadID: ids[l.id], ActivityDate: l.firstActivity, TypeID: marketoSalesTouch,
				PrimaryAttributeValue: "Call", Attributes: []mkfake.Attribute{{Name: "Subject", Value: "Call"}}})
		case mkMQL:
			_, err = mk.ChangeRevenueStage(ids[l.id], l.mql, marketoRevenueModel, "Lead Lifecycle", "MQL")
		case mkSQL:
			_, err = mk.ChangeRevenueStage(ids[l.id], l.sql, marketoRevenueModel, "Lead Lifecycle", "SQL")
		}
		if err != nil {
			return fmt.Errorf("demo marketo lead %s: %w", l.id, err)
		}
	}
	return nil
}

// flushBilling writes the buffered customer to Stripe: the customer, one subscription per world
// subscription (a single item at its latest price; canceled when its schedule ends) and a paid
// invoice per billing month whose line is the schedule's MRR over that month (cut where the
// schedule changes), up to as_of_date.
func (s *vendorSeeder) flushBilling() error {
	c := s.cust
	if c == nil {
		return nil
	}
	s.cust = nil
	st := s.v.Stripe
	cur := s.custCur
	if cur == "" {
		cur = "usd"
	}
	var order []string
	bySub := map[string][]period{}
	first := s.asOf
	for _, p := range s.periods {
		if _, ok := bySub[p.subID]; !ok {
			order = append(order, p.subID)
		}
		bySub[p.subID] = append(bySub[p.subID], p)
		first = minTime(first, p.start)
	}
	meta := map[string]string{}
	if c.accountID != "" {
		meta["crm_account_id"] = c.accountID
	}
	if _, err := st.CreateCustomer(stfake.Customer{ID: c.id, Email: c.email, Name: c.name, Currency: cur,
		Created: first.Unix(), Metadata: meta}); err != nil {
		return fmt.Errorf("demo stripe customer %s: %w", c.id, err)
	}
	for _, subID := range order {
		ps := bySub[subID]
		price := make([]string, len(ps))
		for i, p := range ps {
			id, err := s.price(p.plan, cur, p.mrr)
			if err != nil {
				return fmt.Errorf("demo stripe subscription %s: %w", subID, err)
			}
			price[i] = id
		}
		start, end := ps[0].start, ps[len(ps)-1].end
		sub := stfake.Subscription{ID: subID, Customer: c.id, Currency: cur, Created: start.Unix(), StartDate: start.Unix(),
			Items: []stfake.SubscriptionItem{{Price: price[len(ps)-1], Quantity: 1, Created: start.Unix()}}}
		if ps[0].status == "trialing" {
			sub.TrialStart = start.Unix()
			if !ps[0].end.IsZero() {
				sub.TrialEnd = ps[0].end.Unix()
			}
		}
		switch {
		case !end.IsZero() && end.Before(s.asOf.Add(day)):
			sub.Status, sub.CanceledAt, sub.EndedAt = "canceled", end.Unix(), end.Unix()
		case ps[len(ps)-1].status == "trialing":
			sub.Status = "trialing"
		}
		created, err := st.CreateSubscription(sub)
		if err != nil {
			return fmt.Errorf("demo stripe subscription %s: %w", subID, err)
		}
		item := created.Items[0].ID
		for i, p := range ps {
			for from := p.start; from.Before(s.asOf) && (p.end.IsZero() || from.Before(p.end)); {
				to := from.AddDate(0, 1, 0)
				if !p.end.IsZero() && p.end.Before(to) {
					to = p.end
				}
				if _, err := st.CreateInvoice(stfake.Invoice{Customer: c.id, Subscription: subID, Status: "paid",
					Currency: cur, Created: from.Unix(), PeriodStart: from.Unix(), PeriodEnd: to.Unix(),
					Lines: []stfake.InvoiceLine{{Price: price[i], Quantity: 1, Amount: p.mrr, PeriodStart: from.Unix(),
						PeriodEnd: to.Unix(), Subscription: subID, SubscriptionItem: item}}}); err != nil {
					return fmt.Errorf("demo stripe invoice of %s for %s: %w", subID, from.Format(time.DateOnly), err)
				}
				from = to
			}
		}
	}
	return nil
}

// price returns the Stripe price of a plan at a monthly amount in a currency, creating the
// plan's product and the price on first use.
func (s *vendorSeeder) price(plan, currency string, mrr int64) (string, error) {
	key := plan + "/" + currency + "/" + strconv.FormatInt(mrr, 10)
	if id, ok := s.prices[key]; ok {
		return id, nil
	}
	prod, ok := s.products[plan]
	if !ok {
		p, err := s.v.Stripe.CreateProduct(stfake.Product{Name: plan, Created: s.asOf.AddDate(-4, 0, 0).Unix()})
		if err != nil {
			return "", fmt.Errorf("product %s: %w", plan, err)
		}
		prod, s.products[plan] = p.ID, p.ID
	}
	p, err := s.v.Stripe.CreatePrice(stfake.Price{Product: prod, Currency: currency, UnitAmount: mrr, Interval: "month",
		IntervalCount: 1, Nickname: plan, Created: s.asOf.AddDate(-4, 0, 0).Unix()})
	if err != nil {
		return "", fmt.Errorf("price of %s: %w", plan, err)
	}
	s.prices[key] = p.ID
	return p.ID, nil
}
