package web

import (
	"context"
	"errors"
	"html/template"
	"regexp"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// The Chinese labels of the codes the pages show (SPEC D1 D2 D3, issue 13
// finding 10): security event kinds, administrator actions, publicity
// actions, deadline kinds, review steps, the review catalog's rules and the
// errors of the review pages. Every page asks here; a code missing from a
// table shows as 「其他」 with the code set apart as a literal, never as
// prose (TestPagesSpeakChinese walks every page for English).

// securityKinds are the kinds of security event: the web pages' own and
// the sync server's refusals (syncproto codes).
var securityKinds = map[string]string{
	"web_forbidden":       "越权访问被拒绝",
	"web_csrf":            "表单来源或令牌无效",
	"web_bad_path":        "异常的访问路径",
	"web_ws_origin":       "实时看板连接来源无效",
	"web_login_failed":    "登录失败",
	"web_login_locked":    "登录暂时锁定",
	"web_login_unlock":    "管理员解除登录锁定",
	"bad_hello":           "终端连接请求无效",
	"preauth_limit":       "未认证连接超出限制",
	"revoked_device":      "已停用的终端尝试连接",
	"clock_skew":          "终端时钟偏差",
	"bad_frame":           "同步数据无法解析",
	"frame_too_large":     "同步数据超过大小限制",
	"protocol_version":    "终端协议版本不受支持",
	"unexpected":          "同步消息顺序异常",
	"unknown_device":      "未注册的终端尝试连接",
	"revoked":             "终端已停用",
	"auth_failed":         "终端身份验证失败",
	"bad_enrol_code":      "注册码无效、已使用或已过期",
	"forged_device":       "记录冒用其他终端的身份",
	"bad_entry":           "记录的哈希、链或签名验证失败",
	"conflict":            "同一编号出现不同的记录",
	"gap":                 "批次之前缺少记录",
	"unknown_media":       "上传的文件没有对应的记录",
	"media_mismatch":      "上传的文件与记录的哈希或大小不符",
	"offset_mismatch":     "续传位置不一致",
	"log_inconsistent":    "透明日志不一致",
	"busy":                "服务器繁忙",
	"internal":            "服务器内部错误",
	"timeout":             "同步超时",
	"sync_refused":        "同步被拒绝",
	"device_refused_sync": "终端同步被拒绝",
	"data_restored":       "数据目录从备份恢复",
	"log_break":           "恢复后透明日志断点（终端曾见更长的日志）",
}

// securityKindLabel names a security event's kind; the sync server's
// details are shown as its log text.
func securityKindLabel(kind string) string {
	return orDefault(securityKinds[kind], "其他安全事件")
}

// auditActions are the administrators' recorded actions.
var auditActions = map[string]string{
	"account_create":         "新建账号",
	"account_password_reset": "重置密码",
	"account_unlock":         "解除登录锁定",
	"account_update":         "修改账号",
	"catalog_publish":        "发布程序或告知书",
	"device_enrol_code":      "生成终端注册码",
	"device_revoke":          "停用终端",
	"device_wipe":            "下达远程清除",
	"officer_add":            "新增执法人员",
	"officer_update":         "修改执法人员",
	"password_changed":       "修改本人密码",
	"settings_access_policy": "修改调阅规则",
	"settings_publicity":     "修改公示设置",
}

func auditActionLabel(a string) string { return orDefault(auditActions[a], "其他操作") }

// publicityActions are the steps in a publicity item's or an annual
// report's history.
var publicityActions = map[string]string{
	"queued":        "进入待审核",
	"approved":      "审核同意公开",
	"not_published": "决定不予公开",
	"edited":        "修改公开文字",
	"withdrawn":     "撤下",
	"corrected":     "按更正申请更正",
	"generated":     "生成统计数据",
	"regenerated":   "重新生成统计数据",
	"published":     "已公开",
	"expired":       "到期撤下",
}

func publicityActionLabel(a string) string { return orDefault(publicityActions[a], "其他操作") }

// actorRe splits "姓名（username）" as publicity.Actor.String writes it.
var actorRe = regexp.MustCompile(`^(.*)（([^（）]*)）$`)

// actorHTML shows who acted: the name, and the account's user name as a
// literal; the command-line operator and the system by their Chinese names.
func actorHTML(who string) template.HTML {
	switch who {
	case "operator":
		return "服务器管理员（命令行）"
	case "system", "系统":
		return "系统"
	}
	if m := actorRe.FindStringSubmatch(who); m != nil {
		return template.HTML(template.HTMLEscapeString(m[1]) + "（<code>" + template.HTMLEscapeString(m[2]) + "</code>）")
	}
	if isASCII(who) {
		return template.HTML("<code>" + template.HTMLEscapeString(who) + "</code>")
	}
	return template.HTML(template.HTMLEscapeString(who))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// deadlineLabels name each kind of deadline once; the board, the deadline
// monitor, its filter and the case pages all write it this way.
var deadlineLabels = []option{
	{deadline.Upload, "音像记录上传"},
	{deadline.EmergencyStart, "紧急启动补办审批"},
	{deadline.Review, "法制审核"},
	{deadline.Publication, "决定公示"},
	{deadline.Archive, "立卷归档"},
	{deadline.FineHandover, "当场收缴罚款交付"},
	{deadline.OnSpotFiling, "当场处罚决定备案"},
	{deadline.SeizureApproval, "紧急查封扣押补办批准"},
	{deadline.SeizureTerm, "查封扣押期限"},
	{deadline.Preservation, "先行登记保存处理决定"},
	{deadline.HearingRequest, "陈述申辩、听证申请期限"},
	{deadline.DecisionTerm, "行政处罚决定期限"},
	{deadline.DecisionService, "决定书送达"},
	{deadline.FinePayment, "罚款缴纳"},
	{deadline.LateFee, "加处罚款"},
	{deadline.ReminderPeriod, "催告后履行"},
	{deadline.CourtApplication, "申请法院强制执行"},
	{deadline.RectifyCheck, "改正情况复查"},
	{deadline.AnnualReport, "年度统计公开"},
	{deadline.CoercionNotice, "催告后履行期限"},
	{deadline.Demolition, "限期自行拆除"},
	{deadline.PermitDecision, "行政许可决定期限"},
	{deadline.PermitHearing, "许可听证申请期限"},
	{deadline.PermitService, "许可决定送达"},
	{deadline.PermitSupplement, "一次性告知补正"},
	{deadline.SuspensionLapse, "中止执行满三年"},
}

func deadlineLabel(kind string) string {
	for _, o := range deadlineLabels {
		if o.Value == kind {
			return o.Label
		}
	}
	return "其他期限"
}

// reviewRules are the titles of the review catalog's rules by id, kept
// current by currentReviewCatalog (the rule applied to every general
// penalty is built in).
var reviewRules = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{"all-penalties": "一般程序行政处罚"}}

func learnReviewRules(c *review.Catalog) {
	if c == nil {
		return
	}
	reviewRules.Lock()
	for _, r := range c.Rules {
		reviewRules.m[r.ID] = r.Title
	}
	reviewRules.Unlock()
}

func reviewRuleTitle(id string) string {
	reviewRules.Lock()
	defer reviewRules.Unlock()
	if t, ok := reviewRules.m[id]; ok {
		return t
	}
	return "审核目录事项"
}

// ruleList is what the review service writes in a step's summary:
// "需法制审核（large-fine、all-penalties）".
var ruleList = regexp.MustCompile(`（([a-z0-9][a-z0-9\-、]*)）`)

// reviewText writes the rule ids in a review summary as their titles.
func reviewText(s string) string {
	return ruleList.ReplaceAllStringFunc(s, func(m string) string {
		ids := strings.Split(strings.TrimSuffix(strings.TrimPrefix(m, "（"), "）"), "、")
		for i, id := range ids {
			ids[i] = reviewRuleTitle(id)
		}
		return "（" + strings.Join(ids, "、") + "）"
	})
}

// errorText is the Chinese text of a refusal of the review and lifecycle
// pages: the service's Chinese message when it wrote one, else a sentence
// by the kind of refusal and the step, with what is missing and the
// article.
func errorText(code, step, messageZh, message string) string {
	if messageZh != "" {
		return messageZh
	}
	if zh := refusalZh(message); zh != "" {
		return zh
	}
	what := "该操作"
	if l := casedoc.OfficeStepLabel(step); l != "" {
		what = "「" + l + "」"
	} else if step != "" {
		what = "该环节"
	}
	switch code {
	case enforce.EInvalid:
		return what + "填写的内容不完整或格式不对，请检查后重新提交"
	case enforce.ENotFound:
		return "找不到该案件或记录"
	case enforce.EConflict:
		return what + "已经记录过，或案件状态已经变化，不能再次记录；请刷新页面查看最新状态"
	case enforce.ERefused:
		return what + "不符合办理条件，未予记录"
	}
	return what + "未能完成"
}

// refusals are the review service's refusals written only in English,
// in Chinese ($1… are the parts they quote).
var refusals = []struct {
	re *regexp.Regexp
	zh func(m []string) string
}{
	{regexp.MustCompile(`^an opinion other than agree must give its reasons$`), func([]string) string { return "审核意见不是「同意」的，应当写明理由" }},
	{regexp.MustCompile(`^this decision needs legal review \(([^)]*)\) and the review is (\w+); no decision without an agree opinion$`), func(m []string) string {
		return "该决定须经法制审核（" + reviewRuleTitle(m[1]) + "），目前审核状态为「" + reviewStateLabel(m[2]) + "」；未经审核同意，不得作出决定"
	}},
	{regexp.MustCompile(`^case (\S+) needs legal review — (.*) — and the review is (\w*): no decision without an agree opinion$`), func(m []string) string {
		var titles []string
		for _, r := range regexp.MustCompile(`rule \S+「([^」]*)」`).FindAllStringSubmatch(m[2], -1) {
			titles = append(titles, r[1])
		}
		if len(titles) == 0 {
			titles = []string{"已送法制审核"}
		}
		state := "未送审"
		if m[3] != "" {
			state = reviewStateLabel(m[3])
		}
		return "案件 " + m[1] + " 须经法制审核（" + strings.Join(titles, "、") + "），目前审核状态为「" + state + "」；未经审核同意，不得作出决定"
	}},
	{regexp.MustCompile(`^the submission is incomplete$`), func([]string) string { return "送审材料不齐全" }},
	{regexp.MustCompile(`^the decision record is incomplete$`), func([]string) string { return "决定记录不完整" }},
	{regexp.MustCompile(`^case (\S+) was decided at ([0-9\- :]+) \((.*)\)$`), func(m []string) string {
		return "案件 " + m[1] + " 已于 " + m[2] + " 作出决定（" + m[3] + "）"
	}},
	{regexp.MustCompile(`^the emergency start was already approved at ([0-9\- :]+)$`), func(m []string) string { return "紧急启动已于 " + m[1] + " 补办审批" }},
	{regexp.MustCompile(`^the decision was already published at ([0-9\- :]+)$`), func(m []string) string { return "决定已于 " + m[1] + " 公示" }},
	{regexp.MustCompile(`^the case already ended at ([0-9\- :]+)$`), func(m []string) string { return "案件已于 " + m[1] + " 结案" }},
	{regexp.MustCompile(`^the case was already archived at ([0-9\- :]+)$`), func(m []string) string { return "案件已于 " + m[1] + " 立卷归档" }},
}

func refusalZh(msg string) string {
	for _, r := range refusals {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			return r.zh(m)
		}
	}
	return ""
}

// enforceErrorText is errorText of an *enforce.Error, with what is
// missing and the article.
func enforceErrorText(e *enforce.Error) string {
	var b strings.Builder
	b.WriteString(errorText(string(e.Code), e.Step, e.MessageZh, e.Message))
	if len(e.Missing) > 0 {
		b.WriteString("：" + strings.Join(e.MissingText(false), "；"))
	}
	if e.Article != "" {
		b.WriteString("（依据" + enforce.Cite(e.Article) + "）")
	}
	return b.String()
}

// forbiddenText says in Chinese which roles may take a review action.
func forbiddenText(fe *reviewsrv.ForbiddenError) string {
	var need []string
	for _, r := range fe.Need {
		need = append(need, r.Label())
	}
	return "此操作仅限" + strings.Join(need, "或") + "办理，" + auth.Role(fe.Role).Label() + "无权办理。"
}

// reviewErrorText is the Chinese message of any error of the review
// service that a page shows.
func reviewErrorText(err error) string {
	var fe *reviewsrv.ForbiddenError
	var ee *enforce.Error
	switch {
	case errors.As(err, &fe):
		return forbiddenText(fe)
	case errors.As(err, &ee):
		return enforceErrorText(ee)
	case errors.Is(err, reviewsrv.ErrForged):
		return "表单已过期或来源无效，请刷新页面后重试。"
	case errors.Is(err, reviewsrv.ErrUnauthenticated):
		return "未登录或登录已过期，请重新登录。"
	}
	return "未能完成，请稍后重试。"
}

// chinaTimeText is the one way the pages write a time: China time, to the
// minute or the second.
func chinaTimeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

func init() {
	funcs["securityKind"] = securityKindLabel
	funcs["auditAction"] = auditActionLabel
	funcs["publicityAction"] = publicityActionLabel
	funcs["actor"] = actorHTML
	funcs["deadlineLabel"] = deadlineLabel
	funcs["reviewText"] = reviewText
	funcs["reviewStep"] = func(s string) string { return orDefault(casedoc.OfficeStepLabel(s), "审核记录") }
	funcs["errorText"] = errorText
	funcs["ruleTitle"] = reviewRuleTitle
}

// securityDetail is an event's detail: the web pages write theirs in
// Chinese; the sync server's is its log text, shown as a literal.
func securityDetail(kind, detail string) template.HTML {
	if detail == "" {
		return ""
	}
	if strings.HasPrefix(kind, "web_") || !isASCII(detail) {
		// a Chinese sentence quoting what the request carried (a user
		// name, a path, an origin): the quotes are literals
		return template.HTML(literalRun.ReplaceAllStringFunc(template.HTMLEscapeString(detail), func(m string) string {
			return "<code>" + m + "</code>"
		}))
	}
	return template.HTML("原始记录：<code>" + template.HTMLEscapeString(detail) + "</code>")
}

var literalRun = regexp.MustCompile(`[!-~]*[A-Za-z][!-~]*`)

func init() { funcs["securityDetail"] = securityDetail }

// credentialProblem says in Chinese why an officer's credential cannot be
// used today ("" when it can).
func credentialProblem(o enforce.Officer, day time.Time) string {
	if it, bad := o.CredentialIssue(day); bad {
		return it.Zh
	}
	return ""
}

// articleRef is an article id inside a sentence: "000-publicity §18(1)".
var articleRef = regexp.MustCompile(`[0-9]{3}(-[a-z]+)? §[0-9]+(\([0-9]+\))?(-[0-9]+)?`)

// citeIn writes the article ids inside a sentence as Chinese citations.
func citeIn(s string) string {
	return articleRef.ReplaceAllStringFunc(s, enforce.Cite)
}

func init() { funcs["citeIn"] = citeIn }

func init() {
	funcs["stageName"] = stageName
	funcs["stepLabel"] = stepLabel
	funcs["signerRole"] = func(role string) string { return orDefault(signRoleLabels[role], enforce.RoleLabel(role, false)) }
}

// publicitySources name where a publicity item came from.
var publicitySources = map[string]string{
	publicity.SourceTerminal: "执法终端当场处罚决定",
	publicity.SourceReview:   "法制审核后作出的决定",
	publicity.SourceImport:   "导入",
}

func init() {
	funcs["publicitySource"] = func(s string) string { return orDefault(publicitySources[s], "其他来源") }
}

// learnReviewRules reads the current review catalog so that the pages
// name its rules by their titles.
func (s *Server) learnReviewRules(ctx context.Context) {
	if _, err := s.currentReviewCatalog(ctx); err != nil {
		s.log.Warn("review catalog", "err", err)
	}
}

// clockBasisLabel says in words how the server found an entry's calibrated
// time (store.Calibrate, SPEC S4): a court reads whether the time rests on
// a measurement or is a flagged guess.
func clockBasisLabel(basis string) string {
	switch basis {
	case store.ClockLastSync:
		return "记录前同一开机周期内最近一次与服务器校时，加上终端单调时钟经过的时间"
	case store.ClockThisSync:
		return "送达该记录的同步连接在同一开机周期内的校时，减去终端单调时钟经过的时间"
	case store.ClockNoSync:
		return "无法校准：该开机周期内未曾校时且终端此前从未同步，按送达连接测得的偏差推算，已标记"
	case store.ClockReboot:
		return "无法校准：终端在最近一次校时后重启过，按送达连接测得的偏差推算，已标记"
	case store.ClockInconsistent:
		return "无法校准：时钟读数前后矛盾（推算时间晚于服务器收到的时间），按送达连接测得的偏差推算，已标记"
	default: // store.ClockConnection, or recorded before the basis was kept
		return "按送达该记录的同步连接测得的时钟偏差换算（终端未报告时钟读数）"
	}
}
