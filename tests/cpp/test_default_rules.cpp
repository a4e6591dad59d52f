#include <catch2/catch.hpp>

#include <complaintkit/rules.hpp>
#include <complaintkit/taxonomy.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace ck;

namespace {
const RuleSet& rs() { return RuleSet::default_rules(); }
Facets facets(std::string_view text) { return rs().classify(text).facets; }
bool has_tag(const Facets& f, const std::string& t) { return std::find(f.tags.begin(), f.tags.end(), t) != f.tags.end(); }
}  // namespace

TEST_CASE("the default pack compiles cleanly and matches rules/default.json", "[rules][default]") {
    for (const auto& w : rs().warnings()) WARN(w.to_string());
    CHECK(rs().warnings().empty());
    CHECK(rs().name() == "complaintkit-default");
    CHECK(rs().rule_count() >= 80);
    CHECK(rs().keyword_count() >= 1000);
    std::ifstream in(CK_SOURCE_DIR "/rules/default.json", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == RuleSet::default_pack_json());
}

TEST_CASE("the default pack can set every category, cause, service sub-cause, attribution and dimension", "[rules][default]") {
    // Every value must be reachable from some rule of the pack (text is the pack itself).
    const std::string pack(RuleSet::default_pack_json());
    auto reachable = [&](std::string_view facet, std::string_view code) {
        std::string needle = "\"";
        needle.append(facet);
        needle.append("\": \"");
        needle.append(code);
        needle.append("\"");
        return pack.find(needle) != std::string::npos;
    };
    for (auto id : {TaxonomyId::category, TaxonomyId::cause, TaxonomyId::attribution, TaxonomyId::dimension,
                    TaxonomyId::severity, TaxonomyId::personality, TaxonomyId::motive, TaxonomyId::kind}) {
        for (const auto& e : taxonomy_entries(id)) {
            if (e.value == 0) continue;
            if (id == TaxonomyId::cause && e.code == "other") continue;
            INFO(taxonomy_name(id) << " " << e.code);
            CHECK(reachable(taxonomy_name(id), e.code));
        }
    }
    for (auto code : {"improper_handling", "poor_attitude", "poor_explanation", "money_error", "broken_appointment",
                      "label_mismatch"}) {
        INFO(code);
        CHECK(reachable("sub_cause", code));
    }
}

TEST_CASE("seed cases classify as the domain says", "[rules][default]") {
    // The box says 5 ice creams but holds 4 (label ≠ content).
    auto box = facets("盒子上写着5支雪糕，打开只有4支，这不是欺骗消费者吗？");
    CHECK(box.sub_cause == SubCause::label_mismatch);
    CHECK(box.cause == Cause::service);
    // The air-conditioner installation not at the agreed time.
    auto ac = facets("約好今天上午安裝冷氣，師傅到下午都沒來，我還請了假在家等");
    CHECK(ac.sub_cause == SubCause::broken_appointment);
    CHECK(ac.category == Category::after_sales);
    CHECK(ac.subcategory == Subcategory::installation);
    CHECK(ac.dimension == Dimension::reliability);
    CHECK(ac.attribution == Attribution::enterprise);
    // "Deposit 10 get 100" not honoured.
    auto dep = facets("说好的充10送100，充了之后送的钱根本用不了，这不是假优惠吗");
    CHECK(dep.cause == Cause::price);
    CHECK(dep.sub_cause == SubCause::false_discount);
    // Poor attitude, Traditional script.
    auto att = facets("櫃檯的店員態度很差，一直翻白眼還不耐煩");
    CHECK(att.category == Category::service_quality);
    CHECK(att.sub_cause == SubCause::poor_attitude);
    CHECK(att.dimension == Dimension::empathy);
    CHECK(att.kind == Kind::grievance);
}

TEST_CASE("severity signals of the default pack", "[rules][default]") {
    auto media = facets("再不处理我就找记者曝光你们");
    CHECK(media.severity == Severity::critical);
    CHECK(has_tag(media, "media"));
    auto reg = facets("我已經打１２３１５投訴了");
    CHECK(reg.severity == Severity::critical);
    CHECK(has_tag(reg, "regulator"));
    CHECK(facets("我要去消协投诉").severity == Severity::critical);
    CHECK(facets("I have contacted my lawyer about this").severity == Severity::critical);
    CHECK(has_tag(facets("We will file a lawsuit"), "legal"));
    CHECK(facets("The charger caught fire on my desk").severity == Severity::serious);
    CHECK(has_tag(facets("The charger caught fire on my desk"), "safety"));
    CHECK(facets("这已经是第三次投诉了，还是没解决").severity == Severity::serious);
    CHECK(facets("我花了110元买的杯子坏了").severity != Severity::critical);
    CHECK(facets("The waiter was a bit slow tonight").severity == Severity::minor);
}

TEST_CASE("suggestions are opportunities", "[rules][default]") {
    auto s = facets("建議你們增加夜間配送的選項");
    CHECK(s.kind == Kind::suggestion);
    CHECK(s.motive == Motive::improvement);
    CHECK(has_tag(s, "opportunity"));
    auto e = facets("It would be great if you could add a vegetarian option to the menu");
    CHECK(e.kind == Kind::suggestion);
}

TEST_CASE("English, Simplified and Traditional phrasing of the same complaint agree", "[rules][default]") {
    const char* texts[] = {"快递一个星期了还没到，物流信息也不更新", "快遞一個星期了還沒到，物流資訊也不更新",
                           "My package still hasn't arrived after a week and tracking hasn't updated"};
    for (auto t : texts) {
        INFO(t);
        auto f = facets(t);
        CHECK(f.category == Category::logistics);
        CHECK(f.subcategory == Subcategory::delivery_late);
        CHECK(f.dimension == Dimension::reliability);
    }
    const char* money[] = {"结账的时候多收了我二十块钱", "結帳的時候多收了我二十塊錢", "The cashier overcharged me by $20"};
    for (auto t : money) {
        INFO(t);
        auto f = facets(t);
        CHECK(f.sub_cause == SubCause::money_error);
        CHECK(f.cause == Cause::service);
    }
}
