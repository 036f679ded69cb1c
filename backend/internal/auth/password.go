package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinPasswordLength is the shortest password accepted, counted in
// characters after leading and trailing spaces are trimmed.
const MinPasswordLength = 10

// commonPasswords are passwords of at least MinPasswordLength characters
// that lists of leaked passwords (and the usual Chinese ones) put at the
// top; compared in lower case after trimming. Short ones are refused by
// the length rule already.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		1234567890 0123456789 0987654321 9876543210 1234512345 1122334455 1357924680 5201314520 1314520520
		qwertyuiop qwertyuiop123 asdfghjkl; asdfghjkl123 zxcvbnm123 zxcvbnm,./ qwerty1234 qwerty12345 qwerty123456
		1qaz2wsx3edc 1qaz2wsx3edc4rfv 1q2w3e4r5t 1q2w3e4r5t6y 1q2w3e4r5t6y7u q1w2e3r4t5 q1w2e3r4t5y6 zaq12wsx
		1qazxsw23edc qazwsxedc123 qazwsxedcrfv !qaz2wsx3edc !qaz@wsx#edc
		password1 password12 password123 password1234 password12345 p@ssw0rd123 p@ssword123 passw0rd123 passw0rd1234
		password! password!123 password@123 password#123 pa$$w0rd123
		abc1234567 abc12345678 abc123456789 abcd123456 abcd1234567 abcdefghij abcdefghijk abcdefg123 a123456789 a1234567890
		aa123456789 aaa123456789 qq123456789 qq1234567890 woaini1314 woaini5201314 woaini123456 iloveyou12 iloveyou123
		iloveyou1314 5201314woaini admin12345 admin123456 admin@1234 admin@12345 admin@123456 administrator
		administrator1 root123456 root@123456 test123456 test1234567 welcome123 welcome1234 letmein123 letmein1234
		changeme123 changeme1234 1234567890a a1b2c3d4e5 a1b2c3d4e5f6 1a2b3c4d5e 1a2b3c4d5e6f 123456789a 123456789abc
		123456abcd 123qweasdzxc qweasdzxc123 123qwe123qwe qwe123qwe123 asd123456789 zxc123456789 ab123456789
		lawtrace123 lawtrace1234 lawtrace12345 12345678910 123456789000 112233445566 147258369000
	`) {
		commonPasswords[p] = true
	}
}

// CheckPassword says why a password may not be chosen, in Chinese, or
// nil: at least MinPasswordLength characters after trimming spaces, at
// most 72 bytes (bcrypt), no control characters, not digits only (a
// phone or ID number), not one character repeated, not one of the
// common passwords, not the username (issue 13 finding 8).
func CheckPassword(username, password string) error {
	trimmed := strings.TrimSpace(password)
	lower := strings.ToLower(trimmed)
	switch {
	case !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl):
		return &PasswordError{"密码不能包含控制字符（如换行、制表符）"}
	case utf8.RuneCountInString(trimmed) < MinPasswordLength:
		return &PasswordError{"密码至少 10 个字符（首尾空格不计）"}
	case len(password) > 72:
		return &PasswordError{"密码不能超过 72 个字节（约 24 个汉字）"}
	case strings.Trim(trimmed, "0123456789") == "":
		return &PasswordError{"密码不能全是数字，请加入字母、汉字或符号"}
	case strings.Trim(trimmed, trimmed[:utf8.RuneLen([]rune(trimmed)[0])]) == "":
		return &PasswordError{"密码不能由同一个字符重复组成"}
	case commonPasswords[lower]:
		return &PasswordError{"这是常见密码，容易被猜中，请换一个"}
	case username != "" && strings.EqualFold(trimmed, strings.TrimSpace(username)):
		return &PasswordError{"密码不能与用户名相同"}
	}
	return nil
}
