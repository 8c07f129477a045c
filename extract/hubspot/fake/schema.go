package fake

import "strings"

// objectType describes one CRM object type the fake serves.
type objectType struct {
	name     string // the plural name in paths: contacts, companies, deals, calls, …
	typeID   string // the numeric object type id (0-1 contacts, 0-2 companies, 0-3 deals, …)
	singular string // contact, company, deal, call, … (association type names, error messages)
	modProp  string // the last-modified property: lastmodifieddate for contacts, else hs_lastmodifieddate
	// createProp is the creation property: createdate for contacts, companies and deals,
	// hs_createdate for engagements.
	createProp string
	// defaults are the properties returned when a request names none.
	defaults []string
	// props are the built-in property definitions (name → HubSpot type).
	props []propDef
}

// propDef is a property definition as GET /crm/v3/properties/{type} describes it.
type propDef struct {
	name      string
	typ       string // string, number, date, datetime, enumeration, bool, phone_number
	fieldType string // text, number, date, select, booleancheckbox, …
}

// objectTypes returns the object types the fake serves, by plural name.
func objectTypes() map[string]objectType {
	dt := func(n string) propDef { return propDef{n, "datetime", "date"} }
	str := func(n string) propDef { return propDef{n, "string", "text"} }
	num := func(n string) propDef { return propDef{n, "number", "number"} }
	enum := func(n string) propDef { return propDef{n, "enumeration", "select"} }
	boolean := func(n string) propDef { return propDef{n, "bool", "booleancheckbox"} }
	common := func(create, mod string) []propDef {
		return []propDef{num("hs_object_id"), dt(create), dt(mod), enum("hubspot_owner_id")}
	}
	contactProps := append(common("createdate", "lastmodifieddate"),
		str("email"), str("firstname"), str("lastname"), str("jobtitle"), str("phone"), str("company"),
		enum("lifecyclestage"), enum("hs_lead_status"), num("associatedcompanyid"),
		dt("hs_lifecyclestage_subscriber_date"), dt("hs_lifecyclestage_lead_date"),
		dt("hs_lifecyclestage_marketingqualifiedlead_date"), dt("hs_lifecyclestage_salesqualifiedlead_date"),
		dt("hs_lifecyclestage_opportunity_date"), dt("hs_lifecyclestage_customer_date"),
		dt("hs_lifecyclestage_evangelist_date"), dt("hs_lifecyclestage_other_date"),
		enum("hs_analytics_source"), str("hs_analytics_source_data_1"), dt("hs_analytics_first_timestamp"),
		str("country"), str("city"))
	companyProps := append(common("createdate", "hs_lastmodifieddate"),
		str("name"), str("domain"), enum("industry"), enum("type"), str("country"), str("city"), str("state"),
		num("numberofemployees"), num("annualrevenue"), enum("lifecyclestage"), num("hs_parent_company_id"))
	dealProps := append(common("createdate", "hs_lastmodifieddate"),
		str("dealname"), num("amount"), num("amount_in_home_currency"), enum("deal_currency_code"),
		dt("closedate"), enum("dealstage"), enum("pipeline"), enum("dealtype"), boolean("hs_is_closed"),
		boolean("hs_is_closed_won"), num("hs_deal_stage_probability"), num("hs_forecast_probability"),
		enum("closed_lost_reason"), dt("hs_closed_won_date"))
	engagement := func(extra ...propDef) []propDef {
		return append(common("hs_createdate", "hs_lastmodifieddate"), append([]propDef{dt("hs_timestamp")}, extra...)...)
	}
	eng := func(name, id, singular string, props []propDef, defaults ...string) objectType {
		return objectType{name: name, typeID: id, singular: singular, modProp: "hs_lastmodifieddate",
			createProp: "hs_createdate", props: props,
			defaults: append([]string{"hs_createdate", "hs_lastmodifieddate", "hs_object_id", "hs_timestamp"}, defaults...)}
	}
	types := []objectType{
		{name: "contacts", typeID: "0-1", singular: "contact", modProp: "lastmodifieddate", createProp: "createdate",
			props: contactProps, defaults: []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}},
		{name: "companies", typeID: "0-2", singular: "company", modProp: "hs_lastmodifieddate", createProp: "createdate",
			props: companyProps, defaults: []string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"}},
		{name: "deals", typeID: "0-3", singular: "deal", modProp: "hs_lastmodifieddate", createProp: "createdate",
			props: dealProps, defaults: []string{"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"}},
		eng("calls", "0-48", "call", engagement(str("hs_call_title"), enum("hs_call_direction"), enum("hs_call_status"),
			num("hs_call_duration"), str("hs_call_body")), "hs_call_title", "hs_call_direction"),
		eng("emails", "0-49", "email", engagement(str("hs_email_subject"), enum("hs_email_direction"),
			enum("hs_email_status"), str("hs_email_text")), "hs_email_subject", "hs_email_direction"),
		eng("meetings", "0-47", "meeting", engagement(str("hs_meeting_title"), enum("hs_meeting_outcome"),
			dt("hs_meeting_start_time"), dt("hs_meeting_end_time")), "hs_meeting_title", "hs_meeting_outcome"),
		eng("notes", "0-46", "note", engagement(str("hs_note_body"))),
		eng("tasks", "0-27", "task", engagement(str("hs_task_subject"), enum("hs_task_status"), enum("hs_task_type"),
			enum("hs_task_priority")), "hs_task_subject", "hs_task_status"),
	}
	out := make(map[string]objectType, len(types))
	for _, t := range types {
		out[t.name] = t
	}
	return out
}

// resolveType maps a path's object type (a name, singular, or numeric id) to its plural name.
func resolveType(types map[string]objectType, s string) (objectType, bool) {
	s = strings.ToLower(s)
	if t, ok := types[s]; ok {
		return t, true
	}
	for _, t := range types {
		if t.typeID == s || t.singular == s {
			return t, true
		}
	}
	return objectType{}, false
}

// assocTypeID returns HubSpot's default (HUBSPOT_DEFINED) association type id from one object
// type to another, and its v3 name. Contact→company and deal→company are the primary labels.
// The ids are those HubSpot documents for its default associations [I: check per portal].
func assocTypeID(types map[string]objectType, from, to string) (int, string) {
	ids := map[string]int{
		"contacts>companies": 1, "companies>contacts": 2, "deals>contacts": 3, "contacts>deals": 4,
		"deals>companies": 5, "companies>deals": 6,
		"companies>calls": 181, "calls>companies": 182, "companies>emails": 185, "emails>companies": 186,
		"companies>meetings": 187, "meetings>companies": 188, "companies>notes": 189, "notes>companies": 190,
		"companies>tasks": 191, "tasks>companies": 192, "contacts>calls": 193, "calls>contacts": 194,
		"contacts>emails": 197, "emails>contacts": 198, "contacts>meetings": 199, "meetings>contacts": 200,
		"contacts>notes": 201, "notes>contacts": 202, "contacts>tasks": 203, "tasks>contacts": 204,
		"deals>calls": 205, "calls>deals": 206, "deals>emails": 209, "emails>deals": 210,
		"deals>meetings": 211, "meetings>deals": 212, "deals>notes": 213, "notes>deals": 214,
		"deals>tasks": 215, "tasks>deals": 216,
	}
	name := types[from].singular + "_to_" + types[to].singular
	return ids[from+">"+to], name
}
