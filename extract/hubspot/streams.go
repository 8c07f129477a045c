package hubspot

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/extensions"
)

// kind is a column's type.
type kind int

const (
	kString    kind = iota // utf8
	kTimestamp             // timestamp[us, UTC]
	kFloat                 // float64
	kDecimal               // decimal128(18,2): money
	kBool                  // boolean
	kInt                   // int64
	kJSON                  // JSON text (the arrow.json extension over utf8)
)

// from says where a column's value comes from.
type from int

const (
	fromProp       from = iota // a HubSpot property (prop, or byObject[object type])
	fromID                     // the record id
	fromType                   // the engagement type (call, email, …)
	fromCreated                // createdAt
	fromUpdated                // the last-modified property (updatedAt when absent)
	fromArchived               // archived
	fromArchivedAt             // archivedAt
	fromAssoc                  // the id of the associated record of type assoc
	fromExtra                  // every other property returned, as a JSON object
)

// column is one column of an object stream.
type column struct {
	name     string
	kind     kind
	from     from
	prop     string            // fromProp: the property, for every object type
	byObject map[string]string // fromProp: the property per object type (overrides prop)
	assoc    string            // fromAssoc: the associated object type
}

// property returns the column's property for an object type ("" when it has none).
func (c column) property(object string) string {
	if c.from != fromProp {
		return ""
	}
	if p, ok := c.byObject[object]; ok {
		return p
	}
	return c.prop
}

func prop(name string, k kind) column { return column{name: name, kind: k, from: fromProp, prop: name} }

func renamed(name, property string, k kind) column {
	return column{name: name, kind: k, from: fromProp, prop: property}
}

// tail are the columns every CRM object stream ends with.
func tail() []column {
	return []column{
		{name: "created_at", kind: kTimestamp, from: fromCreated},
		{name: "updated_at", kind: kTimestamp, from: fromUpdated},
		{name: "archived", kind: kBool, from: fromArchived},
		{name: "archived_at", kind: kTimestamp, from: fromArchivedAt},
		{name: "_extra", kind: kJSON, from: fromExtra},
	}
}

func idColumn() column { return column{name: "id", kind: kString, from: fromID} }

// objectSpec describes a stream of CRM records (companies, contacts, deals, engagements).
type objectSpec struct {
	objects []string // the HubSpot object types read, in order
	columns []column
	key     []string
	// history makes the stream one row per change of a history property: of dealstage
	// (deal_stage_history), or of each of historyProps with byProperty (deal_property_history).
	history bool
	// historyProps are the properties whose history is read (propertiesWithHistory).
	historyProps []string
	// byProperty makes the rows (deal_id, property, changed_at, value, …).
	byProperty bool
}

func companyColumns() []column {
	cols := []column{idColumn(), prop("name", kString), prop("domain", kString), prop("industry", kString),
		prop("type", kString), prop("country", kString), prop("city", kString), prop("state", kString),
		prop("numberofemployees", kFloat), prop("annualrevenue", kDecimal), prop("lifecyclestage", kString),
		renamed("owner_id", "hubspot_owner_id", kString), renamed("parent_company_id", "hs_parent_company_id", kString)}
	return append(cols, tail()...)
}

// lifecycleStages are HubSpot's default lifecycle stages; each has a date-entered property.
func lifecycleStages() []string {
	return []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity",
		"customer", "evangelist", "other"}
}

func contactColumns() []column {
	cols := []column{idColumn(), prop("email", kString), prop("firstname", kString), prop("lastname", kString),
		prop("jobtitle", kString), prop("lifecyclestage", kString), prop("hs_lead_status", kString),
		renamed("owner_id", "hubspot_owner_id", kString), prop("associatedcompanyid", kString),
		{name: "company_id", kind: kString, from: fromAssoc, assoc: "companies"},
		prop("hs_analytics_source", kString), prop("hs_analytics_first_timestamp", kTimestamp),
		prop("country", kString)}
	for _, st := range lifecycleStages() {
		cols = append(cols, prop("hs_lifecyclestage_"+st+"_date", kTimestamp))
	}
	return append(cols, tail()...)
}

func dealColumns() []column {
	cols := []column{idColumn(), prop("dealname", kString), prop("amount", kDecimal),
		prop("amount_in_home_currency", kDecimal), prop("deal_currency_code", kString),
		prop("closedate", kTimestamp), prop("dealstage", kString), prop("pipeline", kString),
		prop("dealtype", kString), prop("hs_is_closed", kBool), prop("hs_is_closed_won", kBool),
		prop("hs_deal_stage_probability", kFloat), prop("hs_forecast_probability", kFloat),
		prop("closed_lost_reason", kString), renamed("owner_id", "hubspot_owner_id", kString),
		{name: "company_id", kind: kString, from: fromAssoc, assoc: "companies"}}
	return append(cols, tail()...)
}

func engagementColumns() []column {
	cols := []column{
		idColumn(),
		{name: "engagement_type", kind: kString, from: fromType},
		renamed("occurred_at", "hs_timestamp", kTimestamp),
		renamed("owner_id", "hubspot_owner_id", kString),
		{name: "title", kind: kString, from: fromProp, byObject: map[string]string{"calls": "hs_call_title",
			"emails": "hs_email_subject", "meetings": "hs_meeting_title", "tasks": "hs_task_subject"}},
		{name: "direction", kind: kString, from: fromProp, byObject: map[string]string{"calls": "hs_call_direction",
			"emails": "hs_email_direction"}},
		{name: "status", kind: kString, from: fromProp, byObject: map[string]string{"calls": "hs_call_status",
			"emails": "hs_email_status", "meetings": "hs_meeting_outcome", "tasks": "hs_task_status"}},
		{name: "contact_id", kind: kString, from: fromAssoc, assoc: "contacts"},
		{name: "company_id", kind: kString, from: fromAssoc, assoc: "companies"},
		{name: "deal_id", kind: kString, from: fromAssoc, assoc: "deals"},
	}
	return append(cols, tail()...)
}

// historyColumns are deal_stage_history's columns: one row per change of a deal's dealstage.
func historyColumns() []column {
	return []column{
		{name: "deal_id", kind: kString},
		{name: "stage", kind: kString},
		{name: "changed_at", kind: kTimestamp},
		{name: "source_type", kind: kString},
		{name: "source_id", kind: kString},
		{name: "updated_by_user_id", kind: kInt},
		{name: "deal_updated_at", kind: kTimestamp},
	}
}

// propertyHistoryColumns are deal_property_history's columns: one row per change of one of a
// deal's history properties (dealstage, amount, closedate), its value as HubSpot's text.
func propertyHistoryColumns() []column {
	return []column{
		{name: "deal_id", kind: kString},
		{name: "property", kind: kString},
		{name: "changed_at", kind: kTimestamp},
		{name: "value", kind: kString},
		{name: "source_type", kind: kString},
		{name: "source_id", kind: kString},
		{name: "updated_by_user_id", kind: kInt},
		{name: "deal_updated_at", kind: kTimestamp},
	}
}

// dealHistoryProps are the deal properties deal_property_history follows: what a pipeline
// snapshot needs to rebuild a deal as of any instant.
func dealHistoryProps() []string { return []string{"dealstage", "amount", "closedate"} }

func ownerColumns() []column {
	return []column{{name: "id", kind: kString}, {name: "email", kind: kString}, {name: "first_name", kind: kString},
		{name: "last_name", kind: kString}, {name: "user_id", kind: kInt}, {name: "type", kind: kString},
		{name: "team_id", kind: kString}, {name: "team_name", kind: kString}, {name: "created_at", kind: kTimestamp},
		{name: "updated_at", kind: kTimestamp}, {name: "archived", kind: kBool}, {name: "_extra", kind: kJSON}}
}

func stageColumns() []column {
	return []column{{name: "pipeline_id", kind: kString}, {name: "pipeline_label", kind: kString},
		{name: "pipeline_display_order", kind: kInt}, {name: "pipeline_archived", kind: kBool},
		{name: "stage_id", kind: kString}, {name: "stage_label", kind: kString}, {name: "display_order", kind: kInt},
		{name: "probability", kind: kFloat}, {name: "is_closed", kind: kBool}, {name: "archived", kind: kBool},
		{name: "created_at", kind: kTimestamp}, {name: "updated_at", kind: kTimestamp}, {name: "_extra", kind: kJSON}}
}

// arrowType returns a column kind's Arrow type.
func arrowType(k kind) arrow.DataType {
	switch k {
	case kTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case kFloat:
		return arrow.PrimitiveTypes.Float64
	case kDecimal:
		return &arrow.Decimal128Type{Precision: 18, Scale: 2}
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kInt:
		return arrow.PrimitiveTypes.Int64
	case kJSON:
		t, _ := extensions.NewJSONType(arrow.BinaryTypes.String) // String is a supported storage
		return t
	}
	return arrow.BinaryTypes.String
}

// schemaOf builds a stream's schema; key columns are not nullable.
func schemaOf(cols []column, key []string) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		nullable := true
		for _, k := range key {
			nullable = nullable && k != c.name
		}
		fields[i] = arrow.Field{Name: c.name, Type: arrowType(c.kind), Nullable: nullable}
	}
	return arrow.NewSchema(fields, nil)
}
