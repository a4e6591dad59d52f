// complaintkit — taxonomy tables: stable codes and trilingual labels.
// Add values at the end of a table with a new number; never rename a code.
#include <complaintkit/taxonomy.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace ck {
namespace {

constexpr TaxonomyEntry kCategory[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "product_quality", "Product quality", "产品质量", "產品品質"},
    {2, "service_quality", "Service quality", "服务质量", "服務品質"},
    {3, "logistics", "Logistics and delivery", "物流配送", "物流配送"},
    {4, "communication", "Communication and information", "沟通与信息", "溝通與資訊"},
    {5, "after_sales", "After-sales service", "售后服务", "售後服務"},
    {6, "other", "Other", "其他", "其他"},
};

constexpr TaxonomyEntry kSubcategory[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "defect", "Defect or malfunction", "质量缺陷或故障", "品質瑕疵或故障", 1},
    {2, "safety_hazard", "Safety hazard", "安全隐患", "安全隱患", 1},
    {3, "expired_or_spoiled", "Expired or spoiled", "过期或变质", "過期或變質", 1},
    {4, "counterfeit", "Counterfeit", "假冒伪劣", "假冒偽劣", 1},
    {10, "staff_behaviour", "Staff behaviour", "员工言行", "員工言行", 2},
    {11, "waiting_time", "Waiting time", "等候时间", "等候時間", 2},
    {12, "process_error", "Process error", "办理差错", "辦理差錯", 2},
    {20, "delivery_late", "Late delivery", "配送延迟", "配送延遲", 3},
    {21, "wrong_item", "Wrong item delivered", "错发商品", "寄錯商品", 3},
    {22, "lost_parcel", "Lost parcel", "包裹丢失", "包裹遺失", 3},
    {23, "damaged_in_transit", "Damaged in transit", "运输破损", "運送破損", 3},
    {30, "function_info", "Function misunderstood", "功能说明不清", "功能說明不清", 4},
    {31, "price_info", "Price misunderstood", "价格说明不清", "價格說明不清", 4},
    {32, "promotion_info", "Promotion misunderstood", "促销说明不清", "促銷說明不清", 4},
    {40, "warranty_repair", "Warranty repair", "保修维修", "保固維修", 5},
    {41, "returns_refunds", "Returns and refunds", "退换货与退款", "退換貨與退款", 5},
    {42, "no_response", "No response", "无人回应", "無人回應", 5},
    {43, "installation", "Installation", "安装服务", "安裝服務", 5},
    {50, "misleading_advertising", "Misleading advertising", "虚假宣传", "不實廣告", 6},
    {51, "breach_of_contract", "Breach of contract", "违约", "違約", 6},
    {52, "privacy", "Privacy", "隐私", "隱私", 6},
};

constexpr TaxonomyEntry kCause[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "product_quality", "Product quality", "产品质量问题", "產品品質問題"},
    {2, "service", "Service level", "服务水平问题", "服務水準問題"},
    {3, "price", "Price", "价格问题", "價格問題"},
    {4, "integrity", "Integrity", "诚信问题", "誠信問題"},
    {5, "customer", "Customer's own reasons", "消费者自身原因", "消費者自身原因"},
    {6, "other", "Other", "其他", "其他"},
};

constexpr TaxonomyEntry kSubCause[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "manufacturer_defect", "Manufacturer defect", "生产厂家的质量问题", "生產廠商的品質問題", 1},
    {2, "retailer_storage", "Improper storage by the retailer", "商家储存不当", "商家儲存不當", 1},
    {3, "retailer_supervision", "Inadequate supervision by the retailer", "商家把关不严", "商家把關不嚴", 1},
    {10, "improper_handling", "Improper handling", "处理不当", "處理不當", 2},
    {11, "poor_attitude", "Poor attitude", "服务态度差", "服務態度差", 2},
    {12, "poor_explanation", "Insufficient or false explanation", "商品说明不足或不实", "商品說明不足或不實", 2},
    {13, "money_error", "Money error", "收银差错", "收銀差錯", 2},
    {14, "broken_appointment", "Broken appointment", "未按约定时间", "未按約定時間", 2},
    {15, "label_mismatch", "Label does not match content", "标示与内容不符", "標示與內容不符", 2},
    {16, "non_compliant_operation", "Non-compliant operation", "违规操作", "違規操作", 2},
    {17, "unskilled_staff", "Unskilled staff", "业务不熟练", "業務不熟練", 2},
    {18, "impoliteness", "Impoliteness", "服务不文明", "服務不文明", 2},
    {19, "unequal_treatment", "Unequal treatment", "区别对待", "差別待遇", 2},
    {20, "facilities", "Facilities", "设施问题", "設施問題", 2},
    {30, "misleading_price", "Misleading price", "价格误导", "價格誤導", 3},
    {31, "vague_conditions", "Vague conditions", "条件含糊", "條件含糊", 3},
    {32, "hidden_conditions", "Hidden conditions", "隐藏条件", "隱藏條件", 3},
    {33, "false_discount", "False discount", "虚假优惠", "虛假優惠", 3},
    {40, "broken_contract", "Broken contract", "违反合同", "違反合約", 4},
    {41, "broken_promise", "Broken promise", "不履行承诺", "未履行承諾", 4},
    {42, "exaggeration", "Exaggeration", "夸大宣传", "誇大宣傳", 4},
    {50, "misuse", "Misuse", "使用不当", "使用不當", 5},
    {51, "misunderstanding", "Misunderstanding", "理解有误", "理解有誤", 5},
    {52, "request_ineligible", "Request not eligible", "诉求不符合规定", "訴求不符合規定", 5},
};

constexpr TaxonomyEntry kAttribution[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "enterprise", "Enterprise", "企业责任", "企業責任"},
    {2, "consumer", "Consumer", "消费者责任", "消費者責任"},
    {3, "external", "External", "外部因素", "外部因素"},
};

constexpr TaxonomyEntry kDimension[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "tangibles", "Tangibles", "有形度", "有形度"},
    {2, "reliability", "Reliability", "信赖度", "信賴度"},
    {3, "responsiveness", "Responsiveness", "反应度", "反應度"},
    {4, "assurance", "Assurance", "专业度", "專業度"},
    {5, "empathy", "Empathy", "同理度", "同理度"},
};

constexpr TaxonomyEntry kSeverity[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "minor", "Minor", "轻微", "輕微"},
    {2, "moderate", "Moderate", "一般", "一般"},
    {3, "serious", "Serious", "严重", "嚴重"},
    {4, "critical", "Critical", "重大", "重大"},
};

constexpr TaxonomyEntry kPersonality[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "perfectionist", "Perfectionist", "完美型", "完美型"},
    {2, "powerful", "Powerful", "力量型", "力量型"},
    {3, "lively", "Lively", "活泼型", "活潑型"},
    {4, "peaceful", "Peaceful", "和平型", "和平型"},
};

constexpr TaxonomyEntry kMotive[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "venting", "Venting", "发泄不满", "發洩不滿"},
    {2, "revenge", "Revenge", "报复", "報復"},
    {3, "respect", "Seeking respect", "寻求尊重", "尋求尊重"},
    {4, "compensation", "Seeking compensation", "寻求补偿", "尋求補償"},
    {5, "improvement", "Wanting improvement", "希望改进", "希望改進"},
};

constexpr TaxonomyEntry kKind[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "grievance", "Grievance", "投诉", "投訴"},
    {2, "suggestion", "Suggestion", "建议", "建議"},
};

constexpr TaxonomyEntry kStatus[] = {
    {0, "received", "Received", "已受理", "已受理"},
    {1, "acknowledged", "Acknowledged", "已确认", "已確認"},
    {2, "investigating", "Investigating", "调查中", "調查中"},
    {3, "awaiting_customer", "Awaiting customer", "等待客户", "等待客戶"},
    {4, "remedy_proposed", "Remedy proposed", "已提出补救方案", "已提出補救方案"},
    {5, "resolved", "Resolved", "已解决", "已解決"},
    {6, "follow_up_done", "Follow-up done", "已回访", "已回訪"},
    {7, "closed", "Closed", "已结案", "已結案"},
    {8, "reopened", "Reopened", "已重新开启", "已重新開啟"},
    {9, "withdrawn", "Withdrawn", "已撤回", "已撤回"},
};

constexpr TaxonomyEntry kChannel[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "phone", "Phone / hotline", "电话/热线", "電話/專線"},
    {2, "email", "E-mail", "电子邮件", "電子郵件"},
    {3, "web_form", "Online form", "网上表单", "線上表單"},
    {4, "in_person", "In person", "当面/柜台", "臨櫃/當面"},
    {5, "fax", "Fax", "传真", "傳真"},
    {6, "letter", "Letter", "信函", "信函"},
    {7, "social_media", "Social media", "社交媒体", "社群媒體"},
    {8, "chat", "Chat", "在线客服", "線上客服"},
    {9, "app", "App", "应用程序", "應用程式"},
    {10, "suggestion_book", "Suggestion book", "意见簿", "意見簿"},
    {11, "suggestion_box", "Suggestion box", "意见箱", "意見箱"},
    {12, "director_mailbox", "Director's mailbox", "总经理信箱", "總經理信箱"},
    {13, "regulator_referral", "Regulator referral", "监管转办", "主管機關轉介"},
    {14, "other", "Other", "其他", "其他"},
};

constexpr TaxonomyEntry kTier[] = {
    {0, "unknown", "Unknown", "未知", "未知"},
    {1, "standard", "Standard", "普通客户", "一般客戶"},
    {2, "high_value", "High value", "高价值客户", "高價值客戶"},
    {3, "key_account", "Key account", "关键客户", "關鍵客戶"},
};

constexpr TaxonomyEntry kRemedyType[] = {
    {0, "apology", "Apology", "道歉", "道歉"},
    {1, "explanation", "Explanation", "解释说明", "解釋說明"},
    {2, "discount", "Discount", "折扣", "折扣"},
    {3, "coupon", "Coupon", "优惠券", "優惠券"},
    {4, "gift", "Gift", "赠品", "贈品"},
    {5, "replacement", "Replacement with a new item", "换新", "換新"},
    {6, "refund", "Refund", "退款", "退款"},
    {7, "partial_refund", "Partial refund", "部分退款", "部分退款"},
    {8, "repair", "Repair", "维修", "維修"},
    {9, "compensation", "Compensation", "赔偿", "賠償"},
    {10, "redelivery", "Redelivery", "重新配送", "重新配送"},
    {11, "reschedule", "Reschedule", "重新预约", "重新預約"},
    {12, "price_difference_refund", "Refund of the difference", "退还差价", "退還差價"},
    {13, "other", "Other", "其他", "其他"},
};

constexpr TaxonomyEntry kEventType[] = {
    {0, "received", "Received", "受理", "受理"},
    {1, "acknowledged", "Acknowledged", "确认收到", "確認收到"},
    {2, "assigned", "Assigned", "分派", "分派"},
    {3, "investigation_started", "Investigation started", "开始调查", "開始調查"},
    {4, "awaiting_customer", "Awaiting customer", "等待客户", "等待客戶"},
    {5, "customer_replied", "Customer replied", "客户回复", "客戶回覆"},
    {6, "escalated", "Escalated", "升级", "升級"},
    {7, "remedy_proposed", "Remedy proposed", "提出补救方案", "提出補救方案"},
    {8, "remedy_accepted", "Remedy accepted", "客户接受方案", "客戶接受方案"},
    {9, "remedy_rejected", "Remedy rejected", "客户拒绝方案", "客戶拒絕方案"},
    {10, "resolved", "Resolved", "已解决", "已解決"},
    {11, "follow_up", "Follow-up visit", "回访", "回訪"},
    {12, "closed", "Closed", "结案", "結案"},
    {13, "reopened", "Reopened", "重新开启", "重新開啟"},
    {14, "withdrawn", "Withdrawn", "撤回", "撤回"},
    {15, "note", "Note", "备注", "備註"},
    {16, "reply_to_customer", "Reply to customer", "回复客户", "回覆客戶"},
    {17, "classified", "Classified", "分类", "分類"},
    {18, "corrective_action", "Corrective action", "纠正措施", "矯正措施"},
    {19, "preventive_action", "Preventive action", "预防措施", "預防措施"},
    {20, "attribute_set", "Attribute recorded", "记录属性", "記錄屬性"},
    {21, "policy_changed", "SLA policy changed", "变更时限策略", "變更時限策略"},
    {22, "sla_warning", "SLA warning", "时限预警", "時限預警"},
    {23, "sla_breached", "SLA breached", "超出时限", "超出時限"},
    {24, "other", "Other", "其他", "其他"},
};

struct Table {
    std::string_view name;
    std::span<const TaxonomyEntry> entries;
};

constexpr std::array<Table, taxonomy_count> kTables = {{
    {"category", kCategory},       {"subcategory", kSubcategory}, {"cause", kCause},
    {"sub_cause", kSubCause},      {"attribution", kAttribution}, {"dimension", kDimension},
    {"severity", kSeverity},       {"personality", kPersonality}, {"motive", kMotive},
    {"kind", kKind},               {"status", kStatus},           {"channel", kChannel},
    {"tier", kTier},               {"remedy_type", kRemedyType},  {"event_type", kEventType},
}};

const Table* table(TaxonomyId id) noexcept {
    auto i = static_cast<std::size_t>(id);
    return i < kTables.size() ? &kTables[i] : nullptr;
}

}  // namespace

std::span<const TaxonomyEntry> taxonomy_entries(TaxonomyId id) noexcept {
    const Table* t = table(id);
    return t ? t->entries : std::span<const TaxonomyEntry>{};
}

std::string_view taxonomy_name(TaxonomyId id) noexcept {
    const Table* t = table(id);
    return t ? t->name : std::string_view{};
}

std::optional<TaxonomyId> taxonomy_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kTables.size(); ++i)
        if (kTables[i].name == name) return static_cast<TaxonomyId>(i);
    return std::nullopt;
}

const TaxonomyEntry* taxonomy_find(TaxonomyId id, int value) noexcept {
    for (const auto& e : taxonomy_entries(id))
        if (e.value == value) return &e;
    return nullptr;
}

const TaxonomyEntry* taxonomy_find(TaxonomyId id, std::string_view code) noexcept {
    for (const auto& e : taxonomy_entries(id))
        if (e.code == code) return &e;
    return nullptr;
}

std::optional<Lang> lang_from_tag(std::string_view tag) noexcept {
    auto lower = [](std::string_view s) {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
                       [](unsigned char c) { return c == '_' ? '-' : static_cast<char>(std::tolower(c)); });
        return out;
    };
    const std::string t = lower(tag);
    if (t == "en" || t.starts_with("en-")) return Lang::en;
    if (t == "zh-hans" || t == "zh-cn" || t == "zh-sg" || t == "zh" || t.starts_with("zh-hans-")) return Lang::zh_hans;
    if (t == "zh-hant" || t == "zh-tw" || t == "zh-hk" || t == "zh-mo" || t.starts_with("zh-hant-")) return Lang::zh_hant;
    return std::nullopt;
}

namespace {
/// parent by value (-1: none or no such value), for values 0–255: the rule engine asks for
/// every classification, and a scan of the entries costs a cache line each.
template <std::size_t M> constexpr std::array<std::int16_t, 256> parent_table(const TaxonomyEntry (&t)[M]) {
    std::array<std::int16_t, 256> a{};
    for (auto& x : a) x = -1;
    for (const auto& e : t)
        if (e.value >= 0 && e.value < 256) a[static_cast<std::size_t>(e.value)] = static_cast<std::int16_t>(e.parent);
    return a;
}
constexpr auto kSubcategoryParent = parent_table(kSubcategory);
constexpr auto kSubCauseParent = parent_table(kSubCause);
}  // namespace

Category parent_of(Subcategory s) noexcept {
    const auto v = static_cast<unsigned>(s);
    const int p = v < 256 ? kSubcategoryParent[v] : -1;
    return p >= 0 ? static_cast<Category>(p) : Category::unknown;
}

Cause parent_of(SubCause s) noexcept {
    const auto v = static_cast<unsigned>(s);
    const int p = v < 256 ? kSubCauseParent[v] : -1;
    return p >= 0 ? static_cast<Cause>(p) : Cause::unknown;
}

}  // namespace ck
