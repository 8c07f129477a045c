package fake

import (
	"fmt"
	"strings"
)

// Field describes one field of an object, as describe reports it. Only Name and Type are
// required; the other describe attributes are derived from them when rendered.
type Field struct {
	Name string `json:"name"`
	// Type is the describe type: id, reference, string, picklist, multipicklist, combobox,
	// textarea, email, phone, url, boolean, int, long, double, percent, currency, date,
	// datetime, time, base64, address, location.
	Type string `json:"type"`
	// Label defaults to Name.
	Label string `json:"label,omitempty"`
	// Precision and Scale apply to currency, double and percent (defaults 18 and 2).
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// Length applies to text types (default 255).
	Length int `json:"length,omitempty"`
	// ReferenceTo names the parent objects of a reference field.
	ReferenceTo []string `json:"referenceTo,omitempty"`
	// Custom marks a custom field (its name ends in __c).
	Custom bool `json:"custom,omitempty"`
}

// fieldTypes are the describe types the fake knows, with their SOAP types.
var soapTypes = map[string]string{
	"id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "picklist": "xsd:string",
	"multipicklist": "xsd:string", "combobox": "xsd:string", "textarea": "xsd:string",
	"email": "xsd:string", "phone": "xsd:string", "url": "xsd:string", "encryptedstring": "xsd:string",
	"boolean": "xsd:boolean", "int": "xsd:int", "long": "xsd:long", "double": "xsd:double",
	"percent": "xsd:double", "currency": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime",
	"time": "xsd:time", "base64": "xsd:base64Binary", "address": "urn:address", "location": "urn:location",
	"anyType": "xsd:anyType",
}

// objectDef is an object's static definition.
type objectDef struct {
	name      string
	keyPrefix string
	custom    bool
	fields    []Field
}

// standardObjects returns the objects every fake starts with. A field is written
// "Name:type", "Name:reference>Parent" or "Name:currency(18,2)".
func standardObjects() []objectDef {
	audit := []string{"CreatedDate:datetime", "CreatedById:reference>User", "LastModifiedDate:datetime",
		"LastModifiedById:reference>User", "SystemModstamp:datetime"}
	def := func(name, prefix string, fields ...string) objectDef {
		all := append(append([]string{}, fields...), audit...)
		o := objectDef{name: name, keyPrefix: prefix}
		for _, f := range all {
			o.fields = append(o.fields, parseFieldSpec(f))
		}
		return o
	}
	// OpportunityHistory has no LastModifiedDate (§1.11): it is defined without the audit set.
	history := objectDef{name: "OpportunityHistory", keyPrefix: "008"}
	for _, f := range []string{"Id:id", "OpportunityId:reference>Opportunity", "CreatedById:reference>User",
		"CreatedDate:datetime", "StageName:picklist", "Amount:currency", "ExpectedRevenue:currency",
		"CloseDate:date", "Probability:percent(3,0)", "ForecastCategory:picklist", "PrevAmount:currency",
		"PrevCloseDate:date", "SystemModstamp:datetime", "IsDeleted:boolean"} {
		history.fields = append(history.fields, parseFieldSpec(f))
	}
	return []objectDef{
		def("Account", "001", "Id:id", "IsDeleted:boolean", "MasterRecordId:reference>Account", "Name:string",
			"Type:picklist", "ParentId:reference>Account", "BillingStreet:textarea", "BillingCity:string",
			"BillingState:string", "BillingPostalCode:string", "BillingCountry:string", "BillingAddress:address",
			"Phone:phone", "Website:url", "Industry:picklist", "AnnualRevenue:currency",
			"NumberOfEmployees:int", "OwnerId:reference>User"),
		def("Contact", "003", "Id:id", "IsDeleted:boolean", "AccountId:reference>Account", "LastName:string",
			"FirstName:string", "Name:string", "MailingAddress:address", "Email:email", "Title:string",
			"LeadSource:picklist", "OwnerId:reference>User"),
		def("Lead", "00Q", "Id:id", "IsDeleted:boolean", "LastName:string", "FirstName:string", "Name:string",
			"Company:string", "Email:email", "Status:picklist", "LeadSource:picklist", "IsConverted:boolean",
			"ConvertedDate:date", "ConvertedAccountId:reference>Account", "ConvertedContactId:reference>Contact",
			"ConvertedOpportunityId:reference>Opportunity", "OwnerId:reference>User"),
		def("Opportunity", "006", "Id:id", "IsDeleted:boolean", "AccountId:reference>Account", "Name:string",
			"StageName:picklist", "Amount:currency", "Probability:percent(3,0)", "ExpectedRevenue:currency",
			"CloseDate:date", "Type:picklist", "LeadSource:picklist", "ForecastCategory:picklist",
			"ForecastCategoryName:picklist", "IsClosed:boolean", "IsWon:boolean", "FiscalYear:int",
			"FiscalQuarter:int", "NextStep:string", "Pricebook2Id:reference>Pricebook2", "HasOpportunityLineItem:boolean",
			"OwnerId:reference>User", "CampaignId:reference>Campaign"),
		history,
		def("OpportunityLineItem", "00k", "Id:id", "IsDeleted:boolean", "OpportunityId:reference>Opportunity",
			"SortOrder:int", "PricebookEntryId:reference>PricebookEntry", "Product2Id:reference>Product2",
			"ProductCode:string", "Name:string", "Quantity:double(12,2)", "TotalPrice:currency",
			"UnitPrice:currency", "ListPrice:currency", "Subtotal:currency", "Discount:percent",
			"ServiceDate:date", "Description:textarea"),
		def("User", "005", "Id:id", "Username:string", "LastName:string", "FirstName:string", "Name:string",
			"Email:email", "IsActive:boolean", "UserType:picklist", "ProfileId:reference>Profile",
			"UserRoleId:reference>UserRole", "ManagerId:reference>User", "TimeZoneSidKey:picklist"),
		def("Task", "00T", "Id:id", "WhoId:reference>Contact", "WhatId:reference>Account", "Subject:combobox",
			"ActivityDate:date", "Status:picklist", "Priority:picklist", "OwnerId:reference>User",
			"Description:textarea", "IsDeleted:boolean", "AccountId:reference>Account", "IsClosed:boolean",
			"TaskSubtype:picklist", "CallDurationInSeconds:int", "IsArchived:boolean"),
		def("Event", "00U", "Id:id", "WhoId:reference>Contact", "WhatId:reference>Account", "Subject:combobox",
			"Location:string", "IsAllDayEvent:boolean", "ActivityDateTime:datetime", "ActivityDate:date",
			"DurationInMinutes:int", "StartDateTime:datetime", "EndDateTime:datetime", "Description:textarea",
			"AccountId:reference>Account", "OwnerId:reference>User", "Type:picklist", "IsDeleted:boolean",
			"IsArchived:boolean"),
		def("OpportunityStage", "01J", "Id:id", "MasterLabel:string", "ApiName:string", "IsActive:boolean",
			"SortOrder:int", "IsClosed:boolean", "IsWon:boolean", "ForecastCategory:picklist",
			"ForecastCategoryName:picklist", "DefaultProbability:percent(3,0)", "Description:string"),
	}
}

// parseFieldSpec parses "Name:type", "Name:type>Parent" or "Name:type(p,s)"; it panics on a bad
// spec, which is a programming error in the catalogue above.
func parseFieldSpec(spec string) Field {
	name, typ, ok := strings.Cut(spec, ":")
	if !ok {
		panic("fake: bad field spec " + spec)
	}
	f := Field{Name: name}
	if t, parent, ok := strings.Cut(typ, ">"); ok {
		typ, f.ReferenceTo = t, []string{parent}
	}
	if t, ps, ok := strings.Cut(typ, "("); ok {
		typ = t
		if _, err := fmt.Sscanf(strings.TrimSuffix(ps, ")"), "%d,%d", &f.Precision, &f.Scale); err != nil {
			panic("fake: bad field spec " + spec)
		}
	}
	f.Type = typ
	return f
}

// normalizeField fills a field's defaults and checks its type.
func normalizeField(f Field) (Field, error) {
	if f.Name == "" {
		return f, fmt.Errorf("field has no name")
	}
	if _, ok := soapTypes[f.Type]; !ok {
		return f, fmt.Errorf("field %s: unknown type %q", f.Name, f.Type)
	}
	if f.Label == "" {
		f.Label = f.Name
	}
	switch f.Type {
	case "currency", "double", "percent":
		if f.Precision == 0 {
			f.Precision, f.Scale = 18, 2
		}
	case "string", "textarea", "picklist", "multipicklist", "combobox", "email", "phone", "url", "encryptedstring":
		if f.Length == 0 {
			f.Length = 255
		}
	case "id", "reference":
		f.Length = 18
	}
	f.Custom = f.Custom || strings.HasSuffix(f.Name, "__c")
	return f, nil
}

// describeField renders a field as describe does.
func describeField(f Field) map[string]any {
	var rel any
	if f.Type == "reference" && strings.HasSuffix(f.Name, "Id") && len(f.Name) > 2 {
		rel = strings.TrimSuffix(f.Name, "Id")
	} else if f.Type == "reference" && strings.HasSuffix(f.Name, "__c") {
		rel = strings.TrimSuffix(f.Name, "__c") + "__r"
	}
	refs := f.ReferenceTo
	if refs == nil {
		refs = []string{}
	}
	digits := 0
	if f.Type == "int" {
		digits = 9
	}
	if f.Type == "long" {
		digits = 18
	}
	system := f.Name == "Id" || f.Name == "IsDeleted" || f.Name == "SystemModstamp" ||
		f.Name == "CreatedDate" || f.Name == "LastModifiedDate" || f.Name == "CreatedById" || f.Name == "LastModifiedById"
	return map[string]any{
		"name": f.Name, "label": f.Label, "type": f.Type, "soapType": soapTypes[f.Type],
		"length": f.Length, "precision": f.Precision, "scale": f.Scale, "digits": digits,
		"byteLength": f.Length * 3, "nillable": f.Type != "boolean" && f.Name != "Id",
		"custom": f.Custom, "calculated": false, "filterable": f.Type != "textarea",
		"sortable": f.Type != "textarea" && f.Type != "multipicklist", "updateable": !system,
		"createable": !system, "externalId": false, "idLookup": f.Name == "Id", "unique": false,
		"referenceTo": refs, "relationshipName": rel, "picklistValues": []any{},
		"compoundFieldName": nil, "defaultValue": nil,
	}
}
