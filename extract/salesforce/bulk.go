package salesforce

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/revops/revops/extract"
	"github.com/revops/revops/internal/httpretry"
)

// bulkJob is the part of a Bulk API 2.0 job the connector reads.
type bulkJob struct {
	ID           string `json:"id"`
	State        string `json:"state"`
	ErrorMessage string `json:"errorMessage"`
}

// bulkWindow reads the records with key after lo and stamp before whi through a Bulk API 2.0
// query job (queryAll for objects with IsDeleted), emitting a batch per result page. Result
// pages are unordered, so batches carry the progress from before the window; the caller moves
// it to whi once the window is read. handled is false when Bulk refused the object or the job
// failed or was aborted: the caller then reads the window through REST.
func (r *reader) bulkWindow(ctx context.Context, lo rowKey, whi time.Time) (handled bool, err error) {
	op := "query"
	if r.p.hasDeleted {
		op = "queryAll"
	}
	body, _ := json.Marshal(map[string]string{"operation": op, "query": r.p.query(lo, whi, false, -1),
		"contentType": "CSV", "columnDelimiter": "COMMA", "lineEnding": "LF"})
	resp, err := r.api.do(ctx, request{method: http.MethodPost, target: r.src.dataPath("/jobs/query"), body: body})
	if isCode(err, "INVALIDENTITY", "API_ERROR", "LIMIT_EXCEEDED", "INVALIDJOB", "FeatureNotEnabled") {
		r.log.Warn("salesforce Bulk API refused the query: using REST", "object", r.p.object, "err", err)
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create bulk query job for %s: %w", r.p.object, err)
	}
	var job bulkJob
	if err := json.Unmarshal(resp.Body, &job); err != nil || job.ID == "" {
		return false, fmt.Errorf("create bulk query job for %s: unexpected response %.200s", r.p.object, resp.Body)
	}
	jobPath := r.src.dataPath("/jobs/query/" + url.PathEscape(job.ID))
	done, err := r.waitJob(ctx, jobPath, &job)
	if err != nil || !done {
		return false, err
	}
	if err := r.bulkResults(ctx, jobPath, whi); err != nil {
		return true, err
	}
	if _, err := r.api.do(ctx, request{method: http.MethodDelete, target: jobPath}); err != nil {
		r.log.Warn("salesforce bulk job not deleted", "job", job.ID, "err", err)
	}
	return true, nil
}

// waitJob polls a job until it completes (true), fails or is aborted (false, to fall back to
// REST), or bulk_timeout passes (an error, after aborting it).
func (r *reader) waitJob(ctx context.Context, jobPath string, job *bulkJob) (bool, error) {
	sleep := r.src.opts.Sleep
	if sleep == nil {
		sleep = httpretry.Sleep
	}
	var waited time.Duration
	for polls := 0; ; polls++ {
		if polls > 0 {
			if waited >= r.src.set.bulkTimeout {
				_, _ = r.api.do(ctx, request{method: http.MethodPatch, target: jobPath, body: []byte(`{"state":"Aborted"}`)})
				return false, fmt.Errorf("bulk query job %s for %s did not complete within bulk_timeout %s", job.ID, r.p.object, r.src.set.bulkTimeout)
			}
			if err := sleep(ctx, r.src.set.bulkPoll); err != nil {
				return false, err
			}
			waited += r.src.set.bulkPoll
		}
		if err := r.api.getJSON(ctx, jobPath, nil, job); err != nil {
			return false, fmt.Errorf("poll bulk query job %s for %s: %w", job.ID, r.p.object, err)
		}
		switch job.State {
		case "JobComplete":
			return true, nil
		case "Failed", "Aborted":
			r.log.Warn("salesforce bulk job ended without results: using REST", "object", r.p.object, "job", job.ID, "state", job.State, "error", job.ErrorMessage)
			return false, nil
		}
	}
}

// bulkResults reads every result page (each a CSV with its header), following Sforce-Locator
// until "null". A page that fails is re-requested with the same locator (safe: pages are
// stable while the job exists).
func (r *reader) bulkResults(ctx context.Context, jobPath string, whi time.Time) error {
	locator := ""
	maxInWindow := r.progress
	for page := 1; ; page++ {
		v := url.Values{}
		if r.src.set.bulkMax > 0 {
			v.Set("maxRecords", strconv.Itoa(r.src.set.bulkMax))
		}
		if locator != "" {
			v.Set("locator", locator)
		}
		target := jobPath + "/results"
		if len(v) > 0 {
			target += "?" + v.Encode()
		}
		resp, err := r.api.do(ctx, request{method: http.MethodGet, target: target, header: map[string]string{"Accept": "text/csv"}})
		if err != nil {
			return fmt.Errorf("get bulk results of %s (page %d): %w", r.p.object, page, err)
		}
		k, err := r.emitCSV(ctx, resp.Body, whi)
		if err != nil {
			return err
		}
		if maxInWindow.less(k) {
			maxInWindow = k
		}
		locator = resp.Header.Get("Sforce-Locator")
		if locator == "" || locator == "null" {
			break
		}
	}
	r.windowPos = maxInWindow
	return nil
}

// emitCSV emits one Bulk result page and returns the greatest key stamped before whi in it.
func (r *reader) emitCSV(ctx context.Context, body []byte, whi time.Time) (rowKey, error) {
	var top rowKey
	cr := csv.NewReader(bytes.NewReader(body))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return top, nil
	}
	if err != nil {
		return top, fmt.Errorf("bulk results of %s: read CSV header: %w", r.p.object, err)
	}
	byName := map[string]int{}
	for i, h := range header {
		byName[strings.ToLower(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	pos := make([]int, len(r.p.cols))
	for i, c := range r.p.cols {
		pos[i] = -1
		if j, ok := byName[strings.ToLower(c.field)]; ok && c.field != "" {
			pos[i] = j
		}
	}
	b := newBuilder(r.src.mem, r.p)
	defer b.release()
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return top, fmt.Errorf("bulk results of %s: CSV line %d: %w", r.p.object, line, err)
		}
		k, err := b.appendCSV(row, pos)
		if err != nil {
			return top, fmt.Errorf("bulk results of %s: CSV line %d: %w", r.p.object, line, err)
		}
		r.seen(k.id)
		if k.ts.Before(whi) && top.less(k) {
			top = k
		}
	}
	if b.n == 0 {
		return top, nil
	}
	r.rows += b.n
	return top, r.emit(ctx, extract.Batch{Records: b.finish(), Cursor: r.cursor()})
}
