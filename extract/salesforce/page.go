package salesforce

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/revops/revops/internal/jsonpage"
)

// restPage is one REST query response; its records stay JSON until the builder reads them.
type restPage struct {
	totalSize int
	done      bool
	next      string // nextRecordsUrl
	records   []byte // the records array as JSON; nil when absent or null
}

// fetchPage GETs one page of a query and reads its paging fields.
func (r *reader) fetchPage(ctx context.Context, target string, header map[string]string) (restPage, error) {
	resp, err := r.api.do(ctx, request{method: http.MethodGet, target: target, header: header})
	if err != nil {
		return restPage{}, err
	}
	pg, err := parseRestPage(resp.Body)
	if err != nil {
		return restPage{}, fmt.Errorf("decode response: %w", err)
	}
	return pg, nil
}

// parseRestPage reads a query response as encoding/json would into its fields totalSize, done,
// nextRecordsUrl and records (names matched without regard to case, the last of duplicates
// winning, null leaving a field unset), keeping the records array's JSON.
func parseRestPage(body []byte) (restPage, error) {
	var pg restPage
	sc := jsonpage.NewScanner(body)
	if sc.Peek() == jsonpage.Null {
		if _, err := sc.Value(); err != nil {
			return pg, err
		}
		return pg, sc.End()
	}
	if err := sc.Object(); err != nil {
		return pg, err
	}
	for {
		key, ok, err := sc.Key()
		if err != nil {
			return pg, err
		}
		if !ok {
			break
		}
		v, err := sc.Value()
		if err != nil {
			return pg, err
		}
		want := jsonpage.Invalid
		switch {
		case v.Kind == jsonpage.Null:
			if bytes.EqualFold(key, []byte("records")) {
				pg.records = nil // null sets a slice to nil, and leaves other fields as they are
			}
		case bytes.EqualFold(key, []byte("totalSize")):
			if want = jsonpage.Number; v.Kind == want {
				if pg.totalSize, err = strconv.Atoi(string(v.Text)); err != nil {
					return pg, fmt.Errorf("totalSize %s is not an integer", v.Text)
				}
			}
		case bytes.EqualFold(key, []byte("done")):
			if want = jsonpage.Bool; v.Kind == want {
				pg.done = string(v.Text) == "true"
			}
		case bytes.EqualFold(key, []byte("nextRecordsUrl")):
			if want = jsonpage.String; v.Kind == want {
				pg.next = string(v.Text)
			}
		case bytes.EqualFold(key, []byte("records")):
			if want = jsonpage.Array; v.Kind == want {
				pg.records = v.Text
			}
		}
		if want != jsonpage.Invalid && v.Kind != want {
			return pg, fmt.Errorf("%s is a JSON %s, not a %s", key, v.Kind, want)
		}
	}
	return pg, sc.End()
}
