package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// validatePattern checks a path pattern's syntax without touching the file system and returns
// it cleaned, in slash form.
func validatePattern(p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		return "", errors.New("must not be empty")
	}
	clean := path.Clean(filepath.ToSlash(p))
	for _, seg := range strings.Split(clean, "/") {
		if seg == "**" {
			continue
		}
		if strings.Contains(seg, "**") {
			return "", errors.New("** must be a whole path segment, as in data/**/*.csv")
		}
		if _, err := path.Match(seg, ""); err != nil {
			return "", fmt.Errorf("is not a valid glob (segment %q): %w", seg, err)
		}
	}
	return clean, nil
}

// fileInfo is one matched file.
type fileInfo struct {
	abs   string // absolute path
	key   string // its name in cursors: relative to the project directory when under it, slash-separated
	size  int64
	mtime int64 // Unix nanoseconds
}

// resolveFiles returns the regular files matching any of the patterns, sorted by absolute path,
// each once. Relative patterns are relative to absDir, an absolute directory.
func resolveFiles(ctx context.Context, absDir string, patterns []string) ([]fileInfo, error) {
	seen := map[string]bool{}
	var out []fileInfo
	for _, p := range patterns {
		matches, err := globFiles(ctx, absDir, p)
		if err != nil {
			return nil, fmt.Errorf("match path %q: %w", p, err)
		}
		for _, m := range matches {
			if seen[m] {
				continue
			}
			seen[m] = true
			fi, ok, err := statFile(absDir, m)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, fi)
			}
		}
	}
	slices.SortFunc(out, func(a, b fileInfo) int { return strings.Compare(a.abs, b.abs) })
	return out, nil
}

// statFile stats a matched path (following symlinks); ok is false when it is not a regular file.
func statFile(absDir, p string) (fileInfo, bool, error) {
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return fileInfo{}, false, nil // a dangling symlink, or removed since it was listed
	}
	if err != nil {
		return fileInfo{}, false, fmt.Errorf("stat %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return fileInfo{}, false, nil
	}
	key := p
	if rel, err := filepath.Rel(absDir, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		key = rel
	}
	return fileInfo{abs: p, key: filepath.ToSlash(key), size: st.Size(), mtime: st.ModTime().UnixNano()}, true, nil
}

func hasMeta(seg string) bool { return strings.ContainsAny(seg, `*?[\`) }

// globFiles lists the paths matching one pattern: the literal prefix of the pattern is the root of
// a walk that prunes directories no match can lie under.
func globFiles(ctx context.Context, absDir, pattern string) ([]string, error) {
	full := filepath.FromSlash(pattern)
	if !filepath.IsAbs(full) {
		full = filepath.Join(absDir, full)
	}
	segs := strings.Split(filepath.ToSlash(full), "/")
	i := slices.IndexFunc(segs, hasMeta)
	if i < 0 {
		return []string{full}, nil // a literal path; statFile drops it if it does not exist
	}
	root := filepath.FromSlash(strings.Join(segs[:i], "/") + "/")
	rest := segs[i:]
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		names := strings.Split(filepath.ToSlash(rel), "/")
		if d.IsDir() {
			if !matchPrefix(rest, names) {
				return fs.SkipDir
			}
			return nil
		}
		if matchSegments(rest, names) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// matchSegment matches one name against one pattern segment; like a shell, wildcards do not
// match a leading dot.
func matchSegment(pat, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pat, ".") {
		return false
	}
	ok, _ := path.Match(pat, name)
	return ok
}

// matchSegments reports whether names match the pattern segments, where ** matches zero or more
// names (none of them hidden).
func matchSegments(pat, names []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(names); i++ {
				if matchSegments(pat[1:], names[i:]) {
					return true
				}
				if i < len(names) && strings.HasPrefix(names[i], ".") {
					return false
				}
			}
			return false
		}
		if len(names) == 0 || !matchSegment(pat[0], names[0]) {
			return false
		}
		pat, names = pat[1:], names[1:]
	}
	return len(names) == 0
}

// matchPrefix reports whether some path under the directory names could match the pattern.
func matchPrefix(pat, dir []string) bool {
	for len(dir) > 0 {
		if len(pat) == 0 {
			return false
		}
		if pat[0] == "**" {
			return !strings.HasPrefix(dir[0], ".") || len(pat) > 1 && matchPrefix(pat[1:], dir)
		}
		if !matchSegment(pat[0], dir[0]) {
			return false
		}
		pat, dir = pat[1:], dir[1:]
	}
	return len(pat) > 0
}
