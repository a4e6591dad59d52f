// complaintkit — remedies (服务补救) and handling strategies: the recommendation table,
// personality strategies of seed 001, and the workflow defaults drawn from the seeds.
#include <complaintkit/workflow.hpp>
#include <complaintkit/error.hpp>

#include "json_internal.hpp"
#include "workflow_internal.hpp"

#include <algorithm>

namespace ck {

using detail::Node;
using detail::ObjectIn;

std::string_view Workflow::default_json() noexcept {
    // Defaults from the seeds (DOMAIN.md §3–§4): answer the same business day [003],
    // the fastest handling for powerful customers [001], serious complaints first [004],
    // the follow-up visit after resolution [002, 003]. Every value can be replaced.
    return R"json({
  "calendars": {
    "default": {"zone": "CST-8", "hours": {
      "mon": [["09:00","12:00"],["13:00","18:00"]], "tue": [["09:00","12:00"],["13:00","18:00"]],
      "wed": [["09:00","12:00"],["13:00","18:00"]], "thu": [["09:00","12:00"],["13:00","18:00"]],
      "fri": [["09:00","12:00"],["13:00","18:00"]]}}
  },
  "escalation": {"chain": ["branch", "city", "province"]},
  "policies": [
    {"id": "standard", "name": "Standard handling",
     "targets": {"acknowledge": {"end_of_business_day": 0}, "first_response": {"business_minutes": 480},
                 "update": {"business_minutes": 960}, "resolution": {"business_minutes": 2400},
                 "follow_up": {"business_minutes": 1440}},
     "pause_states": ["awaiting_customer"], "warn_at": [0.75], "follow_up_required": true},
    {"id": "serious", "name": "Serious and critical complaints",
     "when": {"severity_at_least": "serious"},
     "targets": {"acknowledge": {"business_minutes": 60}, "first_response": {"business_minutes": 240},
                 "update": {"business_minutes": 480}, "resolution": {"business_minutes": 1440},
                 "follow_up": {"business_minutes": 960}},
     "pause_states": ["awaiting_customer"], "warn_at": [0.5, 0.75], "follow_up_required": true},
    {"id": "powerful_customer", "name": "Powerful personality: respond fastest",
     "when": {"personality": ["powerful"]},
     "targets": {"acknowledge": {"business_minutes": 30}, "first_response": {"business_minutes": 120},
                 "resolution": {"business_minutes": 960}},
     "pause_states": ["awaiting_customer"], "warn_at": [0.75], "follow_up_required": true},
    {"id": "key_customer", "name": "Key accounts and high-value customers",
     "when": {"tier": ["key_account", "high_value"]},
     "targets": {"acknowledge": {"business_minutes": 60}, "first_response": {"business_minutes": 240},
                 "resolution": {"business_minutes": 1440}},
     "pause_states": ["awaiting_customer"], "warn_at": [0.75], "follow_up_required": true},
    {"id": "regulator", "name": "Referred by a regulator",
     "when": {"channel": ["regulator_referral"]},
     "targets": {"acknowledge": {"calendar_minutes": 240}, "resolution": {"business_minutes": 1440}},
     "warn_at": [0.5, 0.75], "follow_up_required": true}
  ],
  "remedies": [
    {"id": "apologise", "recommend": ["apology"],
     "note": {"en": "Apologise sincerely and explain the cause promptly; ask what the customer expects.",
              "zh-Hans": "真诚道歉并及时说明原因；询问顾客的期望。",
              "zh-Hant": "真誠道歉並及時說明原因；詢問顧客的期望。"}},
    {"id": "product-quality-cause", "when": {"cause": ["product_quality"]}, "recommend": ["replacement", "refund"],
     "exclude": ["repair"],
     "note": {"en": "Replace with a new item; never hand the same item back.",
              "zh-Hans": "换一件新的商品，绝不能把同一件商品还给顾客。",
              "zh-Hant": "換一件新的商品，絕不能把同一件商品還給顧客。"}},
    {"id": "product-quality-category", "when": {"category": ["product_quality"]}, "recommend": ["replacement", "refund"],
     "exclude": ["repair"],
     "note": {"en": "Replace with a new item; never hand the same item back.",
              "zh-Hans": "换一件新的商品，绝不能把同一件商品还给顾客。",
              "zh-Hant": "換一件新的商品，絕不能把同一件商品還給顧客。"}},
    {"id": "overcharge", "when": {"sub_cause": ["money_error"]}, "recommend": ["price_difference_refund"],
     "note": {"en": "Refund the overcharged difference.", "zh-Hans": "退还多收的差额。", "zh-Hant": "退還多收的差額。"}},
    {"id": "missed-appointment", "when": {"sub_cause": ["broken_appointment"]}, "recommend": ["reschedule", "gift"],
     "note": {"en": "Agree a new time the customer chooses and add a goodwill gesture.",
              "zh-Hans": "按顾客方便重新约定时间，并附上补偿心意。",
              "zh-Hant": "按顧客方便重新約定時間，並附上補償心意。"}},
    {"id": "label-mismatch", "when": {"sub_cause": ["label_mismatch"]}, "recommend": ["replacement", "coupon"],
     "note": {"en": "Make up what the label promised (the box that says 5 but holds 4).",
              "zh-Hans": "补足标签承诺的数量（盒上写5个、里面只有4个）。",
              "zh-Hant": "補足標籤承諾的數量（盒上寫5個、裡面只有4個）。"}},
    {"id": "price", "when": {"cause": ["price"]}, "recommend": ["price_difference_refund", "explanation"]},
    {"id": "integrity", "when": {"cause": ["integrity"]}, "recommend": ["compensation"],
     "note": {"en": "Honour the promise or contract as made.", "zh-Hans": "兑现当初的承诺或合同。",
              "zh-Hant": "兌現當初的承諾或合同。"}},
    {"id": "attitude", "when": {"sub_cause": ["poor_attitude", "impoliteness"]}, "recommend": ["explanation", "coupon"]},
    {"id": "late-delivery", "when": {"subcategory": ["delivery_late"]}, "recommend": ["coupon"]},
    {"id": "wrong-or-lost", "when": {"subcategory": ["wrong_item", "lost_parcel"]}, "recommend": ["redelivery", "refund"]},
    {"id": "damaged", "when": {"subcategory": ["damaged_in_transit"]}, "recommend": ["replacement"]},
    {"id": "customer-own", "when": {"cause": ["customer"]}, "recommend": ["explanation"],
     "note": {"en": "Explain politely; never counter-complain.", "zh-Hans": "礼貌解释，不要反过来指责顾客。",
              "zh-Hant": "禮貌解釋，不要反過來指責顧客。"}},
    {"id": "serious", "when": {"severity_at_least": "serious"}, "recommend": ["compensation"]},
    {"id": "valued-customer", "when": {"tier": ["key_account", "high_value"]}, "recommend": ["gift"]}
  ]
})json";
}

std::vector<detail::RemedyRule> detail::read_remedy_rules(const Node& n) {
    std::vector<RemedyRule> out;
    const auto& a = n.array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const Node rn = n.at(i);
        ObjectIn o(rn);
        RemedyRule r;
        const Node idn = o.req("id");
        r.id = idn.str_nonempty();
        for (const auto& q : out)
            if (q.id == r.id) idn.fail(ErrorCode::invalid_value, "remedy rule id \"" + r.id + "\" is used twice");
        if (auto w = o.opt("when")) r.when = read_conditions(*w);
        if (auto x = o.opt("recommend")) r.recommend = x->codes<RemedyType>();
        if (auto x = o.opt("exclude")) r.exclude = x->codes<RemedyType>();
        if (auto x = o.opt("note")) {
            ObjectIn no(*x);
            if (auto t = no.opt("en")) r.note[0] = t->str();
            if (auto t = no.opt("zh-Hans")) r.note[1] = t->str();
            if (auto t = no.opt("zh-Hant")) r.note[2] = t->str();
            no.reject_unknown();
        }
        o.reject_unknown();
        if (r.recommend.empty() && r.exclude.empty() && r.note[0].empty())
            rn.fail(ErrorCode::invalid_value, "a remedy rule recommends, excludes or notes something");
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<RemedyRecommendation> Workflow::recommend(const Complaint& c, Lang lang) const {
    // The effective facets come from the replayed log (classify events).
    const auto st = state(c, c.events.empty() ? c.received_at : c.events.back().at);
    std::vector<RemedyRecommendation> out;
    std::vector<RemedyType> excluded;
    std::vector<std::string> excluded_by;
    for (const auto& r : impl_->remedies) {
        if (!r.when.match(st.facets, st.tier, c.channel, c.customer.personality)) continue;
        const std::string& note = r.note[static_cast<std::size_t>(lang)].empty() ? r.note[0] : r.note[static_cast<std::size_t>(lang)];
        for (auto t : r.exclude) excluded.push_back(t);
        for (auto t : r.recommend) {
            auto it = std::find_if(out.begin(), out.end(), [&](auto& x) { return x.type == t; });
            if (it == out.end()) {
                out.push_back({t, {r.id}, note});
            } else {
                it->rules.push_back(r.id);
                if (it->note.empty()) it->note = note;
            }
        }
    }
    std::erase_if(out, [&](const RemedyRecommendation& x) {
        return std::find(excluded.begin(), excluded.end(), x.type) != excluded.end();
    });
    return out;
}

std::string_view personality_strategy(Personality p, Lang lang) noexcept {
    // Seed 001: 完美型 / 力量型 / 活泼型 / 和平型.
    static constexpr std::string_view texts[5][3] = {
        {"Personality not known: listen first, find out what the customer expects, and keep them informed.",
         "性格未知：先倾听，了解顾客的期望，并随时告知处理进展。",
         "性格未知：先傾聽，了解顧客的期望，並隨時告知處理進展。"},
        {"Perfectionist: demanding and well evidenced. Show sincerity by solving the problem first, as fully as "
         "possible; then reason with them and appeal to feeling to let go of overly strict conditions.",
         "完美型：追求完美，对人对事都比较苛刻，投诉时证据充足。先拿出解决问题的诚意，尽可能为顾客解决问题，"
         "然后再晓之以理、动之以情地劝说顾客放弃过于苛刻的条件。",
         "完美型：追求完美，對人對事都比較苛刻，投訴時證據充足。先拿出解決問題的誠意，盡可能為顧客解決問題，"
         "然後再曉之以理、動之以情地勸說顧客放棄過於苛刻的條件。"},
        {"Powerful: impatient, cares about results, not reasons. Respond fastest and reach a solution, or a "
         "proposal, in the shortest possible time.",
         "力量型：做事缺乏耐心，不在乎原因，只重视结果。对其投诉快速反应，力求在最短时间内解决问题或提出解决方案。",
         "力量型：做事缺乏耐心，不在乎原因，只重視結果。對其投訴快速反應，力求在最短時間內解決問題或提出解決方案。"},
        {"Lively: sociable, wants recognition and praise. No need to rush the problem: build rapport and look "
         "after their feelings first, then handle the complaint — half the effort, double the result.",
         "活泼型：性格随和，希望赢得认同和赞美。不必急于处理问题，先联络感情、处理好顾客的心情，再处理投诉，"
         "可收事半功倍之效。",
         "活潑型：性格隨和，希望贏得認同和讚美。不必急於處理問題，先聯絡感情、處理好顧客的心情，再處理投訴，"
         "可收事半功倍之效。"},
        {"Peaceful: patient, sometimes indecisive, avoids conflict, so their complaint can drag on. Argue from "
         "their side so they feel it is for their good, and nudge them at the decisive moment.",
         "和平型：做事有耐心，有时优柔寡断，很少与人冲突，投诉难以在短时间内处理完。应从顾客的角度考虑问题，"
         "让顾客体会到“这是在为你着想”，并在关键时刻通过激将法推动投诉的解决。",
         "和平型：做事有耐心，有時優柔寡斷，很少與人衝突，投訴難以在短時間內處理完。應從顧客的角度考慮問題，"
         "讓顧客體會到「這是在為你著想」，並在關鍵時刻通過激將法推動投訴的解決。"},
    };
    const auto i = static_cast<std::size_t>(p);
    return texts[i < 5 ? i : 0][static_cast<std::size_t>(lang) < 3 ? static_cast<std::size_t>(lang) : 0];
}

}  // namespace ck
