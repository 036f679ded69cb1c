package paper

import (
	"errors"
	"fmt"
	"strings"
)

// parseYuan reads an amount of money in yuan ("200", "35.5", "1,200.00")
// as a whole number of fen, refusing anything that is not one.
func parseYuan(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || len(whole) > 12 {
		return 0, errors.New("not an amount in yuan with at most two decimals")
	}
	var cents int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, errors.New("not an amount in yuan with at most two decimals")
		}
		cents = cents*10 + int64(c-'0')
	}
	if cents <= 0 {
		return 0, errors.New("not more than zero")
	}
	return cents, nil
}

// figures writes an amount of fen in yuan with two decimals: 200.00.
func figures(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

var (
	capitalDigits   = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	capitalUnits    = []string{"", "拾", "佰", "仟"}
	capitalSections = []string{"", "万", "亿"}
)

// capitalYuan writes an amount of fen in Chinese capital numerals (大写) as
// money is written on official documents: 贰佰元整, 壹仟零伍元整,
// 叁拾伍元伍角整, 壹佰元零伍分.
func capitalYuan(cents int64) string {
	yuan, jiao, fen := cents/100, cents/10%10, cents%10
	var b strings.Builder
	if yuan > 0 {
		b.WriteString(capitalInt(yuan) + "元")
	}
	switch {
	case jiao == 0 && fen == 0:
		if yuan == 0 {
			b.WriteString("零元")
		}
		b.WriteString("整")
	case fen == 0:
		b.WriteString(capitalDigits[jiao] + "角整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteString("零")
		}
		b.WriteString(capitalDigits[fen] + "分")
	default:
		b.WriteString(capitalDigits[jiao] + "角" + capitalDigits[fen] + "分")
	}
	return b.String()
}

// capitalInt writes 1 to 999,999,999,999 in capital numerals, four digits
// to a section (万, 亿), one 零 for each run of zeros between digits.
func capitalInt(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	zero, section := false, false
	for i, c := range s {
		pos := len(s) - 1 - i
		if d := int(c - '0'); d == 0 {
			zero = true
		} else {
			if zero && b.Len() > 0 {
				b.WriteString("零")
			}
			zero, section = false, true
			b.WriteString(capitalDigits[d] + capitalUnits[pos%4])
		}
		if pos%4 == 0 && pos > 0 && section {
			b.WriteString(capitalSections[pos/4])
			section = false
		}
	}
	return b.String()
}
