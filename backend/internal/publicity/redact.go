package publicity

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kinds of removed personal data (SPEC P3).
const (
	RemovedID      = "id_number" // 居民身份证号码 (18 digits with check digit, 15-digit old form)
	RemovedPhone   = "phone"     // mobile and landline numbers
	RemovedBank    = "bank_card" // bank card numbers
	RemovedNumber  = "number"    // any other run of 7 or more digits
	RemovedEmail   = "email"
	RemovedAddress = "address" // a natural person's address
	RemovedName    = "name"    // a natural person's name, masked 张某 / 欧阳某某
)

// KindLabels name the kinds in Chinese for the reviewer's preview and the docs.
var KindLabels = map[string]string{
	RemovedID: "身份证号码", RemovedPhone: "电话号码", RemovedBank: "银行卡号", RemovedNumber: "长数字号码",
	RemovedEmail: "电子邮箱", RemovedAddress: "自然人住址", RemovedName: "自然人姓名",
}

var placeholders = map[string]string{
	RemovedID: "［身份证号码已隐去］", RemovedPhone: "［电话已隐去］", RemovedBank: "［银行卡号已隐去］",
	RemovedNumber: "［号码已隐去］", RemovedEmail: "［邮箱已隐去］", RemovedAddress: "［住址已隐去］",
}

// Subject says whose decision a text belongs to: the party's kind and
// name and any other natural persons' names the record holds. The names of
// natural persons are masked wherever they appear; an organisation's name
// and its registered address stay, because the law publishes them.
type Subject struct {
	PartyKind string // "person" or "org"
	Party     string
	Names     []string // other natural persons named in the record
}

func (s Subject) person() bool { return s.PartyKind != "org" }

// Segment is a piece of redacted text: kept as it was (Kind "") or put in
// place of removed data (Kind names what, Original what was there).
type Segment struct {
	Text     string `json:"text"`
	Kind     string `json:"kind,omitempty"`
	Original string `json:"original,omitempty"`
}

// Redacted is a text after redaction: what the public sees, and the pieces
// the reviewer's preview highlights.
type Redacted struct {
	Text     string    `json:"text"`
	Segments []Segment `json:"segments"`
}

// Removed lists the segments that replaced personal data.
func (r Redacted) Removed() []Segment {
	var out []Segment
	for _, s := range r.Segments {
		if s.Kind != "" {
			out = append(out, s)
		}
	}
	return out
}

type span struct {
	start, end int
	kind, repl string
}

// Redact removes the personal data of 000-publicity §18, 001 (事后公开:
// 身份证号、电话、住址等个人隐私) and 002-publicity §10 from a text bound for a
// public page, feed, search index or document. Every public text goes
// through here, on the server.
func Redact(text string, sub Subject) Redacted {
	text = normalize(text)
	var spans []span
	add := func(s, e int, kind, repl string) {
		if repl == "" {
			repl = placeholders[kind]
		}
		spans = append(spans, span{s, e, kind, repl})
	}
	for _, m := range emailRe.FindAllStringIndex(text, -1) {
		add(m[0], m[1], RemovedEmail, "")
	}
	for _, m := range parenPhoneRe.FindAllStringIndex(text, -1) {
		add(m[0], m[1], RemovedPhone, "")
	}
	for _, m := range digitRunRe.FindAllStringIndex(text, -1) {
		if kind := classifyRun(text, m[0], m[1]); kind != "" {
			add(m[0], m[1], kind, "")
		}
	}
	for _, m := range labelledAddressRe.FindAllStringSubmatchIndex(text, -1) {
		label := text[m[2]:m[3]]
		if m[4] < 0 || m[5] <= m[4] {
			continue
		}
		if personalAddressLabels[label] || sub.person() {
			add(m[4], m[5], RemovedAddress, "")
		}
	}
	if sub.person() {
		for _, m := range houseAddressRe.FindAllStringIndex(text, -1) {
			add(m[0], m[1], RemovedAddress, "")
		}
	}
	names := map[string]bool{}
	if sub.person() && isPersonName(sub.Party) {
		names[strings.TrimSpace(sub.Party)] = true
	}
	for _, n := range sub.Names {
		if isPersonName(n) {
			names[strings.TrimSpace(n)] = true
		}
	}
	for _, m := range labelledNameRe.FindAllStringSubmatchIndex(text, -1) {
		label := text[m[2]:m[3]]
		if label == "当事人" && !sub.person() {
			continue
		}
		n := text[m[4]:m[5]]
		if !strings.HasSuffix(n, "某") && !strings.Contains(n, "某") {
			names[n] = true
		}
	}
	for n := range names {
		repl := MaskName(n)
		for i := 0; ; {
			j := strings.Index(text[i:], n)
			if j < 0 {
				break
			}
			add(i+j, i+j+len(n), RemovedName, repl)
			i += j + len(n)
		}
	}
	return assemble(text, spans)
}

// RedactPlain is Redact's text only.
func RedactPlain(text string, sub Subject) string { return Redact(text, sub).Text }

// assemble applies the spans: the widest wins where they overlap (an ID
// number inside an address goes with the address).
func assemble(text string, spans []span) Redacted {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var merged []span
	for _, s := range spans {
		if n := len(merged); n > 0 && s.start < merged[n-1].end {
			last := &merged[n-1]
			if s.end > last.end { // overlapping, extend; the wider kind wins
				if s.end-s.start > last.end-last.start {
					last.kind, last.repl = s.kind, s.repl
				}
				last.end = s.end
			}
			continue
		}
		merged = append(merged, s)
	}
	var out Redacted
	var b strings.Builder
	pos := 0
	for _, s := range merged {
		if s.start > pos {
			out.Segments = append(out.Segments, Segment{Text: text[pos:s.start]})
			b.WriteString(text[pos:s.start])
		}
		out.Segments = append(out.Segments, Segment{Text: s.repl, Kind: s.kind, Original: text[s.start:s.end]})
		b.WriteString(s.repl)
		pos = s.end
	}
	if pos < len(text) {
		out.Segments = append(out.Segments, Segment{Text: text[pos:]})
		b.WriteString(text[pos:])
	}
	out.Text = b.String()
	return out
}

// normalize turns full-width digits, Latin letters and the signs numbers and
// e-mail addresses are written with into their ASCII forms, and the
// ideographic space into a space, so "１１０１０５…" is found like
// "110105…". Chinese punctuation stays.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			return r - 0xFEE0
		case r == '＠' || r == '．' || r == '－' || r == '＋' || r == '＿':
			return r - 0xFEE0
		case r == '\u3000' || r == '\u00a0':
			return ' '
		}
		return r
	}, s)
}

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// (0471) 1234567, （010）12345678-123
	parenPhoneRe = regexp.MustCompile(`[(（]\s*0\d{2,3}\s*[)）]\s*\d{7,8}(?:\s*(?:转|-)\s*\d{1,6})?`)
	// digits separated by at most one space or hyphen, an X at the end
	digitRunRe = regexp.MustCompile(`\+?\d(?:[ \-]?\d){5,}(?:[ \-]?[Xx])?`)
	dateRunRe  = regexp.MustCompile(`^\d{4}-\d{1,2}-\d{1,2}$`)

	// labels of a natural person's address; the others are redacted when
	// the party is a natural person, and kept for an organisation (its
	// registered or business address is published with its name).
	personalAddressLabels = map[string]bool{"家庭住址": true, "家庭地址": true, "现住址": true, "户籍地址": true, "户籍所在地": true,
		"居住地址": true, "居住地": true, "住址": true, "家住": true, "现住": true, "暂住地": true, "暂住": true, "户籍地": true}
	labelledAddressRe = regexp.MustCompile(`(家庭住址|家庭地址|现住址|户籍地址|户籍所在地|户籍地|居住地址|居住地|暂住地|暂住|住址|家住|现住|住所地|住所|联系地址|经营地址|经营场所|注册地址|地址)\s*(?:[:：]|为|在|于|是)?\s*([^，,。；;、\n)）]{2,80})`)
	// a house-level address: a place name, then a number with 号/栋/室…
	houseAddressRe = regexp.MustCompile(`\p{Han}{0,20}(?:省|自治区|市|盟|区|县|旗|镇|乡|苏木|村|嘎查|街道|大街|路|街|巷|弄|胡同|小区|社区|花园|苑|公寓|大厦|新村)[\p{Han}0-9A-Za-z\-]{0,30}?\d+(?:-\d+)*\s*(?:号楼|号院|号|栋|幢|单元|室|楼|弄|组)(?:[\p{Han}0-9\-]{0,20}?(?:室|号|单元|楼|户))?`)
	labelledNameRe = regexp.MustCompile(`(姓名|当事人|户主|监护人|联系人|法定代理人)\s*[:：]\s*(\p{Han}{2,4}?)(?:[，,。；;、\s(（]|男|女|身份|性别|住|电话|手机|$)`)
)

// classifyRun says what a run of digits is, "" when it may stay (a date, an
// amount, part of an organisation's credit code).
func classifyRun(text string, s, e int) string {
	run := text[s:e]
	if dateRunRe.MatchString(run) {
		return ""
	}
	var ds strings.Builder
	for _, r := range run {
		if r >= '0' && r <= '9' || r == 'X' || r == 'x' {
			ds.WriteRune(unicode.ToUpper(r))
		}
	}
	d := ds.String()
	n := len(d)
	hasX := strings.HasSuffix(d, "X")
	// letters glued to it: part of a credit code or a product number, unless
	// it has the form of an ID or a mobile number anyway
	glued := s > 0 && isAlnum(lastRune(text[:s])) || e < len(text) && isAlnum(firstRune(text[e:]))
	mobile := n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' || n == 13 && strings.HasPrefix(d, "861") && d[3] >= '3' && d[3] <= '9'
	switch {
	case n == 18 && (ValidIDNumber(d) || birthOK(d[6:14])):
		return RemovedID
	case hasX:
		if n == 18 {
			return RemovedID
		}
		return RemovedNumber
	case n == 15 && birthOK("19"+d[6:12]):
		return RemovedID
	case mobile:
		return RemovedPhone
	}
	if n < 7 || glued && n <= 10 {
		return ""
	}
	rest := strings.TrimSpace(text[e:])
	if strings.HasPrefix(rest, "元") || strings.HasPrefix(rest, "万元") || strings.HasSuffix(strings.TrimSpace(text[:s]), "￥") || strings.HasSuffix(strings.TrimSpace(text[:s]), "¥") {
		return "" // an amount
	}
	switch {
	case d[0] == '0' && n >= 10 && n <= 12:
		return RemovedPhone
	case n == 7 || n == 8:
		return RemovedPhone
	case n >= 13 && n <= 19:
		return RemovedBank
	}
	return RemovedNumber
}

func isAlnum(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}
func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// ValidIDNumber checks an 18-character resident ID number (GB 11643): 17
// digits, a birth date, and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(id string) bool {
	id = strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(normalize(id), " ", ""), "-", ""))
	if len(id) != 18 {
		return false
	}
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		sum += int(id[i]-'0') * weights[i]
	}
	return id[17] == "10X98765432"[sum%11] && birthOK(id[6:14])
}

func birthOK(yyyymmdd string) bool {
	t, err := time.Parse("20060102", yyyymmdd)
	return err == nil && t.Year() >= 1880 && t.Year() <= 2100
}

// BirthDate reads the birth date from an ID number (18 digits, or the
// 15-digit form of the 1900s); ok is false when it has none.
func BirthDate(id string) (time.Time, bool) {
	id = strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(normalize(strings.TrimSpace(id)), " ", ""), "-", ""))
	var s string
	switch len(id) {
	case 18:
		s = id[6:14]
	case 15:
		s = "19" + id[6:12]
	default:
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", s)
	return t, err == nil && birthOK(s)
}

// MinorAt reports whether a person born on birth is under 18 on day.
func MinorAt(birth, day time.Time) bool {
	adult := time.Date(birth.Year()+18, birth.Month(), birth.Day(), 0, 0, 0, 0, time.UTC)
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	return d.Before(adult)
}

// MinorIDIn finds an ID number in the texts whose holder is under 18 on
// day: a party that is a minor is never published (000-publicity §18(1)).
func MinorIDIn(day time.Time, texts ...string) bool {
	for _, t := range texts {
		t = normalize(t)
		for _, m := range digitRunRe.FindAllStringIndex(t, -1) {
			if classifyRun(t, m[0], m[1]) != RemovedID {
				continue
			}
			if b, ok := BirthDate(t[m[0]:m[1]]); ok && MinorAt(b, day) {
				return true
			}
		}
	}
	return false
}

// compoundSurnames are the two-character surnames (复姓) kept whole.
var compoundSurnames = strings.Fields(`欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 令狐 夏侯 轩辕 端木 独孤 南宫 西门 申屠 澹台 公冶 宗政 濮阳 太史 仲孙 钟离 闾丘 赫连 呼延 万俟 单于 司空 东郭 百里 左丘 第五 拓跋 完颜 耶律 纳兰 爱新 呼和 乌兰 达尔 阿拉`)

// MaskName masks a natural person's name the way published decisions do:
// the surname stays, each character of the given name becomes 某, at most
// two (张三 → 张某, 张三丰 → 张某某, 欧阳明华 → 欧阳某某). Names that are
// not Chinese keep their first letter.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	rs := []rune(name)
	if len(rs) == 0 {
		return ""
	}
	if !unicode.Is(unicode.Han, rs[0]) {
		return string(rs[0]) + "某"
	}
	sur := 1
	for _, c := range compoundSurnames {
		if strings.HasPrefix(name, c) && len(rs) > 2 {
			sur = 2
			break
		}
	}
	given := len(rs) - sur
	given = max(1, min(given, 2))
	return string(rs[:sur]) + strings.Repeat("某", given)
}

// isPersonName: a name worth masking (two or more characters, not already masked).
func isPersonName(n string) bool {
	n = strings.TrimSpace(n)
	return utf8.RuneCountInString(n) >= 2 && !strings.Contains(n, "某")
}
