package salesforce

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/revops/revops/extract"
)

// filesBatchRows is how many rows of an export a batch gathers.
const filesBatchRows = 10_000

// filesSettings is a validated files block.
type filesSettings struct {
	dir         string
	pattern     string
	paths       map[string]string // lower-case object → path as configured
	describeDir string
}

// validate checks the files block against the configured objects, without I/O.
func (f *FilesConfig) validate(objects []string) (*filesSettings, []error) {
	var errs []error
	s := &filesSettings{dir: f.Dir, pattern: f.Pattern, paths: map[string]string{}, describeDir: f.DescribeDir}
	if strings.TrimSpace(s.dir) == "" {
		errs = append(errs, errors.New("files.dir is empty: name the folder that holds the exports"))
	}
	if s.pattern == "" {
		s.pattern = "{object}.csv"
	} else if !strings.Contains(s.pattern, "{object}") {
		errs = append(errs, fmt.Errorf("files.pattern %q must contain {object} (the sObject API name), e.g. {object}.csv", f.Pattern))
	}
	known := map[string]bool{}
	for _, o := range objects {
		known[strings.ToLower(o)] = true
	}
	for obj, p := range f.Paths {
		switch {
		case !known[strings.ToLower(obj)]:
			errs = append(errs, fmt.Errorf("files.paths: %s is not one of the objects extracted", obj))
		case strings.TrimSpace(p) == "":
			errs = append(errs, fmt.Errorf("files.paths.%s is empty", obj))
		}
		s.paths[strings.ToLower(obj)] = p
	}
	return s, errs
}

// resolve is a configured path: absolute as is, else under dir.
func (s *filesSettings) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// csvPath is the export of an object.
func (s *filesSettings) csvPath(object string) string {
	if p, ok := s.paths[strings.ToLower(object)]; ok {
		return s.resolve(p)
	}
	return s.resolve(strings.ReplaceAll(s.pattern, "{object}", object))
}

// describePath is the saved describe of an object ("" when describe_dir is not set).
func (s *filesSettings) describePath(object string) string {
	if s.describeDir == "" {
		return ""
	}
	return filepath.Join(s.resolve(s.describeDir), object+".json")
}

// csvFile is an open export: its header and the plan column each header column fills.
type csvFile struct {
	path   string
	f      *os.File
	cr     *csv.Reader
	header []string
	p      *plan
	// pos maps each plan column to its CSV column (-1: none).
	pos []int
	// deletedFalse: the plan has IsDeleted but the file does not, so every row is live (an
	// "Export", not an "Export All").
	deletedFalse bool
}

func (c *csvFile) close() { _ = c.f.Close() }

// openExport opens an object's export and plans its columns: from the saved describe when
// describe_dir is set, else from the header and the built-in types of standard fields.
func (src *Source) openExport(object string, wantDeleted bool) (*csvFile, error) {
	fs := src.set.files
	c := &csvFile{path: fs.csvPath(object)}
	f, err := os.Open(c.path)
	if err != nil {
		return nil, fmt.Errorf("open the %s export: %w (set files.paths.%s, or name it %s under files.dir)", object, err, object, strings.ReplaceAll(fs.pattern, "{object}", object))
	}
	c.f = f
	c.cr = csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	c.cr.ReuseRecord = true
	header, err := c.cr.Read()
	if errors.Is(err, io.EOF) {
		c.close()
		return nil, fmt.Errorf("%s: the file is empty: expected a header row of field names", c.path)
	}
	if err != nil {
		c.close()
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	c.header = append([]string(nil), header...)
	if len(c.header) > 0 {
		c.header[0] = strings.TrimPrefix(c.header[0], "\ufeff") // Excel and Data Loader may write a BOM
	}
	if err := c.checkHeader(); err != nil {
		c.close()
		return nil, err
	}
	var d describeResult
	if dp := fs.describePath(object); dp != "" {
		text, err := os.ReadFile(dp)
		if err != nil {
			c.close()
			return nil, fmt.Errorf("read the saved describe of %s: %w (describe_dir needs <Object>.json for every object)", object, err)
		}
		if err := json.Unmarshal(text, &d); err != nil {
			c.close()
			return nil, fmt.Errorf("%s: not a describe of %s saved from sobjects/%s/describe: %w", dp, object, object, err)
		}
		if d.Name == "" {
			d.Name = object
		}
	} else {
		d = inferDescribe(object, c.header)
	}
	p, err := newPlan(d, src.exclude[strings.ToLower(object)], wantDeleted)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	c.p = p
	if err := c.mapColumns(); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// checkHeader rejects a header that names a field twice (ignoring case, as Salesforce does),
// or lacks Id or every cursor field, before any row is read.
func (c *csvFile) checkHeader() error {
	byName := map[string]int{}
	for j, h := range c.header {
		k := strings.ToLower(strings.TrimSpace(h))
		if prev, dup := byName[k]; dup {
			return fmt.Errorf("%s: line 1: columns %d and %d are both %s", c.path, prev+1, j+1, h)
		}
		byName[k] = j
	}
	if _, ok := byName["id"]; !ok {
		return fmt.Errorf("%s: line 1: no Id column: export the Id field", c.path)
	}
	for _, f := range []string{"systemmodstamp", "lastmodifieddate", "createddate"} {
		if _, ok := byName[f]; ok {
			return nil
		}
	}
	return fmt.Errorf("%s: line 1: no SystemModstamp column (nor LastModifiedDate or CreatedDate): export it, so that the next API read continues where the backfill ends", c.path)
}

// mapColumns matches header columns to plan columns, ignoring case (Data Loader upper-cases
// API names). Columns the plan lacks (relationship columns such as Account.Name, fields left
// out with exclude_fields, compound fields) are skipped.
func (c *csvFile) mapColumns() error {
	byName := map[string]int{}
	for j, h := range c.header {
		byName[strings.ToLower(strings.TrimSpace(h))] = j
	}
	c.pos = make([]int, len(c.p.cols))
	for i, col := range c.p.cols {
		c.pos[i] = -1
		if col.field == "" {
			continue
		}
		if j, ok := byName[strings.ToLower(col.field)]; ok {
			c.pos[i] = j
		}
	}
	if c.pos[c.p.idCol] < 0 {
		return fmt.Errorf("%s: line 1: no Id column: export the Id field", c.path)
	}
	if c.pos[c.p.stampCol] < 0 {
		return fmt.Errorf("%s: line 1: no %s column: export it, so that the next API read continues where the backfill ends", c.path, c.p.stampField)
	}
	if c.p.hasDeleted && c.pos[c.p.deletedCol] < 0 {
		c.deletedFalse = true
	}
	return nil
}

// appendRow appends one CSV row; line is its line in the file. Errors name the file, the line
// and the column.
func (c *csvFile) appendRow(b *builder, row []string, line int) (rowKey, error) {
	var k rowKey
	for i, col := range c.p.cols {
		bld := b.rb.Field(i)
		if col.field == "" || (i == c.p.deletedCol && c.deletedFalse) {
			bld.(*array.BooleanBuilder).Append(false)
			continue
		}
		j := c.pos[i]
		if j < 0 {
			bld.AppendNull()
			continue
		}
		text := strings.ReplaceAll(row[j], "\x00", "")
		if text == "" {
			switch i {
			case c.p.idCol, c.p.stampCol:
				return k, fmt.Errorf("%s: line %d, column %d (%s): empty, but every record has one", c.path, line, j+1, c.header[j])
			}
			bld.AppendNull() // empty is null: CSV exports cannot tell "" from null
			continue
		}
		if err := appendValue(bld, col, []byte(text)); err != nil {
			return k, fmt.Errorf("%s: line %d, column %d (%s): %w", c.path, line, j+1, c.header[j], err)
		}
		switch i {
		case c.p.idCol:
			k.id = text
		case c.p.stampCol:
			k.ts, _ = parseDatetimeBytes([]byte(text)) // appendValue parsed it already
		}
	}
	b.n++
	return k, nil
}

// runFiles reads an object's export (mode files). The rows of an export are in no particular
// order, so batches carry the saved cursor until the last, which carries the greatest
// (stamp, Id) of the file: the next read in mode api continues from exactly there, and its
// delete reconciliation starts at that stamp.
func (r *reader) runFiles(ctx context.Context) error {
	c, err := r.src.openExport(r.spec.object, r.spec.deleted)
	if err != nil {
		return err
	}
	defer c.close()
	r.p = c.p
	var until time.Time
	if r.from != nil {
		if r.from.Field != "" && r.from.Field != c.p.stampField {
			return fmt.Errorf("saved cursor is on %s, but the export's cursor field is %s: run a full refresh of the stream", r.from.Field, c.p.stampField)
		}
		if r.progress, err = r.from.position(); err != nil {
			return fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream", err)
		}
		if until, err = r.from.deletedUntil(); err != nil {
			return fmt.Errorf("saved cursor is not valid (%w): run a full refresh of the stream", err)
		}
	}
	r.batchUntil = until
	var top rowKey
	b := newBuilder(r.src.mem, c.p)
	defer b.release()
	for {
		row, err := c.cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", c.path, err) // a csv.ParseError names the line and column
		}
		line, _ := c.cr.FieldPos(0)
		k, err := c.appendRow(b, row, line)
		if err != nil {
			return err
		}
		if top.less(k) {
			top = k
		}
		if b.n >= filesBatchRows {
			r.rows += b.n
			if err := r.emit(ctx, extract.Batch{Records: b.finish(), Cursor: r.cursor()}); err != nil {
				return err
			}
		}
	}
	r.advance(top)
	// Delete reconciliation (getDeleted, which works in whole minutes) resumes at the minute
	// after the export's last stamp: records deleted before then are in the export (Export
	// All) with is_deleted true and their data, which a tombstone would overwrite.
	if next := top.ts.Truncate(time.Minute).Add(time.Minute); !top.ts.IsZero() && next.After(r.batchUntil) {
		r.batchUntil = next
	}
	r.rows += b.n
	if err := r.emit(ctx, extract.Batch{Records: b.finish(), Cursor: r.cursor(), Final: true}); err != nil {
		return err
	}
	r.log.Info("salesforce export read", "object", c.p.object, "file", c.path, "rows", r.rows, "batches", r.batches)
	return nil
}

// countFile counts an export's live rows (IsDeleted not true), for Count in mode files.
func (src *Source) countFile(sp streamSpec) (int64, error) {
	c, err := src.openExport(sp.object, sp.deleted)
	if err != nil {
		return 0, err
	}
	defer c.close()
	del := -1
	if c.p.hasDeleted && !c.deletedFalse {
		del = c.pos[c.p.deletedCol]
	}
	var n int64
	for {
		row, err := c.cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", c.path, err)
		}
		if del >= 0 {
			if v, err := parseBool([]byte(row[del])); err == nil && v {
				continue
			}
		}
		n++
	}
}

// inferDescribe builds a describe from an export's header when no saved describe is given.
// Standard fields get their describe type from standardFieldTypes, whatever the header's case;
// other fields (custom __c fields, standard fields the map lacks) are strings. Upper-case
// headers the map does not know keep their letters, so their columns are the lower-cased
// names (RENEWAL_DATE__C → renewal_date__c); a saved describe gives exact names and types.
// Relationship columns (Account.Name) are skipped.
func inferDescribe(object string, header []string) describeResult {
	known := standardFieldTypes()
	byLower := make(map[string]string, len(known))
	for name := range known {
		byLower[strings.ToLower(name)] = name
	}
	d := describeResult{Name: object, Replicateable: true}
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h == "" || strings.Contains(h, ".") {
			continue
		}
		if name, ok := byLower[strings.ToLower(h)]; ok {
			d.Fields = append(d.Fields, describeField{Name: name, Type: known[name]})
			continue
		}
		name := h
		if strings.HasSuffix(name, "__C") && !strings.ContainsFunc(name, unicode.IsLower) {
			name = strings.TrimSuffix(name, "__C") + "__c"
		}
		d.Fields = append(d.Fields, describeField{Name: name, Type: "string"})
	}
	return d
}

// standardFieldTypes are the describe types of the standard fields of the default objects
// (and common audit fields), for exports read without a saved describe. A name has one type
// across these objects; currency gets describe's usual (18,2) through ArrowType.
func standardFieldTypes() map[string]string {
	t := map[string]string{}
	set := func(typ string, names ...string) {
		for _, n := range names {
			t[n] = typ
		}
	}
	set("id", "Id")
	set("reference", "MasterRecordId", "ParentId", "OwnerId", "CreatedById", "LastModifiedById",
		"AccountId", "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId",
		"OpportunityId", "Pricebook2Id", "CampaignId", "PricebookEntryId", "Product2Id", "ProfileId",
		"UserRoleId", "ManagerId", "WhoId", "WhatId", "RecordTypeId", "ReportsToId", "ContactId")
	set("boolean", "IsDeleted", "IsConverted", "IsClosed", "IsWon", "HasOpportunityLineItem",
		"IsActive", "IsAllDayEvent", "IsArchived", "IsPrivate", "IsUnreadByOwner")
	set("datetime", "CreatedDate", "LastModifiedDate", "SystemModstamp", "ActivityDateTime",
		"StartDateTime", "EndDateTime", "LastViewedDate", "LastReferencedDate")
	set("date", "CloseDate", "ConvertedDate", "PrevCloseDate", "ServiceDate", "ActivityDate",
		"LastActivityDate", "Birthdate")
	set("currency", "AnnualRevenue", "Amount", "ExpectedRevenue", "PrevAmount", "TotalPrice",
		"UnitPrice", "ListPrice", "Subtotal")
	set("percent", "Probability", "Discount", "DefaultProbability")
	set("double", "Quantity")
	set("int", "NumberOfEmployees", "FiscalYear", "FiscalQuarter", "SortOrder",
		"CallDurationInSeconds", "DurationInMinutes")
	set("string", "Name", "FirstName", "LastName", "Company", "Title", "BillingCity", "BillingState",
		"BillingPostalCode", "BillingCountry", "ProductCode", "NextStep", "Username", "MasterLabel",
		"ApiName", "Location", "ForecastCategoryName")
	set("textarea", "BillingStreet", "Description")
	set("picklist", "Type", "Industry", "StageName", "LeadSource", "ForecastCategory", "Status",
		"UserType", "TimeZoneSidKey", "Priority", "TaskSubtype")
	set("address", "BillingAddress", "ShippingAddress", "MailingAddress", "OtherAddress", "Address")
	set("phone", "Phone")
	set("url", "Website")
	set("email", "Email")
	set("combobox", "Subject")
	return t
}
