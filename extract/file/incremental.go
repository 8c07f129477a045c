package file

import (
	"context"
	"slices"
	"strings"

	"github.com/revops/revops/extract"
)

// pendingFile is a file to load, with its content hash when already computed.
type pendingFile struct {
	fileInfo
	sum string
}

// readFiles (incremental: files) emits one batch per new or changed file, in path order; each
// batch's cursor is the state after that file, so progress is kept file by file.
func (s *source) readFiles(ctx context.Context, st *stream, prev *state, files []fileInfo, emit func(context.Context, extract.Batch) error) error {
	next := &state{V: cursorVersion, Mode: modeFiles}
	if prev != nil {
		next.Files = slices.Clone(prev.Files)
	}
	todo, changed, err := s.diffFiles(ctx, st, next, files)
	if err != nil {
		return err
	}
	if len(changed) > 0 && len(st.primaryKey) == 0 {
		return s.errorf(st, "%d file(s) changed since they were loaded (%s); without a primary_key their rows would be appended twice: declare primary_key (rows are then replaced), or run a full refresh of the stream",
			len(changed), strings.Join(changed, ", "))
	}
	for i, f := range todo {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.sum == "" {
			if f.sum, err = hashFile(ctx, f.abs); err != nil {
				return s.wrapIO(ctx, st, err)
			}
		}
		next.upsert(fileEntry{Path: f.key, Size: f.size, MtimeNS: f.mtime, SHA256: f.sum})
		c, err := next.encode()
		if err != nil {
			return s.errorf(st, "%w", err)
		}
		b := extract.Batch{Files: st.fileSet([]fileInfo{f.fileInfo}), Cursor: c, Final: i == len(todo)-1}
		if err := emit(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// diffFiles returns the files to load, in order: files the cursor does not list, and listed files
// whose size or mtime differ and whose content differs too (or whose hash is unknown, as after a
// full read). changed lists the latter. A file whose metadata changed but content did not
// (touched, copied) is not reloaded; its new metadata is recorded in next.
func (s *source) diffFiles(ctx context.Context, st *stream, next *state, files []fileInfo) (todo []pendingFile, changed []string, err error) {
	for _, f := range files {
		e, ok := next.lookup(f.key)
		if !ok {
			todo = append(todo, pendingFile{fileInfo: f})
			continue
		}
		if e.Size == f.size && e.MtimeNS == f.mtime {
			continue
		}
		var sum string
		if e.SHA256 != "" {
			if sum, err = hashFile(ctx, f.abs); err != nil {
				return nil, nil, s.wrapIO(ctx, st, err)
			}
			if sum == e.SHA256 {
				next.upsert(fileEntry{Path: f.key, Size: f.size, MtimeNS: f.mtime, SHA256: sum})
				continue
			}
		}
		todo = append(todo, pendingFile{fileInfo: f, sum: sum})
		changed = append(changed, f.key)
	}
	return todo, changed, nil
}

// wrapIO returns ctx's error when ctx is done, else err naming the stream.
func (s *source) wrapIO(ctx context.Context, st *stream, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	return s.errorf(st, "%w", err)
}

// readCursor (incremental: cursor) emits every file in one batch, filtered to the rows past the
// previous maximum of the cursor column, with the new maximum as its cursor. With a primary key
// (and a type that has a predecessor: not string) the filter keeps rows equal to the previous
// maximum too, so rows that arrive later with that same value are not lost; the loader's merge
// makes reloading them harmless. Nothing is emitted when no row is new.
func (s *source) readCursor(ctx context.Context, st *stream, prev *state, files []fileInfo, emit func(context.Context, extract.Batch) error) error {
	col := *st.cursor
	fs := st.fileSet(files)
	var prevMax *string
	if prev != nil {
		prevMax = prev.Max
	}
	stats, err := scanCursor(ctx, fs, col, prevMax)
	if err != nil {
		return s.wrapIO(ctx, st, err)
	}
	if prev != nil && stats.max == nil {
		return nil // no row has a cursor value: nothing new
	}
	next := &state{V: cursorVersion, Mode: modeCursor, Field: col.Name, Type: col.Type, Max: stats.max, AtMax: stats.atMax}
	if prevMax != nil {
		after, inclusive, err := s.filterAfter(st, *prevMax)
		if err != nil {
			return err
		}
		if stats.newer == 0 {
			if !inclusive || stats.atPrev == prev.AtMax {
				return nil // nothing above the previous maximum, no new row at it
			}
			next.Max, next.AtMax = prevMax, stats.atPrev
		}
		fs.Filter = &extract.Filter{Column: col.Name, Type: col.Type, After: after}
	}
	c, err := next.encode()
	if err != nil {
		return s.errorf(st, "%w", err)
	}
	return emit(ctx, extract.Batch{Files: fs, Cursor: c, Final: true})
}

// filterAfter returns the Filter bound for a previous maximum: its predecessor when rows equal
// to it may be reloaded (inclusive), else the maximum itself.
func (s *source) filterAfter(st *stream, prevMax string) (string, bool, error) {
	if len(st.primaryKey) == 0 {
		return prevMax, false, nil
	}
	after, ok, err := predecessor(st.cursor.Type, prevMax)
	if err != nil {
		return "", false, s.errorf(st, "saved cursor max %q: %w: run a full refresh of the stream", prevMax, err)
	}
	if !ok {
		return prevMax, false, nil
	}
	return after, true, nil
}
