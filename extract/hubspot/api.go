package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// object is a CRM record as the v3 API returns it. Property values are strings or null.
type object struct {
	ID                    string                   `json:"id"`
	Properties            map[string]*string       `json:"properties"`
	PropertiesWithHistory map[string][]historyItem `json:"propertiesWithHistory"`
	CreatedAt             string                   `json:"createdAt"`
	UpdatedAt             string                   `json:"updatedAt"`
	Archived              bool                     `json:"archived"`
	ArchivedAt            string                   `json:"archivedAt"`
}

// historyItem is one entry of propertiesWithHistory.
type historyItem struct {
	Value           string   `json:"value"`
	Timestamp       string   `json:"timestamp"`
	SourceType      string   `json:"sourceType"`
	SourceID        string   `json:"sourceId"`
	UpdatedByUserID flexText `json:"updatedByUserId"`
}

// flexText is a JSON string or number, kept as text ("" for null).
type flexText string

func (f *flexText) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*f = ""
	case string:
		*f = flexText(v)
	default:
		*f = flexText(strings.TrimSpace(string(b)))
	}
	return nil
}

// paging is HubSpot's paging object; absent on the last page.
type paging struct {
	Next *struct {
		After flexText `json:"after"`
	} `json:"next"`
}

func (p *paging) after() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return string(p.Next.After)
}

type pageOf[T any] struct {
	Results []T     `json:"results"`
	Paging  *paging `json:"paging"`
}

// list reads one page of GET /crm/v3/objects/{type}. The next request is built from the after
// token with this request's own parameters rather than by following paging.next.link, so that
// the properties asked for never depend on how HubSpot abbreviates the link.
func (c *client) list(ctx context.Context, objType string, archived bool, props []string, limit int, after string) ([]object, string, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}, "archived": {strconv.FormatBool(archived)}}
	if len(props) > 0 {
		q.Set("properties", strings.Join(props, ","))
	}
	if after != "" {
		q.Set("after", after)
	}
	var page pageOf[object]
	if err := c.get(ctx, "/crm/v3/objects/"+objType, q, &page); err != nil {
		return nil, "", err
	}
	return page.Results, page.Paging.after(), nil
}

// searchBody is the body of POST /crm/v3/objects/{type}/search.
type searchBody struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortRule    `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type sortRule struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// search runs one search request; more reports that HubSpot has more results for the query.
func (c *client) searchPage(ctx context.Context, objType string, body searchBody) (results []object, more bool, err error) {
	var page pageOf[object]
	if err := c.post(ctx, c.searchHC, "/crm/v3/objects/"+objType+"/search", nil, body, &page); err != nil {
		return nil, false, err
	}
	return page.Results, page.Paging.after() != "", nil
}

// batchRead reads records by id (at most 100, or 50 with history), current values. Ids HubSpot
// no longer has (archived meanwhile) are absent from the result (its 207 answer).
func (c *client) batchRead(ctx context.Context, objType string, ids, props, history []string, archived bool) ([]object, error) {
	type input struct {
		ID string `json:"id"`
	}
	body := struct {
		Inputs                []input  `json:"inputs"`
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory,omitempty"`
	}{Properties: props, PropertiesWithHistory: history}
	for _, id := range ids {
		body.Inputs = append(body.Inputs, input{id})
	}
	q := url.Values{"archived": {strconv.FormatBool(archived)}}
	var page pageOf[object]
	if err := c.post(ctx, c.hc, "/crm/v3/objects/"+objType+"/batch/read", q, body, &page); err != nil {
		return nil, err
	}
	return page.Results, nil
}

// assocTarget is one association of the v4 API.
type assocTarget struct {
	ToObjectID flexText `json:"toObjectId"`
	Types      []struct {
		Category string  `json:"category"`
		TypeID   int     `json:"typeId"`
		Label    *string `json:"label"`
	} `json:"associationTypes"`
}

// associations reads the associations of records (at most 1,000 ids) to one object type
// through the v4 batch API; ids without associations are absent (HubSpot's 207 lists them as
// errors).
func (c *client) associations(ctx context.Context, from, to string, ids []string) (map[string][]assocTarget, error) {
	type input struct {
		ID string `json:"id"`
	}
	body := struct {
		Inputs []input `json:"inputs"`
	}{}
	for _, id := range ids {
		body.Inputs = append(body.Inputs, input{id})
	}
	var page pageOf[struct {
		From struct {
			ID flexText `json:"id"`
		} `json:"from"`
		To []assocTarget `json:"to"`
	}]
	if err := c.post(ctx, c.hc, "/crm/v4/associations/"+from+"/"+to+"/batch/read", nil, body, &page); err != nil {
		return nil, err
	}
	out := make(map[string][]assocTarget, len(page.Results))
	for _, r := range page.Results {
		out[string(r.From.ID)] = append(out[string(r.From.ID)], r.To...)
	}
	return out, nil
}

// propertyNames lists an object type's properties (GET /crm/v3/properties/{type}).
func (c *client) propertyNames(ctx context.Context, objType string) ([]string, error) {
	var page pageOf[struct {
		Name string `json:"name"`
	}]
	if err := c.get(ctx, "/crm/v3/properties/"+objType, url.Values{}, &page); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Results))
	for _, p := range page.Results {
		names = append(names, p.Name)
	}
	return names, nil
}

// owners reads one page of GET /crm/v3/owners; each owner is kept as its raw JSON fields.
func (c *client) owners(ctx context.Context, archived bool, after string) ([]map[string]json.RawMessage, string, error) {
	q := url.Values{"limit": {"100"}, "archived": {strconv.FormatBool(archived)}}
	if after != "" {
		q.Set("after", after)
	}
	var page pageOf[map[string]json.RawMessage]
	if err := c.get(ctx, "/crm/v3/owners", q, &page); err != nil {
		return nil, "", err
	}
	return page.Results, page.Paging.after(), nil
}

// pipeline is a deal pipeline of GET /crm/v3/pipelines/deals; stages keep their raw fields.
type pipeline struct {
	ID           string                       `json:"id"`
	Label        string                       `json:"label"`
	DisplayOrder flexText                     `json:"displayOrder"`
	Archived     bool                         `json:"archived"`
	Stages       []map[string]json.RawMessage `json:"stages"`
}

// pipelines reads every deal pipeline (the endpoint has no paging).
func (c *client) pipelines(ctx context.Context) ([]pipeline, error) {
	var page pageOf[pipeline]
	if err := c.get(ctx, "/crm/v3/pipelines/deals", url.Values{}, &page); err != nil {
		return nil, err
	}
	if page.Paging.after() != "" {
		return nil, fmt.Errorf("GET /crm/v3/pipelines/deals: HubSpot paged the pipelines, which this source does not expect")
	}
	return page.Results, nil
}
