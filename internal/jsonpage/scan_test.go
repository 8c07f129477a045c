package jsonpage

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// validCases are documents on both sides of the grammar; Valid must agree with json.Valid on
// every one of them.
func validCases() []string {
	return []string{
		``, ` `, `null`, ` null `, `nul`, `nullx`, `true`, `false`, `tru`, `True`, `0`, `-0`, `01`, `-`, `1.`, `1.5`,
		`.5`, `1e5`, `1E+5`, `1e-05`, `1e`, `1e+`, `-1.25e10`, `123456789012345678901234567890`, `+1`, `0x10`,
		`""`, `"a"`, `"\u00e9"`, `"\u00g9"`, `"\ud834\udd1e"`, `"\ud834"`, `"\x"`, `"\/"`, `"a` + "\t" + `b"`,
		`"a` + "\x01" + `"`, "\"\xff\xfe\"", `"é"`, `"unterminated`, `"\`, `"\u12"`,
		`{}`, `{ }`, `[]`, `[ ]`, `{"a":1}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":}`, `{1:2}`, `{"a":1 "b":2}`,
		`[1,2,3]`, `[1,,2]`, `[1,]`, `[,1]`, `[1 2]`, `[[[]]]`, `[[[]]`, `[]]`, `{"a":[{"b":{"c":[null,true]}}]}`,
		`{"a":1}{}`, `[1] 2`, "\t\n\r [1]\r\n", "\v[1]", `{"a":"b","a":"c"}`, `[{"a":1},{"b":[1,{"c":"d"}]}]`,
		`{"records":[{"attributes":{"type":"X"},"Id":"1","N":null,"F":1.5e3}],"done":true}`,
	}
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range validCases() {
		if got, want := Valid([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("Valid(%q) = %v, json.Valid = %v", c, got, want)
		}
	}
}

func TestValidDepthLimit(t *testing.T) {
	for _, tc := range []struct {
		depth int
		want  bool
	}{{maxDepth, true}, {maxDepth + 1, false}} {
		doc := strings.Repeat("[", tc.depth) + strings.Repeat("]", tc.depth)
		if got := Valid([]byte(doc)); got != tc.want || json.Valid([]byte(doc)) != tc.want {
			t.Errorf("depth %d: Valid = %v, json.Valid = %v, want %v", tc.depth, got, json.Valid([]byte(doc)), tc.want)
		}
	}
}

// Random mutations of valid documents (a byte changed, dropped or cut off) are judged the same
// by Valid and json.Valid.
func TestValidMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seeds := []string{
		`{"totalSize":2,"done":false,"nextRecordsUrl":"/q/01g-2","records":[{"attributes":{"type":"Opportunity"},"Id":"006A","Amount":12.5,"IsWon":true,"Name":"Caf\u00e9 \"X\"","N":null}]}`,
		`{"results":[{"id":"101","properties":{"email":"a@b.c","n":null},"archived":false}],"paging":{"next":{"after":"101"}}}`,
		`[1,-2.5e-3,true,false,null,"s",[],{},[{"a":[1,{"b":"c"}]}]]`,
	}
	alphabet := []byte(`{}[]:,"\ -+.eE0123456789abcdefnrtulsx` + "\x00\x1f\x80\xff\t\n")
	for i := range 20000 {
		doc := []byte(seeds[i%len(seeds)])
		for range 1 + rng.IntN(3) {
			p := rng.IntN(len(doc))
			switch rng.IntN(3) {
			case 0:
				doc[p] = alphabet[rng.IntN(len(alphabet))]
			case 1:
				doc = append(doc[:p:p], doc[p+1:]...)
			default:
				doc = doc[:p]
			}
			if len(doc) == 0 {
				break
			}
		}
		if got, want := Valid(doc), json.Valid(doc); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid = %v", doc, got, want)
		}
	}
}

// Walking an object hands out each member's key and value as encoding/json would decode them:
// strings unquoted and unescaped, everything else as its raw text.
func TestScannerValuesMatchEncodingJSON(t *testing.T) {
	doc := `{"s":"plain","e":"a\"b\\c\/d\n\u00e9\ud834\udd1e","u":"Zoë","bad":"` + "\xff" + `","lone":"\ud834x",` +
		`"n":-12.50e+1,"t":true,"f":false,"z":null,"o":{ "x" : [1, "y"] },"a":[ ],"k\u0041":1}`
	var want map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &want); err != nil {
		t.Fatal(err)
	}
	s := NewScanner([]byte(doc))
	if err := s.Object(); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for {
		key, ok, err := s.Key()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		raw, found := want[string(key)]
		if !found {
			t.Fatalf("key %q is not one encoding/json sees", key)
		}
		v, err := s.Value()
		if err != nil {
			t.Fatal(err)
		}
		seen++
		if v.Kind == String {
			var text string
			if err := json.Unmarshal(raw, &text); err != nil {
				t.Fatal(err)
			}
			if string(v.Text) != text {
				t.Errorf("%s: text %q, encoding/json %q", key, v.Text, text)
			}
			continue
		}
		if !bytes.Equal(v.Text, raw) {
			t.Errorf("%s: text %q, raw %q", key, v.Text, raw)
		}
	}
	if err := s.End(); err != nil {
		t.Fatal(err)
	}
	if seen != len(want) {
		t.Errorf("read %d members, want %d", seen, len(want))
	}
}

func TestScannerKinds(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		kind Kind
		text string
	}{
		{`null`, Null, `null`}, {` true`, Bool, `true`}, {`false `, Bool, `false`}, {`-0.5`, Number, `-0.5`},
		{`"x"`, String, `x`}, {`{"a":{}}`, Object, `{"a":{}}`}, {`[ 1 ]`, Array, `[ 1 ]`},
	} {
		s := NewScanner([]byte(tc.doc))
		if k := s.Peek(); k != tc.kind {
			t.Errorf("Peek(%s) = %v, want %v", tc.doc, k, tc.kind)
		}
		v, err := s.Value()
		if err != nil || v.Kind != tc.kind || string(v.Text) != tc.text || s.End() != nil {
			t.Errorf("Value(%s) = %v %q, %v; want %v %q", tc.doc, v.Kind, v.Text, err, tc.kind, tc.text)
		}
	}
}

// Malformed input is an error from the method that meets it, never a panic, and never a value.
func TestScannerErrors(t *testing.T) {
	walk := func(doc string) error {
		s := NewScanner([]byte(doc))
		if err := s.Object(); err != nil {
			return err
		}
		for {
			_, ok, err := s.Key()
			if err != nil || !ok {
				return err
			}
			if s.Peek() == Array {
				if err := s.Array(); err != nil {
					return err
				}
				for {
					more, err := s.Elem()
					if err != nil {
						return err
					}
					if !more {
						break
					}
					if _, err := s.Value(); err != nil {
						return err
					}
				}
				continue
			}
			if _, err := s.Value(); err != nil {
				return err
			}
		}
	}
	for _, doc := range []string{
		`[]`, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a":[1,]}`, `{"a":[1 2]}`, `{"a":[,1]}`, `{"a":"x`,
		`{"a":tru}`, `{"a":-}`, `{"a":{"b":1]}`, `{"a":1 "b":2}`, `{a:1}`, `{"a":"\q"}`, `{"a":"` + "\x01" + `"}`,
	} {
		err := walk(doc)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: err = %v, want a *SyntaxError", doc, err)
		}
	}
	if err := walk(`{"a":[1,{"b":2}],"c":"d"}`); err != nil {
		t.Errorf("a valid document: %v", err)
	}
}

// Texts unescaped into the scratch buffer stay intact until ResetScratch, however many follow.
func TestScannerScratchTexts(t *testing.T) {
	var doc strings.Builder
	doc.WriteString("[")
	for i := range 200 {
		if i > 0 {
			doc.WriteString(",")
		}
		doc.WriteString(`"v\u00e9` + strings.Repeat("x", i) + `"`)
	}
	doc.WriteString("]")
	s := NewScanner([]byte(doc.String()))
	if err := s.Array(); err != nil {
		t.Fatal(err)
	}
	var texts [][]byte
	for {
		more, err := s.Elem()
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			break
		}
		v, err := s.Value()
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, v.Text)
	}
	for i, text := range texts {
		if want := "vé" + strings.Repeat("x", i); string(text) != want {
			t.Fatalf("text %d = %q, want %q", i, text, want)
		}
	}
}

// Walking a page of plain records allocates nothing.
func TestScannerDoesNotAllocate(t *testing.T) {
	page := []byte(`{"records":[{"Id":"006A","Name":"Deal","Amount":1.5,"IsWon":false,"X":null,"a":{"t":"O"}},` +
		`{"Id":"006B","Name":"Deal 2","Amount":2,"IsWon":true,"X":null,"a":{"t":"O"}}],"done":true}`)
	s := NewScanner(page)
	allocs := testing.AllocsPerRun(100, func() {
		s.Reset(page)
		if err := walkAll(s); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per page, want 0", allocs)
	}
}

// walkAll reads a document's top-level object, and the objects in its arrays, member by member.
func walkAll(s *Scanner) error {
	if err := s.Object(); err != nil {
		return err
	}
	for {
		_, ok, err := s.Key()
		if err != nil || !ok {
			return err
		}
		if s.Peek() != Array {
			if err := s.Skip(); err != nil {
				return err
			}
			continue
		}
		if err := s.Array(); err != nil {
			return err
		}
		for {
			more, err := s.Elem()
			if err != nil {
				return err
			}
			if !more {
				break
			}
			if err := s.Object(); err != nil {
				return err
			}
			for {
				_, ok, err := s.Key()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				if _, err := s.Value(); err != nil {
					return err
				}
			}
		}
	}
}

func BenchmarkValid(b *testing.B) {
	page := benchPage(2000)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if !Valid(page) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkEncodingJSONValid(b *testing.B) {
	page := benchPage(2000)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		if !json.Valid(page) {
			b.Fatal("invalid")
		}
	}
}

func BenchmarkScannerWalk(b *testing.B) {
	page := benchPage(2000)
	s := NewScanner(page)
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		s.Reset(page)
		if err := walkAll(s); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPage is a Salesforce-like query page of n records.
func benchPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"totalSize":1000000,"done":false,"nextRecordsUrl":"/services/data/v62.0/query/01gX-2000","records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"attributes":{"type":"Opportunity","url":"/services/data/v62.0/sobjects/Opportunity/006FK0000000001YAA"},` +
			`"Id":"006FK0000000001YAA","IsDeleted":false,"AccountId":"001Bn0000000000042","Name":"Deal 42","StageName":"Prospecting",` +
			`"Amount":42.5,"Probability":42.0,"CloseDate":"2026-11-12","Type":"New Business","LeadSource":null,"IsClosed":false,` +
			`"FiscalYear":2026,"OwnerId":"005Bn0000000000042","CreatedDate":"2026-10-30T23:56:40.000+0000",` +
			`"SystemModstamp":"2026-10-30T23:56:40.000+0000"}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}
