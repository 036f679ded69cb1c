package store

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// Limits on what an administrator enters (issue 13 finding 3, SPEC D4 S5
// X3). Every officer, device, account and setting that reaches the
// down-sync catalog or a page is checked against them before it is
// stored, and refused with a Chinese message naming the field and its
// limit; the catalog refuses an item body over syncproto.MaxCatalogItemBytes
// whatever its kind, so no later pull can carry a frame over the limit.
const (
	MaxPersonNameChars  = 40  // an officer's or an account holder's name
	MaxCertChars        = 40  // a credential number
	MaxUnitChars        = 100 // a unit (执法部门)
	MaxCategoryChars    = 40  // a credential category (执法类别)
	MaxAreaChars        = 100 // an enforcement area (执法区域)
	MaxUsernameChars    = 40  // a sign-in name
	MaxDeviceNameChars  = syncproto.MaxDeviceNameLen
	MaxReasonChars      = 200  // a revocation or wipe reason
	MaxSettingChars     = 2000 // one server setting's value
	MaxAgencyNameChars  = 100  // the agency's name
	MaxCatalogItemBytes = syncproto.MaxCatalogItemBytes
)

// CheckText refuses a one-line text of more than max characters, or with
// control or invisible characters; label names the field in Chinese.
// The value itself is never repeated in the message.
func CheckText(label, s string, max int) error {
	if !utf8.ValidString(s) {
		return enforce.Errorf(enforce.EInvalid, "%s含有无效字符。", label)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return enforce.Errorf(enforce.EInvalid, "%s不能超过 %d 个字（现有 %d 个）。", label, max, n)
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return enforce.Errorf(enforce.EInvalid, "%s含有控制字符或不可见字符，请重新输入。", label)
		}
	}
	return nil
}

// CheckLen refuses a text (several lines allowed) of more than max
// characters.
func CheckLen(label, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return enforce.Errorf(enforce.EInvalid, "%s不能超过 %d 个字（现有 %d 个）。", label, max, n)
	}
	return nil
}

// CheckOfficer checks every text field of an officer against the limits.
func CheckOfficer(o enforce.Officer) error {
	for _, f := range []struct {
		label, value string
		max          int
	}{
		{"姓名", o.Name, MaxPersonNameChars},
		{"执法证号", o.Cert, MaxCertChars},
		{"执法部门", o.Unit, MaxUnitChars},
		{"执法类别", o.Category, MaxCategoryChars},
		{"执法区域", o.Area, MaxAreaChars},
		{"有效期", o.Expires, 10},
	} {
		if err := CheckText(f.label, f.value, f.max); err != nil {
			return err
		}
	}
	return nil
}

// CheckCatalogItem refuses a catalog item whose body terminals could not
// receive in one frame.
func CheckCatalogItem(it syncproto.CatalogItem) error {
	if n := len(it.Body); n > MaxCatalogItemBytes {
		return enforce.Errorf(enforce.EInvalid, "下发内容过大：%s %s 有 %d 字节，上限 %d 字节（%s）。", it.Kind, it.Key, n, MaxCatalogItemBytes, fmtMiB(MaxCatalogItemBytes))
	}
	return nil
}

func fmtMiB(n int) string { return fmt.Sprintf("%d MiB", n>>20) }
