package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/revops/revops/extract"
)

// New builds a file source from its configuration block. It validates everything it can without
// touching the file system (patterns are resolved by Read), reporting every problem at once.
func New(cfg extract.Config) (extract.Source, error) {
	if cfg.Decode == nil {
		return nil, fmt.Errorf("file source %s: no configuration decoder", cfg.Name)
	}
	var c config
	if err := cfg.Decode(&c); err != nil {
		return nil, fmt.Errorf("file source %s: %w", cfg.Name, err)
	}
	if len(c.Streams) == 0 {
		return nil, fmt.Errorf("file source %s: streams is empty: declare at least one stream with a name and a path", cfg.Name)
	}
	s := &source{name: cfg.Name, dir: cfg.Dir, byName: map[string]*stream{}}
	var errs []error
	for i, sc := range c.Streams {
		st, problems := validateStream(cfg.Name, i, sc)
		errs = append(errs, problems...)
		if _, dup := s.byName[st.name]; dup && st.name != "" {
			errs = append(errs, fmt.Errorf("file source %s: stream %s is declared twice: stream names must be unique", cfg.Name, st.name))
		}
		s.byName[st.name] = st
		s.streams = append(s.streams, st)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// The constructor is a Factory.
var _ extract.Factory = New

// source is the file source: a set of validated streams.
type source struct {
	name    string
	dir     string
	streams []*stream
	byName  map[string]*stream
}

// Streams lists the configured streams; their schemas are known only when the files are read.
func (s *source) Streams() []extract.Stream {
	out := make([]extract.Stream, len(s.streams))
	for i, st := range s.streams {
		out[i] = extract.Stream{Name: st.name, PrimaryKey: slices.Clone(st.primaryKey), Replace: st.mode == modeFull}
		if st.cursor != nil {
			out[i].CursorField = st.cursor.Name
		}
	}
	return out
}

// Read emits the stream's files after from, according to the stream's incremental mode.
func (s *source) Read(ctx context.Context, name string, from extract.Cursor, emit func(context.Context, extract.Batch) error) error {
	st, ok := s.byName[name]
	if !ok {
		return fmt.Errorf("file source %s: unknown stream %q", s.name, name)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	prev, err := decodeState(from)
	if err != nil {
		return s.errorf(st, "saved cursor is not valid (%w): run a full refresh of the stream to reset it", err)
	}
	if err := s.checkPrevious(st, prev); err != nil {
		return err
	}
	dir, err := filepath.Abs(s.dir)
	if err != nil {
		return s.errorf(st, "resolve project directory %q: %w", s.dir, err)
	}
	files, err := resolveFiles(ctx, dir, st.patterns)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return s.errorf(st, "%w", err)
	}
	if len(files) == 0 {
		if prev != nil && st.mode != modeFull {
			return nil // incremental, with a cursor: no new files
		}
		return s.errorf(st, "no files match %s: check the path relative to %s", strings.Join(st.patterns, ", "), dir)
	}
	switch st.mode {
	case modeFiles:
		return s.readFiles(ctx, st, prev, files, emit)
	case modeCursor:
		return s.readCursor(ctx, st, prev, files, emit)
	default:
		return s.readFull(ctx, st, files, emit)
	}
}

func (s *source) errorf(st *stream, format string, args ...any) error {
	return fmt.Errorf("file source %s: stream %s: %w", s.name, st.name, fmt.Errorf(format, args...))
}

// checkPrevious rejects a cursor written under another incremental mode or cursor column, where
// reading from it could skip or duplicate rows. A full cursor is a sound baseline for files.
func (s *source) checkPrevious(st *stream, prev *state) error {
	if prev == nil || st.mode == modeFull {
		return nil
	}
	if prev.Mode != st.mode {
		if st.mode == modeFiles && prev.Mode == modeFull {
			return nil
		}
		return s.errorf(st, "saved cursor was written by incremental: %s, and the stream is now incremental: %s: run a full refresh of the stream", prev.Mode, st.mode)
	}
	if st.mode == modeCursor && (!strings.EqualFold(prev.Field, st.cursor.Name) || prev.Type != st.cursor.Type) {
		return s.errorf(st, "saved cursor is on %s (%s), and cursor_field is now %s (%s): run a full refresh of the stream", prev.Field, prev.Type, st.cursor.Name, st.cursor.Type)
	}
	return nil
}

// fileSet returns the stream's FileSet for paths.
func (st *stream) fileSet(files []fileInfo) *extract.FileSet {
	fs := st.template
	fs.Columns = slices.Clone(st.template.Columns)
	fs.Paths = make([]string, len(files))
	for i, f := range files {
		fs.Paths[i] = f.abs
	}
	return &fs
}

// readFull emits every file in one batch; its cursor lists them (size and mtime, for the record
// and as a baseline should the stream switch to incremental: files).
func (s *source) readFull(ctx context.Context, st *stream, files []fileInfo, emit func(context.Context, extract.Batch) error) error {
	next := &state{V: cursorVersion, Mode: modeFull}
	for _, f := range files {
		next.Files = append(next.Files, fileEntry{Path: f.key, Size: f.size, MtimeNS: f.mtime})
	}
	c, err := next.encode()
	if err != nil {
		return s.errorf(st, "%w", err)
	}
	return emit(ctx, extract.Batch{Files: st.fileSet(files), Cursor: c, Final: true})
}

// hashFile returns the hex SHA-256 of a file's content, stopping early when ctx is done.
func hashFile(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		n, err := f.Read(buf)
		h.Write(buf[:n])
		if errors.Is(err, io.EOF) {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", fmt.Errorf("hash %s: %w", path, err)
		}
	}
}
