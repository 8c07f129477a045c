package fake

// store.go: the lead database behind the Server — the describe fields, the leads, the activity
// log (ordered by activityDate, then id) and the activity types — with the Go API that seeds and
// mutates it. Every mutation records the activity Marketo would record.

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Field is a lead field as leads/describe.json lists it.
type Field struct {
	ID int `json:"id"`
	// Name is the field's REST name (rest.name), e.g. leadStatus.
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	// DataType is Marketo's type: string, email, text, phone, url, reference, integer, score,
	// float, percent, currency, boolean, date, datetime (any other is served as is).
	DataType string `json:"dataType"`
	Length   int    `json:"length,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

// Lead is a lead record. The standard fields have their own members; every other field (a
// describe field such as leadScore, annualRevenue, or a custom field added with AddField) is in
// Fields under its REST name.
type Lead struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email,omitempty"`
	FirstName  string    `json:"firstName,omitempty"`
	LastName   string    `json:"lastName,omitempty"`
	Company    string    `json:"company,omitempty"`
	LeadStatus string    `json:"leadStatus,omitempty"`
	LeadSource string    `json:"leadSource,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
	// Fields holds the other fields' values: int64 (integer, score), float64 (float, percent),
	// string (text types, and currency as decimal text such as "1250.5"), bool, time.Time (date:
	// midnight UTC; datetime: whole seconds, UTC). AddLead and UpdateLead normalize what they get.
	Fields map[string]any `json:"fields,omitempty"`
}

// standardFields are the fields with their own Lead members.
func standardFields() []string {
	return []string{"id", "email", "firstName", "lastName", "company", "leadStatus", "leadSource", "createdAt", "updatedAt"}
}

// Value returns the value of the field with REST name name (nil when unset or empty).
func (l Lead) Value(name string) any {
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	switch name {
	case "id":
		return l.ID
	case "email":
		return str(l.Email)
	case "firstName":
		return str(l.FirstName)
	case "lastName":
		return str(l.LastName)
	case "company":
		return str(l.Company)
	case "leadStatus":
		return str(l.LeadStatus)
	case "leadSource":
		return str(l.LeadSource)
	case "createdAt":
		return l.CreatedAt
	case "updatedAt":
		return l.UpdatedAt
	}
	return l.Fields[name]
}

// set assigns a standard or other field (values already normalized).
func (l *Lead) set(name string, v any) {
	s, _ := v.(string)
	switch name {
	case "email":
		l.Email = s
	case "firstName":
		l.FirstName = s
	case "lastName":
		l.LastName = s
	case "company":
		l.Company = s
	case "leadStatus":
		l.LeadStatus = s
	case "leadSource":
		l.LeadSource = s
	default:
		if v == nil {
			delete(l.Fields, name)
			return
		}
		if l.Fields == nil {
			l.Fields = map[string]any{}
		}
		l.Fields[name] = v
	}
}

func (l Lead) clone() Lead {
	out := l
	if l.Fields != nil {
		out.Fields = make(map[string]any, len(l.Fields))
		for k, v := range l.Fields {
			out.Fields[k] = v
		}
	}
	return out
}

// Attribute is one name/value pair of an activity's attributes.
type Attribute struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Activity is one entry of the activity log.
type Activity struct {
	// ID and MarketoGUID are assigned by AddActivity (the GUID is the id as text, as in older
	// subscriptions).
	ID           int64     `json:"id"`
	MarketoGUID  string    `json:"marketoGUID"`
	LeadID       int64     `json:"leadId"`
	ActivityDate time.Time `json:"activityDate"`
	TypeID       int       `json:"activityTypeId"`
	// CampaignID and PrimaryAttributeValueID: 0 is null.
	CampaignID              int64       `json:"campaignId,omitempty"`
	PrimaryAttributeValueID int64       `json:"primaryAttributeValueId,omitempty"`
	PrimaryAttributeValue   string      `json:"primaryAttributeValue,omitempty"`
	Attributes              []Attribute `json:"attributes,omitempty"`
	// field is the REST name of the field a Change Data Value activity changed (leadchanges).
	field string
}

func (a Activity) clone() Activity {
	a.Attributes = slices.Clone(a.Attributes)
	return a
}

// Attr returns the value of the attribute named name, or nil.
func (a Activity) Attr(name string) any {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at.Value
		}
	}
	return nil
}

// TypeAttribute describes an attribute of an activity type.
type TypeAttribute struct {
	Name     string `json:"name"`
	DataType string `json:"dataType"`
}

// ActivityType is an entry of activities/types.json.
type ActivityType struct {
	ID               int             `json:"id"`
	Name             string          `json:"name"`
	Description      string          `json:"description,omitempty"`
	PrimaryAttribute *TypeAttribute  `json:"primaryAttribute,omitempty"`
	Attributes       []TypeAttribute `json:"attributes,omitempty"`
}

// Activity type ids the fake defines. Ids 1, 2, 12 and 13 are documented by Marketo; the others
// are as commonly seen in subscriptions [I]: add or override types with AddActivityType.
const (
	TypeVisitWebpage              = 1
	TypeFillOutForm               = 2
	TypeClickLink                 = 3
	TypeSendEmail                 = 6
	TypeOpenEmail                 = 10
	TypeClickEmail                = 11
	TypeNewLead                   = 12
	TypeChangeDataValue           = 13
	TypeChangeScore               = 22
	TypeDeleteLead                = 37
	TypeChangeRevenueStage        = 101
	TypeChangeStatusInProgression = 104
)

// Deletion is a deleted lead, as deletedleads.json reports it.
type Deletion struct {
	LeadID      int64     `json:"leadId"`
	DeletedAt   time.Time `json:"deletedAt"`
	ActivityID  int64     `json:"activityId"`
	MarketoGUID string    `json:"marketoGUID"`
}

// Truth is the fake's ground truth.
type Truth struct {
	// Leads are the live leads, by id.
	Leads []Lead `json:"leads"`
	// Deleted are the deleted leads, in deletion order.
	Deleted []Deletion `json:"deleted"`
	// Activities is the activity log in (activityDate, id) order, without Delete Lead entries
	// (those are served by deletedleads.json only).
	Activities    []Activity     `json:"activities"`
	ActivityTypes []ActivityType `json:"activityTypes"`
	Fields        []Field        `json:"fields"`
}

// store is the lead database; the Server's mutex guards it.
type store struct {
	fields     []Field
	leads      map[int64]*Lead
	nextLead   int64
	log        []*Activity // sorted by (ActivityDate, ID)
	nextAct    int64
	types      map[int]ActivityType
	deleted    []Deletion
	progStatus map[string]string // leadID/program → current status (Change Status in Progression)
	revStage   map[string]string // leadID/model → current stage
}

func newStore() *store {
	st := &store{leads: map[int64]*Lead{}, nextLead: 1, nextAct: 1000, types: map[int]ActivityType{},
		progStatus: map[string]string{}, revStage: map[string]string{}}
	for i, f := range []Field{
		{Name: "id", DisplayName: "Id", DataType: "integer", ReadOnly: true},
		{Name: "email", DisplayName: "Email Address", DataType: "email", Length: 255},
		{Name: "firstName", DisplayName: "First Name", DataType: "string", Length: 255},
		{Name: "lastName", DisplayName: "Last Name", DataType: "string", Length: 255},
		{Name: "company", DisplayName: "Company Name", DataType: "string", Length: 255},
		{Name: "title", DisplayName: "Job Title", DataType: "string", Length: 255},
		{Name: "phone", DisplayName: "Phone Number", DataType: "phone", Length: 255},
		{Name: "leadStatus", DisplayName: "Lead Status", DataType: "string", Length: 255},
		{Name: "leadSource", DisplayName: "Lead Source", DataType: "string", Length: 255},
		{Name: "leadScore", DisplayName: "Lead Score", DataType: "score"},
		{Name: "annualRevenue", DisplayName: "Annual Revenue", DataType: "currency"},
		{Name: "numberOfEmployees", DisplayName: "Num Employees", DataType: "integer"},
		{Name: "unsubscribed", DisplayName: "Unsubscribed", DataType: "boolean"},
		{Name: "dateOfBirth", DisplayName: "Date of Birth", DataType: "date"},
		{Name: "createdAt", DisplayName: "Created At", DataType: "datetime", ReadOnly: true},
		{Name: "updatedAt", DisplayName: "Updated At", DataType: "datetime", ReadOnly: true},
	} {
		f.ID = i + 1
		st.fields = append(st.fields, f)
	}
	str := func(n string) TypeAttribute { return TypeAttribute{Name: n, DataType: "string"} }
	for _, t := range []ActivityType{
		{ID: TypeVisitWebpage, Name: "Visit Webpage", Description: "User visits a web page",
			PrimaryAttribute: &TypeAttribute{"Webpage ID", "integer"},
			Attributes:       []TypeAttribute{str("Client IP Address"), str("Query Parameters"), str("Referrer URL"), str("User Agent"), str("Webpage URL")}},
		{ID: TypeFillOutForm, Name: "Fill Out Form", Description: "User fills out and submits form on web page",
			PrimaryAttribute: &TypeAttribute{"Webform ID", "integer"},
			Attributes:       []TypeAttribute{str("Client IP Address"), {"Form Fields", "text"}, str("Query Parameters"), str("Referrer URL"), str("User Agent"), {"Webpage ID", "integer"}}},
		{ID: TypeClickLink, Name: "Click Link", Description: "User clicks link on a page",
			PrimaryAttribute: &TypeAttribute{"Link ID", "integer"}, Attributes: []TypeAttribute{str("Referrer URL")}},
		{ID: TypeSendEmail, Name: "Send Email", Description: "Send Marketo Email to a person",
			PrimaryAttribute: &TypeAttribute{"Mailing ID", "integer"}, Attributes: []TypeAttribute{{"Campaign Run ID", "integer"}, {"Step ID", "integer"}}},
		{ID: TypeOpenEmail, Name: "Open Email", Description: "User opens Marketo Email",
			PrimaryAttribute: &TypeAttribute{"Mailing ID", "integer"}, Attributes: []TypeAttribute{str("Device"), {"Is Mobile Device", "boolean"}}},
		{ID: TypeClickEmail, Name: "Click Email", Description: "User clicks on a link in a Marketo Email",
			PrimaryAttribute: &TypeAttribute{"Mailing ID", "integer"}, Attributes: []TypeAttribute{str("Link"), str("Device")}},
		{ID: TypeNewLead, Name: "New Lead", Description: "New person/record is added to the lead database",
			PrimaryAttribute: &TypeAttribute{"Lead ID", "integer"}, Attributes: []TypeAttribute{str("Source Type"), str("Form Name"), str("Lead Source"), str("List Name")}},
		{ID: TypeChangeDataValue, Name: "Change Data Value", Description: "Changed attribute value for a person",
			PrimaryAttribute: &TypeAttribute{"Attribute Name", "integer"}, Attributes: []TypeAttribute{str("New Value"), str("Old Value"), str("Reason"), str("Source")}},
		{ID: TypeChangeScore, Name: "Change Score", Description: "Changed score value for a person",
			PrimaryAttribute: &TypeAttribute{"Score Name", "integer"}, Attributes: []TypeAttribute{str("Change Value"), {"New Value", "integer"}, {"Old Value", "integer"}, str("Reason")}},
		{ID: TypeDeleteLead, Name: "Delete Lead", Description: "Delete person from the lead database",
			PrimaryAttribute: &TypeAttribute{"Lead ID", "integer"}, Attributes: []TypeAttribute{str("Reason")}},
		{ID: TypeChangeRevenueStage, Name: "Change Revenue Stage", Description: "Changes revenue stage for a person",
			PrimaryAttribute: &TypeAttribute{"Model ID", "integer"}, Attributes: []TypeAttribute{str("New Stage"), str("Old Stage"), str("Reason")}},
		{ID: TypeChangeStatusInProgression, Name: "Change Status in Progression", Description: "Change a person's program status",
			PrimaryAttribute: &TypeAttribute{"Program ID", "integer"}, Attributes: []TypeAttribute{str("New Status"), str("Old Status"), str("Reason"), {"Success", "boolean"}}},
	} {
		st.types[t.ID] = t
	}
	return st
}

func (st *store) field(name string) (Field, bool) {
	for _, f := range st.fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// normalize converts v to the canonical Go type of field f (see Lead.Fields).
func normalize(f Field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func() (any, error) {
		return nil, fmt.Errorf("marketo fake: field %s (%s): cannot use %v (%T)", f.Name, f.DataType, v, v)
	}
	switch f.DataType {
	case "integer", "score", "reference":
		if f.DataType == "reference" {
			if s, ok := v.(string); ok {
				return s, nil
			}
		}
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64:
			return x, nil
		case float64:
			if x == float64(int64(x)) {
				return int64(x), nil
			}
		case json.Number:
			if i, err := x.Int64(); err == nil {
				return i, nil
			}
		case string:
			if i, err := strconv.ParseInt(x, 10, 64); err == nil {
				return i, nil
			}
		}
		return bad()
	case "float", "percent":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case int64:
			return float64(x), nil
		case json.Number:
			if f, err := x.Float64(); err == nil {
				return f, nil
			}
		}
		return bad()
	case "currency":
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case json.Number:
			text = x.String()
		case float64:
			text = strconv.FormatFloat(x, 'f', -1, 64)
		case int:
			text = strconv.Itoa(x)
		case int64:
			text = strconv.FormatInt(x, 10)
		default:
			return bad()
		}
		if _, ok := new(big.Rat).SetString(text); !ok || strings.ContainsAny(text, "/eE") {
			return bad()
		}
		return text, nil
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return bad()
	case "date":
		switch x := v.(type) {
		case time.Time:
			y, m, d := x.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
		case string:
			t, err := time.Parse(time.DateOnly, x)
			if err == nil {
				return t, nil
			}
		}
		return bad()
	case "datetime":
		switch x := v.(type) {
		case time.Time:
			return x.UTC().Truncate(time.Second), nil
		case string:
			t, err := time.Parse(time.RFC3339, x)
			if err == nil {
				return t.UTC().Truncate(time.Second), nil
			}
		}
		return bad()
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return bad()
}

// addLead validates and stores l, and records its New Lead activity.
func (st *store) addLead(l Lead, now time.Time) (Lead, error) {
	if l.ID == 0 {
		l.ID = st.nextLead
	}
	if l.ID < 0 {
		return Lead{}, fmt.Errorf("marketo fake: lead id %d is negative", l.ID)
	}
	if _, dup := st.leads[l.ID]; dup {
		return Lead{}, fmt.Errorf("marketo fake: lead %d already exists", l.ID)
	}
	for _, d := range st.deleted {
		if d.LeadID == l.ID {
			return Lead{}, fmt.Errorf("marketo fake: lead id %d was deleted; ids are never reused", l.ID)
		}
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now
	}
	l.CreatedAt = l.CreatedAt.UTC().Truncate(time.Second)
	if l.UpdatedAt.IsZero() || l.UpdatedAt.Before(l.CreatedAt) {
		l.UpdatedAt = l.CreatedAt
	}
	l.UpdatedAt = l.UpdatedAt.UTC().Truncate(time.Second)
	fields := l.Fields
	l.Fields = nil
	for _, name := range sortedKeys(fields) {
		if slices.Contains(standardFields(), name) {
			return Lead{}, fmt.Errorf("marketo fake: lead %d: %s is a standard field: set the Lead member", l.ID, name)
		}
		f, ok := st.field(name)
		if !ok {
			return Lead{}, fmt.Errorf("marketo fake: lead %d: no field %q (AddField first)", l.ID, name)
		}
		v, err := normalize(f, fields[name])
		if err != nil {
			return Lead{}, err
		}
		l.set(name, v)
	}
	stored := l.clone()
	st.leads[l.ID] = &stored
	if l.ID >= st.nextLead {
		st.nextLead = l.ID + 1
	}
	src := l.LeadSource
	if src == "" {
		src = "Web"
	}
	st.addActivity(Activity{LeadID: l.ID, ActivityDate: l.CreatedAt, TypeID: TypeNewLead,
		PrimaryAttributeValueID: l.ID, PrimaryAttributeValue: strings.TrimSpace(l.FirstName + " " + l.LastName),
		Attributes: []Attribute{{"Source Type", "New lead"}, {"Lead Source", src}}})
	return l.clone(), nil
}

// updateLead applies changes (REST name → value) at time at, recording a Change Data Value per
// changed field, and moves updatedAt.
func (st *store) updateLead(id int64, at time.Time, changes map[string]any, reason string) error {
	l := st.leads[id]
	if l == nil {
		return fmt.Errorf("marketo fake: no lead %d", id)
	}
	norm := map[string]any{}
	for _, name := range sortedKeys(changes) {
		f, ok := st.field(name)
		switch {
		case !ok:
			return fmt.Errorf("marketo fake: lead %d: no field %q", id, name)
		case f.ReadOnly:
			return fmt.Errorf("marketo fake: lead %d: field %s is read-only", id, name)
		}
		v, err := normalize(f, changes[name])
		if err != nil {
			return err
		}
		norm[name] = v
	}
	at = at.UTC().Truncate(time.Second)
	changed := false
	for _, name := range sortedKeys(norm) {
		f, _ := st.field(name)
		old, v := l.Value(name), norm[name]
		if fmt.Sprint(old) == fmt.Sprint(v) {
			continue
		}
		l.set(name, v)
		changed = true
		st.addActivity(Activity{LeadID: id, ActivityDate: at, TypeID: TypeChangeDataValue,
			PrimaryAttributeValueID: int64(f.ID), PrimaryAttributeValue: f.DisplayName, field: name,
			Attributes: []Attribute{{"New Value", render(f, v)}, {"Old Value", render(f, old)},
				{"Reason", reason}, {"Source", "Web service API"}}})
	}
	if changed && at.After(l.UpdatedAt) {
		l.UpdatedAt = at
	}
	return nil
}

// render is a field value as activity attributes and CSV files show it (nil stays nil).
func render(f Field, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if f.DataType == "date" {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// deleteLead removes a lead and records its Delete Lead activity.
func (st *store) deleteLead(id int64, at time.Time) error {
	l := st.leads[id]
	if l == nil {
		return fmt.Errorf("marketo fake: no lead %d", id)
	}
	delete(st.leads, id)
	a := st.addActivity(Activity{LeadID: id, ActivityDate: at.UTC().Truncate(time.Second), TypeID: TypeDeleteLead,
		PrimaryAttributeValueID: id, PrimaryAttributeValue: strings.TrimSpace(l.FirstName + " " + l.LastName),
		Attributes: []Attribute{{"Reason", "Deleted via API"}}})
	st.deleted = append(st.deleted, Deletion{LeadID: id, DeletedAt: a.ActivityDate, ActivityID: a.ID, MarketoGUID: a.MarketoGUID})
	return nil
}

// addActivity assigns the id and GUID and inserts a into the log in (date, id) order.
func (st *store) addActivity(a Activity) *Activity {
	st.nextAct++
	a.ID = st.nextAct
	a.MarketoGUID = strconv.FormatInt(a.ID, 10)
	a.ActivityDate = a.ActivityDate.UTC().Truncate(time.Second)
	p := &a
	i := sort.Search(len(st.log), func(i int) bool { return after(st.log[i], p.ActivityDate, p.ID) })
	st.log = slices.Insert(st.log, i, p)
	return p
}

// after reports whether activity a comes after the position (t, id).
func after(a *Activity, t time.Time, id int64) bool {
	if !a.ActivityDate.Equal(t) {
		return a.ActivityDate.After(t)
	}
	return a.ID > id
}

// truth returns a deep copy of the ground truth.
func (st *store) truth() Truth {
	var out Truth
	for _, id := range sortedKeys(st.leads) {
		out.Leads = append(out.Leads, st.leads[id].clone())
	}
	out.Deleted = slices.Clone(st.deleted)
	for _, a := range st.log {
		if a.TypeID != TypeDeleteLead {
			out.Activities = append(out.Activities, a.clone())
		}
	}
	for _, id := range sortedKeys(st.types) {
		t := st.types[id]
		t.Attributes = slices.Clone(t.Attributes)
		out.ActivityTypes = append(out.ActivityTypes, t)
	}
	out.Fields = slices.Clone(st.fields)
	return out
}

func sortedKeys[K int | int64 | string, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
