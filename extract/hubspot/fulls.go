package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/revops/revops/extract"
)

// readOwners reads every owner, active then archived (deactivated users still own old records),
// one batch per page; the stream is replaced on every read.
func (s *source) readOwners(ctx context.Context, emit func(context.Context, extract.Batch) error) error {
	cols := ownerColumns()
	schema := schemaOf(cols, []string{"id"})
	for _, archived := range []bool{false, true} {
		after := ""
		for {
			owners, next, err := s.api.owners(ctx, archived, after)
			if err != nil {
				return fmt.Errorf("list owners (archived=%t) after %q: %w", archived, after, err)
			}
			if err := s.emitRaw(ctx, emit, schema, cols, owners, ownerCells); err != nil {
				return err
			}
			if next == "" {
				break
			}
			if next == after {
				return fmt.Errorf("list owners: HubSpot sent the same paging token %q again", next)
			}
			after = next
		}
	}
	rows := newRows(s.mem, schema, cols)
	defer rows.release()
	return emitRecords(ctx, emit, rows.finish(), nil, true)
}

// ownerCells maps an owner's JSON fields to the owners columns; the fields no column takes
// (teams, userIdIncludingInactive, …) go to _extra.
func ownerCells(o map[string]json.RawMessage) ([]*string, error) {
	take := func(k string) *string {
		v, ok := o[k]
		if !ok {
			return nil
		}
		delete(o, k)
		return jsonText(v)
	}
	var team, teamName *string
	if raw, ok := o["teams"]; ok {
		var teams []struct {
			ID      flexText `json:"id"`
			Name    string   `json:"name"`
			Primary bool     `json:"primary"`
		}
		if err := json.Unmarshal(raw, &teams); err != nil {
			return nil, fmt.Errorf("teams: %w", err)
		}
		for i, t := range teams {
			if t.Primary || i == 0 {
				team, teamName = ptr(string(t.ID)), ptr(t.Name)
			}
			if t.Primary {
				break
			}
		}
	}
	cells := []*string{take("id"), take("email"), take("firstName"), take("lastName"), take("userId"),
		take("type"), team, teamName, take("createdAt"), take("updatedAt"), take("archived"), nil}
	if len(o) > 0 {
		b, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		cells[len(cells)-1] = ptr(string(b))
	}
	return cells, nil
}

// jsonText renders a JSON scalar as text: strings unquoted, numbers and booleans as written,
// null as nil; objects and arrays stay JSON.
func jsonText(raw json.RawMessage) *string {
	t := strings.TrimSpace(string(raw))
	switch {
	case t == "null" || t == "":
		return nil
	case t[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return &s
		}
	}
	return &t
}

// emitRaw converts rows of raw JSON objects with cells and emits them as one batch (no cursor:
// the stream is read in full every time).
func (s *source) emitRaw(ctx context.Context, emit func(context.Context, extract.Batch) error, schema *arrow.Schema,
	cols []column, items []map[string]json.RawMessage, cells func(map[string]json.RawMessage) ([]*string, error)) error {
	if len(items) == 0 {
		return nil
	}
	rows := newRows(s.mem, schema, cols)
	defer rows.release()
	for _, it := range items {
		id := ""
		if v := jsonText(it["id"]); v != nil {
			id = *v
		}
		c, err := cells(it)
		if err == nil {
			err = rows.add(c)
		}
		if err != nil {
			return fmt.Errorf("record %s: %w", id, err)
		}
	}
	return emitRecords(ctx, emit, rows.finish(), nil, false)
}

// readPipelines reads every deal pipeline's stages in one batch (one row per stage).
func (s *source) readPipelines(ctx context.Context, emit func(context.Context, extract.Batch) error) error {
	pipes, err := s.api.pipelines(ctx)
	if err != nil {
		return fmt.Errorf("read deal pipelines: %w", err)
	}
	cols := stageColumns()
	rows := newRows(s.mem, schemaOf(cols, []string{"pipeline_id", "stage_id"}), cols)
	defer rows.release()
	for _, p := range pipes {
		for _, st := range p.Stages {
			id := jsonText(st["id"])
			cells, err := stageCells(p, st)
			if err == nil {
				err = rows.add(cells)
			}
			if err != nil {
				return fmt.Errorf("pipeline %s stage %v: %w", p.ID, deref(id), err)
			}
		}
	}
	return emitRecords(ctx, emit, rows.finish(), nil, true)
}

// stageCells maps a stage to the deal_pipeline_stages columns. metadata.probability and
// metadata.isClosed are strings in HubSpot's answer; other metadata and fields go to _extra.
func stageCells(p pipeline, st map[string]json.RawMessage) ([]*string, error) {
	take := func(k string) *string {
		v, ok := st[k]
		if !ok {
			return nil
		}
		delete(st, k)
		return jsonText(v)
	}
	var prob, closed *string
	if raw, ok := st["metadata"]; ok {
		meta := map[string]json.RawMessage{}
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("metadata: %w", err)
		}
		if v, ok := meta["probability"]; ok {
			prob = jsonText(v)
			delete(meta, "probability")
		}
		if v, ok := meta["isClosed"]; ok {
			closed = jsonText(v)
			delete(meta, "isClosed")
		}
		delete(st, "metadata")
		if len(meta) > 0 {
			b, _ := json.Marshal(meta)
			st["metadata"] = b
		}
	}
	cells := []*string{ptr(p.ID), ptr(p.Label), optional(string(p.DisplayOrder)), ptr(fmt.Sprint(p.Archived)),
		take("id"), take("label"), take("displayOrder"), prob, closed, take("archived"), take("createdAt"),
		take("updatedAt"), nil}
	if len(st) > 0 {
		b, err := json.Marshal(st)
		if err != nil {
			return nil, err
		}
		cells[len(cells)-1] = ptr(string(b))
	}
	return cells, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
