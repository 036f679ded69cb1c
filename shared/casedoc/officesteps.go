package casedoc

// OfficeStep names one step of a case's office chain in the three places
// it is shown: Label on the pages (the review and lifecycle pages, the
// refusals), Title in the case file's table of contents, Document as the
// caption of the file the step stores (empty: the step stores none).
type OfficeStep struct {
	Label, Title, Document string
}

// OfficeSteps is the one table of the office chain's steps (the step ids
// of backend/internal/reviewsrv); the web labels, the case file and the
// stored files' captions all read it.
var OfficeSteps = map[string]OfficeStep{
	"decision_proposal":        {"拟作出决定", "拟作决定意见", ""},
	"review_submit":            {"送法制审核", "法制审核送审材料", ""},
	"review_extend":            {"延长审核期限", "延长审核期限审批", ""},
	"review_opinion":           {"审核意见", "法制审核意见书", ""},
	"review_objection":         {"承办机构异议", "承办机构异议", ""},
	"review_head_decision":     {"负责人决定分歧", "机关负责人决定", ""},
	"decision":                 {"作出决定", "行政执法决定（审批）", ""},
	"emergency_approval":       {"紧急启动补办审批", "紧急先行启动内部审批", ""},
	"decision_published":       {"决定公示", "执法决定公示", ""},
	"case_end":                 {"结案", "结案", ""},
	"case_archived":            {"立卷归档", "立卷归档", ""},
	"on_spot_filed":            {"当场处罚决定备案", "当场处罚决定备案", ""},
	"register_request":         {"立案申请", "立案申请", ""},
	"register_approval":        {"立案审批", "立案审批", "不予立案告知书"},
	"prior_notice":             {"行政处罚事先告知", "行政处罚事先告知书", "行政处罚事先告知书"},
	"prior_notice_served":      {"事先告知书送达", "事先告知书送达", "送达回证"},
	"statement":                {"陈述、申辩", "陈述申辩记录", "陈述申辩材料"},
	"statement_review":         {"陈述申辩复核", "陈述申辩复核", ""},
	"rights_waiver":            {"放弃陈述申辩和听证", "放弃陈述申辩和听证的书面声明", "放弃陈述申辩和听证权利的书面声明"},
	"hearing_request":          {"听证申请", "听证申请", "听证申请书"},
	"hearing_notice":           {"听证通知", "听证通知书", "听证通知书"},
	"hearing_record":           {"听证笔录", "听证笔录", "听证笔录"},
	"decision_term_extend":     {"延长决定期限", "延长办案期限审批", ""},
	"decision_served":          {"决定书送达", "决定书送达", "行政处罚决定书送达回证"},
	"closing_request":          {"结案报告", "结案报告", "结案报告"},
	"closing_signoff":          {"结案审批", "结案审批", "结案审批表"},
	"decision_draft":           {"决定书内容", "行政处罚决定书要素", ""},
	"rectify_order":            {"责令改正", "责令改正通知", "责令改正通知书"},
	"rectify_recheck":          {"改正情况复查", "改正情况核查记录", "改正情况核查记录"},
	"performance":              {"履行情况", "履行情况检查记录", "缴款凭证"},
	"late_fee":                 {"加处罚款", "加处罚款计算记录", ""},
	"execution_reminder":       {"催告", "催告书", "催告书"},
	"execution_reply":          {"催告后的陈述申辩", "催告后陈述申辩及复核", "当事人陈述申辩材料"},
	"enforcement":              {"强制执行", "强制执行决定或申请人民法院强制执行", "行政强制执行决定书 / 强制执行申请书"},
	"disposal":                 {"保存期满销毁", "保存期满销毁记录（墓碑）", ""},
	"seizure_extend":           {"延长查封扣押期限", "延长查封扣押期限审批及通知书", "延长查封扣押期限通知书"},
	"seizure_appraisal":        {"检测检验鉴定期间", "检测、检验、检疫、技术鉴定期间告知书", "检测检验鉴定期间告知书"},
	"seizure_disposal":         {"查封扣押处理决定", "查封扣押处理决定书", "查封扣押处理决定书"},
	"seizure_release":          {"解除查封扣押", "解除查封扣押决定书及退还清单", "解除查封扣押决定书及退还清单"},
	"obligation_decision":      {"行政决定", "行政决定书（需执行的义务）", "行政决定书"},
	"coercion_reminder":        {"催告书", "催告书", "催告书"},
	"coercion_statement":       {"催告后陈述申辩", "催告后陈述申辩及复核", "陈述申辩材料"},
	"demolition_notice":        {"限期拆除公告", "限期拆除公告", "限期拆除公告"},
	"coercion_performed":       {"当事人履行", "履行情况检查记录", "履行情况记录"},
	"coercion_suspend":         {"中止执行", "中止执行审批及通知书", "中止执行情形的证据材料"},
	"coercion_resume":          {"恢复执行", "恢复执行审批及通知书", "中止情形消失的证明材料"},
	"coercion_terminate":       {"终结执行", "终结执行审批及通知书", "终结执行情形的证据材料"},
	"execution_suspend":        {"中止执行", "中止执行审批及通知书", "中止执行情形的证据材料"},
	"execution_resume":         {"恢复执行", "恢复执行审批及通知书", "中止情形消失的证明材料"},
	"execution_terminate":      {"终结执行", "终结执行审批及通知书", "终结执行情形的证据材料"},
	"coercion_agreement":       {"执行协议", "执行协议", "执行协议（当事人签字）"},
	"coercion_breach":          {"不履行执行协议", "不履行执行协议、恢复强制执行记录", ""},
	"execution_agreement":      {"执行协议", "执行协议", "执行协议（当事人签字）"},
	"execution_breach":         {"不履行执行协议", "不履行执行协议、恢复强制执行记录", ""},
	"coercive_execution":       {"强制执行决定或申请", "强制执行决定书、代履行决定书或强制执行申请书", "行政强制执行决定书 / 代履行决定书 / 强制执行申请书"},
	"permit_acceptance":        {"受理", "受理通知书、补正告知书或不予受理决定书", "受理通知书 / 补正告知书 / 不予受理决定书"},
	"permit_interested":        {"告知利害关系人", "告知利害关系人及听证权利记录", "利害关系人告知书"},
	"permit_hearing_notice":    {"许可听证通知", "行政许可听证通知书", "听证通知书"},
	"permit_hearing_record":    {"许可听证笔录", "行政许可听证笔录", "听证笔录"},
	"permit_appraisal":         {"检验检测鉴定期间", "检验检测鉴定、专家评审时间告知书", "检验检测鉴定、专家评审告知书"},
	"permit_extension":         {"延长许可审查期限", "延长行政许可审查期限审批及告知", "延长审查期限告知书"},
	"permit_decision":          {"行政许可决定", "准予或不予行政许可决定书", "准予 / 不予行政许可决定书"},
	"permit_service":           {"许可决定送达", "行政许可决定送达回证", "送达回证"},
	"inspection_rectify":       {"责令改正", "责令改正通知书", "责令改正通知书"},
	"inspection_recheck":       {"复查", "复查记录", "复查记录"},
	"inspection_transfer":      {"转立案", "转立案审批表", "转立案审批表"},
	"office_closing":           {"结案", "结案审批表", "结案审批表"},
	"payment_deferral_request": {"暂缓或分期缴纳申请", "暂缓或分期缴纳罚款申请书", "暂缓或分期缴纳罚款申请书"},
	"payment_deferral":         {"暂缓或分期缴纳审批", "暂缓或分期缴纳罚款审批", ""},
}

// OfficeStepLabel is a step's label on the pages ("" when unknown).
func OfficeStepLabel(step string) string { return OfficeSteps[step].Label }
