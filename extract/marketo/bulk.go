package marketo

// bulk.go: one Bulk Extract export from creation to a verified, cleaned file — create, enqueue
// (waiting while the queue is full), poll, ranged download, size and sha256 checks, and
// re-creation when a Completed export's file is missing.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/revops/revops/internal/httpretry"
)

// errFileMissing: a Completed export's file answered 404.
var errFileMissing = errors.New("the Completed export's file is missing (404)")

// exportStatus is the part of status.json the connector reads.
type exportStatus struct {
	ExportID        string `json:"exportId"`
	Status          string `json:"status"`
	NumberOfRecords int64  `json:"numberOfRecords"`
	FileSize        int64  `json:"fileSize"`
	FileChecksum    string `json:"fileChecksum"`
	ErrorMsg        string `json:"errorMsg"`
}

// export runs an export of kind (leads, activities) with the create.json body and returns its
// file with \r and NUL bytes removed. A Completed export whose file is missing is created again.
func (s *source) export(ctx context.Context, kind string, body []byte) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		data, err := s.exportOnce(ctx, kind, body)
		if errors.Is(err, errFileMissing) && attempt < maxRecreate {
			continue
		}
		return data, err
	}
}

// bulkErr turns an API error of a bulk call into a *BulkError (keeping quota errors).
func bulkErr(id string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%w (%w)", &BulkError{ExportID: id, Code: ae.Code, Message: ae.Message}, err)
	}
	return err
}

func (s *source) exportOnce(ctx context.Context, kind string, body []byte) ([]byte, error) {
	base := "/bulk/v1/" + kind + "/export/"
	env, err := s.client.getEnvelope(ctx, http.MethodPost, base+"create.json", nil, body)
	if err != nil {
		return nil, bulkErr("", err)
	}
	var created []exportStatus
	if err := json.Unmarshal(orEmpty(env.Result), &created); err != nil || len(created) == 0 || created[0].ExportID == "" {
		return nil, fmt.Errorf("POST %screate.json: no exportId in the response", base)
	}
	id := created[0].ExportID
	job := base + id + "/"
	done := false
	defer func() {
		if !done {
			s.cancelExport(ctx, job)
		}
	}()
	for waits := 0; ; waits++ {
		_, err := s.client.getEnvelope(ctx, http.MethodPost, job+"enqueue.json", nil, []byte("{}"))
		if err == nil {
			break
		}
		err = bulkErr(id, err)
		var be *BulkError
		if errors.As(err, &be) && be.Code == "1029" && !errors.Is(err, ErrExportQuota) && waits < maxQueueWaits {
			if err := s.sleep(ctx, queueWait); err != nil { // the queue is full: wait for a slot
				return nil, err
			}
			continue
		}
		if errors.As(err, &be) && be.Code != "1029" && s.enqueued(ctx, job) {
			break // an earlier attempt was enqueued but its answer was lost: a retry is refused
		}
		return nil, err
	}
	st, err := s.waitExport(ctx, id, job)
	if err != nil {
		return nil, err
	}
	data, err := s.downloadVerified(ctx, job+"file.json", st)
	if err != nil {
		if errors.Is(err, errFileMissing) {
			done = true // nothing to cancel
		}
		return nil, fmt.Errorf("export %s: %w", id, err)
	}
	done = true
	return clean(data), nil
}

// enqueued reports whether the job has left the Created state.
func (s *source) enqueued(ctx context.Context, job string) bool {
	env, err := s.client.get(ctx, job+"status.json", nil)
	if err != nil {
		return false
	}
	var st []exportStatus
	if json.Unmarshal(orEmpty(env.Result), &st) != nil || len(st) == 0 {
		return false
	}
	switch st[0].Status {
	case "Queued", "Processing", "Completed":
		return true
	}
	return false
}

// waitExport polls status.json until the export ends, slowing down from pollFirst to pollMax.
func (s *source) waitExport(ctx context.Context, id, job string) (exportStatus, error) {
	delay := pollFirst
	var waited time.Duration
	for {
		if err := s.sleep(ctx, delay); err != nil {
			return exportStatus{}, err
		}
		waited += delay
		delay = min(delay*3/2, pollMax)
		env, err := s.client.get(ctx, job+"status.json", nil)
		if err != nil {
			return exportStatus{}, bulkErr(id, err)
		}
		var st []exportStatus
		if err := json.Unmarshal(orEmpty(env.Result), &st); err != nil || len(st) == 0 {
			return exportStatus{}, fmt.Errorf("GET %sstatus.json: no status in the response", job)
		}
		switch st[0].Status {
		case "Completed":
			return st[0], nil
		case "Failed", "Cancelled":
			return exportStatus{}, &BulkError{ExportID: id, Status: st[0].Status, Message: st[0].ErrorMsg}
		}
		if waited > maxPollWait {
			return exportStatus{}, &BulkError{ExportID: id, Status: st[0].Status, Message: fmt.Sprintf("not done after %s", maxPollWait)}
		}
	}
}

// downloadVerified downloads the file and checks its size and checksum, downloading again (up to
// three times) when they do not match.
func (s *source) downloadVerified(ctx context.Context, path string, st exportStatus) ([]byte, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		data, err := s.download(ctx, path, st.FileSize)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		switch {
		case st.FileSize > 0 && int64(len(data)) != st.FileSize:
			last = fmt.Errorf("the file has %d bytes, status.json announced %d", len(data), st.FileSize)
		case st.FileChecksum != "" && !strings.EqualFold(hex.EncodeToString(sum[:]), st.FileChecksum):
			last = fmt.Errorf("the file's sha256 %x differs from status.json's fileChecksum %s", sum, st.FileChecksum)
		default:
			return data, nil
		}
	}
	return nil, last
}

// download reads a file in ranged requests of s.chunk bytes (one plain GET when the size is not
// known); a server that ignores Range answers the whole file at once.
func (s *source) download(ctx context.Context, path string, size int64) ([]byte, error) {
	var buf bytes.Buffer
	for {
		var h http.Header
		if size > 0 {
			end := min(int64(buf.Len())+s.chunk, size) - 1
			h = http.Header{"Range": {fmt.Sprintf("bytes=%d-%d", buf.Len(), end)}}
		}
		if err := s.client.guardQuota(ctx); err != nil {
			return nil, err
		}
		resp, err := s.client.send(ctx, http.MethodGet, path, nil, nil, h)
		if err != nil {
			var se *httpretry.StatusError
			if errors.As(err, &se) && se.Status == http.StatusNotFound {
				return nil, errFileMissing
			}
			return nil, fmt.Errorf("GET %s: %w", path, s.client.finish(path, err))
		}
		switch resp.Status {
		case http.StatusPartialContent:
			buf.Write(resp.Body)
		default:
			return resp.Body, nil // the whole file
		}
		if size <= 0 || int64(buf.Len()) >= size || len(resp.Body) == 0 {
			return buf.Bytes(), nil
		}
	}
}

// cancelExport cancels an export left unfinished (best effort, even when ctx is done).
func (s *source) cancelExport(ctx context.Context, job string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = s.client.send(cctx, http.MethodPost, job+"cancel.json", nil, []byte("{}"), nil)
}

// clean removes the carriage returns and NUL bytes bulk files carry.
func clean(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c != '\r' && c != 0 {
			out = append(out, c)
		}
	}
	return out
}
