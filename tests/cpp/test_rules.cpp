#include <catch2/catch.hpp>

#include <complaintkit/json.hpp>
#include <complaintkit/rules.hpp>

#include <algorithm>
#include <thread>

using namespace ck;

namespace {

std::string pack(const std::string& rules, const std::string& extra = "") {
    return R"({"version": 1, "name": "test", )" + extra + R"("rules": [)" + rules + "]}";
}

RuleSet compile(const std::string& rules) { return RuleSet::compile(pack(rules)); }

std::vector<std::string> fired(const Classification& c) {
    std::vector<std::string> out;
    for (const auto& e : c.evidence) out.emplace_back(e.rule_id);
    return out;
}

std::string compile_error(const std::string& json) {
    try {
        RuleSet::compile(json);
    } catch (const RulePackError& e) {
        return e.what();
    }
    return "compiled";
}

}  // namespace

TEST_CASE("keywords match across case, width and Chinese script", "[rules]") {
    auto rs = compile(R"({"id": "attitude", "when": {"text_any": ["态度差", "RUDE"]}, "set": {"sub_cause": "poor_attitude"}},
                         {"id": "fee", "when": {"text_any": ["fee"]}, "set": {"tags": ["fee"]}})");
    CHECK(rs.classify("店員態度差").facets.sub_cause == SubCause::poor_attitude);
    CHECK(rs.classify("店员态度差").facets.sub_cause == SubCause::poor_attitude);
    CHECK(rs.classify("the clerk was Rude").facets.sub_cause == SubCause::poor_attitude);
    CHECK(rs.classify("ｒｕｄｅ clerk").facets.sub_cause == SubCause::poor_attitude);
    CHECK(rs.classify("hidden ＦＥＥ").fired("fee"));
    // Traditional keyword, Simplified text.
    auto rs2 = compile(R"({"id": "r", "when": {"text_any": ["退貨"]}, "set": {"subcategory": "returns_refunds"}})");
    CHECK(rs2.classify("我要退货").facets.subcategory == Subcategory::returns_refunds);
    // The category follows from the subcategory.
    CHECK(rs2.classify("我要退货").facets.category == Category::after_sales);
}

TEST_CASE("Latin keywords match on word boundaries, CJK anywhere", "[rules]") {
    auto rs = compile(R"({"id": "fee", "when": {"text_any": ["fee"]}, "set": {"tags": ["fee"]}},
                         {"id": "refund", "when": {"text_any": ["refund*"]}, "set": {"tags": ["refund"]}},
                         {"id": "loose", "when": {"text_any": [{"keyword": "charge", "whole_word": false}]}, "set": {"tags": ["charge"]}},
                         {"id": "cjk", "when": {"text_any": ["退款"]}, "set": {"tags": ["cjk"]}})");
    CHECK_FALSE(rs.classify("thanks for the feedback").fired("fee"));
    CHECK_FALSE(rs.classify("coffee was cold").fired("fee"));
    CHECK(rs.classify("a fee, again").fired("fee"));
    CHECK(rs.classify("fee").fired("fee"));
    CHECK(rs.classify("收了fee").fired("fee"));  // CJK next to Latin is a boundary
    CHECK(rs.classify("I was refunded").fired("refund"));
    CHECK_FALSE(rs.classify("nonrefundable").fired("refund"));
    CHECK(rs.classify("surcharged").fired("loose"));
    CHECK(rs.classify("申请退款中").fired("cjk"));
    // Word boundaries can be switched off for a pack.
    auto loose = RuleSet::compile(pack(R"({"id": "fee", "when": {"text_any": ["fee"]}, "set": {"tags": ["fee"]}})",
                                       R"("options": {"word_boundaries": false}, )"));
    CHECK(loose.classify("feedback").fired("fee"));
}

TEST_CASE("conditions nest with all / any / none", "[rules]") {
    auto rs = compile(R"({"id": "r", "when": {"all": [
                            {"text_any": ["refund", "退款"]},
                            {"any": [{"text_all": ["still", "waiting"]}, {"text_any": ["没到账"]}]},
                            {"none": [{"text_any": ["thank you"]}]}]},
                          "set": {"subcategory": "returns_refunds"}})");
    CHECK(rs.classify("Refund? I am still waiting").fired("r"));
    CHECK(rs.classify("退款一直没到账").fired("r"));
    CHECK_FALSE(rs.classify("refund, still waiting, thank you").fired("r"));
    CHECK_FALSE(rs.classify("refund please, waiting").fired("r"));
    CHECK_FALSE(rs.classify("still waiting").fired("r"));
}

TEST_CASE("regex predicates run on the folded text", "[rules]") {
    auto rs = compile(R"({"id": "money", "when": {"regex": "多收了?\\d+元"}, "set": {"sub_cause": "money_error"}},
                         {"id": "times", "when": {"regex": "(\\d+|three|3) times"}, "set": {"tags": ["repeat"]}})");
    auto c = rs.classify("結帳時多收了２０元");
    REQUIRE(c.fired("money"));
    CHECK(c.facets.sub_cause == SubCause::money_error);
    const auto& h = c.find("money")->hits.at(0);
    CHECK(std::string("結帳時多收了２０元").substr(h.begin, h.end - h.begin) == "多收了２０元");
    CHECK(rs.classify("I called THREE times").fired("times"));
}

TEST_CASE("regexes and literals in one pack: every regex match, every literal", "[rules]") {
    // The scanner learns from one scan of literals and start-less regexes whether a text
    // needs the regex scan with start offsets; that scan must still give every match.
    auto rs = compile(R"({"id": "num", "when": {"regex": "\\d+ yuan"}, "set": {"sub_cause": "money_error"}},
                         {"id": "late", "when": {"text_any": ["late", "refund"]}, "set": {"category": "logistics"}})");
    const std::string text = "late: 20 yuan, then 300 yuan, no refund";
    const auto c = rs.classify(text);
    REQUIRE(c.fired("num"));
    const auto& rx = c.find("num")->hits;
    REQUIRE(rx.size() == 2);
    CHECK(text.substr(rx[0].begin, rx[0].end - rx[0].begin) == "20 yuan");
    CHECK(text.substr(rx[1].begin, rx[1].end - rx[1].begin) == "300 yuan");
    REQUIRE(c.fired("late"));
    CHECK(c.find("late")->hits.size() == 2);
    const auto only_literals = rs.classify("late again");
    CHECK(only_literals.fired("late"));
    CHECK_FALSE(only_literals.fired("num"));
    const auto only_regex = rs.classify("5 yuan");
    CHECK(only_regex.fired("num"));
    CHECK_FALSE(only_regex.fired("late"));
}

TEST_CASE("field predicates test the complaint record", "[rules]") {
    auto rs = compile(R"(
      {"id": "chan", "when": {"channel": ["regulator_referral"]}, "set": {"severity": "critical"}},
      {"id": "vip", "when": {"tier": ["key_account", "high_value"]}, "set": {"tags": ["vip"]}},
      {"id": "big", "when": {"amount": {"kind": "overcharged", "min_minor": 10000, "currency": "CNY"}}, "set": {"tags": ["big"]}},
      {"id": "bj", "when": {"branch_prefix": ["BJ-"]}, "set": {"tags": ["beijing"]}},
      {"id": "gd", "when": {"region_prefix": ["廣東省", "深圳市"]}, "set": {"tags": ["shenzhen"]}},
      {"id": "prod", "when": {"product": ["Credit Card"]}, "set": {"tags": ["card"]}},
      {"id": "fuel", "when": {"attribute": {"name": "fuel", "equals": "premium"}}, "set": {"tags": ["premium"]}},
      {"id": "mins", "when": {"attribute": {"name": "engine_off_minutes", "max": 5}}, "set": {"tags": ["short_stop"]}},
      {"id": "repeat", "when": {"prior_complaints": {"min": 2}}, "set": {"severity": "serious"}},
      {"id": "night", "when": {"hour": {"from": 22, "to": 6}}, "set": {"tags": ["night"]}},
      {"id": "weekend", "when": {"weekday": ["sat", "sun"]}, "set": {"tags": ["weekend"]}},
      {"id": "en", "when": {"language": ["en"]}, "set": {"tags": ["english"]}})");
    Complaint c;
    c.text = "The car stalls after buying vanilla ice cream.";
    c.channel = Channel::regulator_referral;
    c.customer.tier = Tier::key_account;
    c.amounts["overcharged"] = Money{12000, "CNY"};
    c.branch = "BJ-0042";
    c.region = {"广东省", "深圳市", "南山区"};
    c.product = "credit card";
    c.attributes["fuel"] = std::string("Premium");
    c.attributes["engine_off_minutes"] = std::int64_t{4};
    c.language = "en";
    c.received_at = parse_timestamp("2024-03-09T23:30:00+08:00");  // a Saturday night in UTC+8
    auto r = rs.classify(c, {}, ClassifyContext{3});
    CHECK(r.facets.severity == Severity::critical);
    for (auto id : {"chan", "vip", "big", "bj", "gd", "prod", "fuel", "mins", "repeat", "night", "weekend", "en"})
        CHECK(r.fired(id));
    // The prior count can also come from the record's attribute.
    c.attributes["prior_complaints"] = std::int64_t{1};
    CHECK_FALSE(rs.classify(c).fired("repeat"));
    c.attributes["prior_complaints"] = std::int64_t{5};
    CHECK(rs.classify(c).fired("repeat"));
    // Text-only classification has no record: field tests are false.
    auto t = rs.classify(std::string_view("The car stalls"));
    CHECK(t.evidence.empty());
    c.received_at = parse_timestamp("2024-03-11T10:00:00+08:00");  // Monday morning
    c.amounts["overcharged"] = Money{12000, "USD"};
    auto m = rs.classify(c);
    CHECK_FALSE(m.fired("night"));
    CHECK_FALSE(m.fired("weekend"));
    CHECK_FALSE(m.fired("big"));
}

TEST_CASE("facet resolution: severity max, tags union, order, priority, score, stop", "[rules]") {
    auto rs = compile(R"(
      {"id": "low", "order": 10, "when": {"text_any": ["late"]}, "set": {"severity": "minor", "tags": ["a"], "category": "logistics"}},
      {"id": "high", "order": 20, "when": {"text_any": ["lawyer"]}, "set": {"severity": "critical", "tags": ["b"], "category": "other"}},
      {"id": "p1", "order": 30, "when": {"text_any": ["rude"]}, "set": {"sub_cause": "poor_attitude"}},
      {"id": "p2", "order": 30, "priority": 5, "when": {"text_any": ["rude"]}, "set": {"sub_cause": "impoliteness"}},
      {"id": "s1", "order": 40, "when": {"text_any": ["slow"]}, "set": {"dimension": "responsiveness"}},
      {"id": "s2", "order": 40, "when": {"text_any": ["slow", "waited", "queue"]}, "set": {"dimension": "reliability"}})");
    const ClassifyOptions explain{true, true};  // overridden reasons are reported in explain mode
    auto c = rs.classify("late again, my lawyer says the rude clerk was slow, we waited in the queue", explain);
    CHECK(c.facets.severity == Severity::critical);
    CHECK(c.facets.tags == std::vector<std::string>{"a", "b"});
    CHECK(c.facets.category == Category::logistics);  // lower order wins
    CHECK(c.facets.sub_cause == SubCause::impoliteness);  // same order: higher priority
    CHECK(c.facets.dimension == Dimension::reliability);  // same order and priority: higher score
    CHECK(c.find("s2")->score == 3);
    CHECK(c.facet_score[static_cast<int>(FacetId::dimension)] == 3);
    CHECK(fired(c) == std::vector<std::string>{"low", "high", "p1", "p2", "s1", "s2"});
    const auto& over = c.find("high")->overridden;
    REQUIRE(over.size() == 1);
    CHECK(over[0] == "category: already decided by rule \"low\" (order 10)");
    CHECK(c.find("p1")->overridden.at(0).find("rule \"p2\" wins") != std::string::npos);
    CHECK(c.find("low")->decided_facets() == std::vector<FacetId>{FacetId::category, FacetId::tags});
    CHECK(c.score > 0);

    auto stop = compile(R"(
      {"id": "media", "order": 1, "when": {"text_any": ["journalist"]}, "set": {"severity": "serious", "tags": ["media"]}, "stop": true},
      {"id": "lawyer", "order": 2, "when": {"text_any": ["lawyer"]}, "set": {"severity": "critical", "tags": ["legal"]}},
      {"id": "cat", "order": 2, "when": {"text_any": ["lawyer"]}, "set": {"category": "other"}})");
    auto s = stop.classify("a journalist and a lawyer", explain);
    CHECK(stop.classify("a journalist and a lawyer").find("lawyer")->overridden.empty());
    CHECK(s.facets.severity == Severity::serious);
    CHECK(s.facets.tags == std::vector<std::string>{"media"});
    CHECK(s.facets.category == Category::other);  // not fixed by the stop rule
    CHECK(s.find("lawyer")->overridden.at(0) == "severity: fixed by stop rule \"media\"");
}

TEST_CASE("facet conditions see the decisions of lower orders", "[rules]") {
    auto rs = compile(R"(
      {"id": "cat", "order": 1, "when": {"text_any": ["快递"]}, "set": {"category": "logistics"}},
      {"id": "dim", "order": 2, "when": {"facet": {"category": "logistics"}}, "set": {"dimension": "reliability"}},
      {"id": "fallback", "order": 3, "when": {"facet": {"category": "unknown"}}, "set": {"category": "other"}})");
    auto a = rs.classify("快递三天没到");
    CHECK(a.facets.dimension == Dimension::reliability);
    CHECK(a.facets.category == Category::logistics);
    auto b = rs.classify("nothing relevant");
    CHECK(b.facets.category == Category::other);
    CHECK(b.facets.dimension == Dimension::unknown);
}

TEST_CASE("a sub-value that contradicts its parent is dropped, with the reason", "[rules]") {
    auto rs = compile(R"(
      {"id": "cat", "order": 1, "when": {"text_any": ["x"]}, "set": {"category": "logistics"}},
      {"id": "sub", "order": 2, "when": {"text_any": ["x"]}, "set": {"subcategory": "returns_refunds"}})");
    auto c = rs.classify("x", ClassifyOptions{true, true});
    CHECK(c.facets.category == Category::logistics);
    CHECK(c.facets.subcategory == Subcategory::unknown);
    CHECK(c.find("sub")->overridden.at(0).find("belongs to category \"after_sales\"") != std::string::npos);
}

TEST_CASE("evidence offsets point into the original text", "[rules]") {
    auto rs = compile(R"({"id": "r", "when": {"text_any": ["态度差", "fee", "发票"]}, "set": {"tags": ["t"]}})");
    const std::string text = "Ｆｅｅ加收，店員態度差，發票也不給。態度差！";
    auto c = rs.classify(text);
    const auto* ev = c.find("r");
    REQUIRE(ev != nullptr);
    REQUIRE(ev->hits.size() == 4);
    CHECK(ev->score == 3);  // three distinct keywords
    std::vector<std::string> found;
    for (const auto& h : ev->hits) found.push_back(text.substr(h.begin, h.end - h.begin));
    std::sort(found.begin(), found.end());
    CHECK(found == std::vector<std::string>{"態度差", "態度差", "發票", "Ｆｅｅ"});  // byte order
    for (const auto& h : ev->hits) {
        if (h.keyword == "fee") {
            CHECK(h.char_begin == 0);
            CHECK(h.char_end == 3);
        }
        if (h.keyword == "发票") {
            CHECK(h.char_begin == 12);
            CHECK(h.char_end == 14);
        }
    }
    // Title and text are both scanned; hits say which field.
    Complaint cp;
    cp.title = "態度差";
    cp.text = "没有发票";
    auto t = rs.classify(cp);
    REQUIRE(t.find("r")->hits.size() == 2);
    CHECK(t.find("r")->hits[0].field == TextField::title);
    CHECK(t.find("r")->hits[1].field == TextField::text);
    CHECK(t.find("r")->hits[1].begin == std::string("没有").size());
}

TEST_CASE("explain mode reports rules that did not fire, with the reason", "[rules]") {
    auto rs = compile(R"(
      {"id": "kw", "when": {"text_any": ["lawyer", "律师"]}, "set": {"severity": "critical"}},
      {"id": "all", "when": {"text_all": ["refund", "never", "arrived"]}, "set": {"tags": ["x"]}},
      {"id": "none", "when": {"all": [{"text_any": ["late"]}, {"none": [{"text_any": ["sorry"]}]}]}, "set": {"tags": ["y"]}},
      {"id": "chan", "when": {"channel": ["phone"]}, "set": {"tags": ["z"]}},
      {"id": "hit", "when": {"text_any": ["late"]}, "set": {"category": "logistics"}})");
    auto c = rs.classify("late, sorry, refund", ClassifyOptions{true, true});
    CHECK(fired(c) == std::vector<std::string>{"hit"});
    REQUIRE(c.misses.size() == 4);
    CHECK(c.misses[0].rule_id == "kw");
    CHECK(c.misses[0].reason == "/rules/0/when/text_any: no keyword of text_any matched (0 of 2)");
    CHECK(c.misses[1].reason == "/rules/1/when/text_all: 2 of 3 keywords missing (\"never\", \"arrived\")");
    CHECK(c.misses[2].reason == "/rules/2/when/all/1/none: excluded by /rules/2/when/all/1/none/0 (\"sorry\" matched)");
    CHECK(c.misses[3].reason == "/rules/3/when/channel: no complaint record: channel unknown");
    CHECK(rs.classify("late, sorry, refund").misses.empty());
    const std::string j = to_json(c);
    CHECK(j.find("\"misses\"") != std::string::npos);
    CHECK(j.find("\"decided\":[\"category\"]") != std::string::npos);
}

TEST_CASE("a pack that does not compile reports every problem at once", "[rules][bad-input]") {
    const std::string bad = pack(R"(
      {"id": "a", "when": {"text_any": []}, "set": {"category": "logistic"}},
      {"id": "a", "when": {"regex": "(unclosed"}, "set": {"severity": "huge"}},
      {"id": "c", "when": {"text_any": ["ok", ""]}, "set": {"colour": "red"}, "extra": 1},
      {"id": "d", "when": {"tex_any": ["x"]}, "set": {"subcategory": "returns_refunds", "category": "logistics"}},
      {"id": "e", "when": {"text_any": ["x"], "channel": ["phone"]}, "set": {}})");
    const std::string msg = compile_error(bad);
    CHECK_THAT(msg, Catch::Contains("/rules/0/when/text_any: rule \"a\": empty keyword list"));
    CHECK_THAT(msg, Catch::Contains("/rules/0/set/category: rule \"a\": unknown category code \"logistic\""));
    CHECK_THAT(msg, Catch::Contains("/rules/1/id: duplicate rule id \"a\" (first at /rules/0)"));
    CHECK_THAT(msg, Catch::Contains("/rules/1/when/regex: rule \"a\": bad regex \"(unclosed\""));
    CHECK_THAT(msg, Catch::Contains("/rules/1/set/severity: rule \"a\": unknown severity code \"huge\""));
    CHECK_THAT(msg, Catch::Contains("/rules/2/when/text_any/1: rule \"c\": empty keyword"));
    CHECK_THAT(msg, Catch::Contains("/rules/2/set/colour: rule \"c\": unknown facet \"colour\""));
    CHECK_THAT(msg, Catch::Contains("/rules/2/extra: rule \"c\": unknown field \"extra\""));
    CHECK_THAT(msg, Catch::Contains("/rules/3/when/tex_any: rule \"d\": unknown condition \"tex_any\""));
    CHECK_THAT(msg, Catch::Contains("/rules/3/set/subcategory: rule \"d\": subcategory \"returns_refunds\" belongs to category \"after_sales\", but the rule sets category \"logistics\""));
    CHECK_THAT(msg, Catch::Contains("/rules/4/when: rule \"e\": a condition has exactly one key"));
    CHECK_THAT(msg, Catch::Contains("/rules/4/set: rule \"e\": \"set\" sets no facet"));
    try {
        RuleSet::compile(bad);
        FAIL("compiled");
    } catch (const RulePackError& e) {
        CHECK(e.code() == ErrorCode::compile);
        CHECK(e.diagnostics().size() >= 12);
    }
    auto lint = RuleSet::lint(bad);
    CHECK(lint.size() >= 12);
    CHECK(to_json(lint).find("\"rule\":\"c\"") != std::string::npos);

    CHECK_THAT(compile_error("{\"version\": 1, \"name\": \"x\", \"rules\": [}"), Catch::Contains("line 1"));
    CHECK_THAT(compile_error("{\"version\": 2, \"name\": \"x\", \"rules\": []}"), Catch::Contains("/version: unsupported rule pack version 2"));
    CHECK_THAT(compile_error("{\"version\": 1, \"rules\": [], \"x\": 1}"), Catch::Contains("/name: required field is missing"));
    CHECK_THAT(compile_error("{\"version\": 1, \"rules\": [], \"x\": 1}"), Catch::Contains("/x: unknown field"));
    CHECK_THAT(compile_error(pack("")), Catch::Contains("/rules: a rule pack needs at least one rule"));
    CHECK_THAT(compile_error(pack(R"({"id": "w", "when": {"hour": {"from": 25, "to": 3}}, "set": {"tags": ["x"]}})")),
               Catch::Contains("/rules/0/when/hour/from: rule \"w\": hour must be 0–23"));
    CHECK_THAT(compile_error(pack(R"({"id": "w", "when": {"channel": ["pigeon"]}, "set": {"tags": ["x"]}})")),
               Catch::Contains("/rules/0/when/channel/0: rule \"w\": unknown channel code \"pigeon\""));
    CHECK_THAT(compile_error(pack(R"({"id": "w", "when": {"weekday": ["funday"]}, "set": {"tags": ["x"]}})")),
               Catch::Contains("unknown weekday \"funday\""));
    CHECK_THAT(compile_error(pack(R"({"id": "bad id", "set": {"tags": ["x"]}})")),
               Catch::Contains("/rules/0/id: rule id \"bad id\" may only hold"));
}

// A regex is checked by parsing it; one that parses but exceeds what the engine can build
// ("Pattern is too large" with leftmost start of match) is found when the pack's database is
// built, and is then reported where it is used, like a syntax error, never only at "/rules".
TEST_CASE("a regex the engine cannot build is reported where it is used", "[rules][bad-input]") {
    const std::string too_large = R"({"id": "big", "when": {"regex": "a.{1000}b"}, "set": {"tags": ["x"]}})";
    const std::string ok = R"J({"id": "fine", "when": {"regex": "late (delivery|parcel)"}, "set": {"tags": ["y"]}})J";

    // alone: the database does not build, and the error names the rule and its path
    std::string msg = compile_error(pack(ok + "," + too_large));
    CHECK_THAT(msg, Catch::Contains("/rules/1/when/regex: rule \"big\": bad regex \"a.{1000}b\": Pattern is too large"));
    CHECK_THAT(msg, !Catch::Contains("rule \"fine\""));
    CHECK_THAT(msg, !Catch::Contains("error: /rules: "));

    // with other errors (the database is then not built): still reported, with them
    msg = compile_error(pack(too_large + R"(, {"id": "bad", "when": {"regex": "(unclosed"}, "set": {"tags": ["z"]}},
        {"id": "twice", "when": {"any": [{"text_any": ["parcel"]}, {"regex": "a.{1000}b"}]}, "set": {"severity": "huge"}})"));
    CHECK_THAT(msg, Catch::Contains("/rules/0/when/regex: rule \"big\": bad regex \"a.{1000}b\": Pattern is too large"));
    CHECK_THAT(msg, Catch::Contains("/rules/1/when/regex: rule \"bad\": bad regex \"(unclosed\": Missing close parenthesis"));
    CHECK_THAT(msg, Catch::Contains("/rules/2/when/any/1/regex: rule \"twice\": bad regex \"a.{1000}b\": Pattern is too large"));
    CHECK_THAT(msg, Catch::Contains("/rules/2/set/severity: rule \"twice\": unknown severity code \"huge\""));

    // lint gives the same diagnostics, with their rule ids and paths
    const auto lint = RuleSet::lint(pack(ok + "," + too_large));
    REQUIRE(lint.size() == 1);
    CHECK(lint[0].level == RuleDiagnostic::Level::error);
    CHECK(lint[0].rule_id == "big");
    CHECK(lint[0].path == "/rules/1/when/regex");

    // a regex that parses and builds compiles and matches as before
    const auto rs = compile(ok);
    CHECK(fired(rs.classify("Late delivery again")) == std::vector<std::string>{"fine"});
}

// Compiling builds a pack's two scanner databases side by side on a pool helper; hosts may
// also compile packs on several threads at once. Every compilation must give the same pack.
TEST_CASE("rule packs compile on several threads at once", "[rules]") {
    const std::string json(RuleSet::default_pack_json());
    const std::string text = "客服態度太差了，扣了两次钱，我要去12315投诉。I was charged $1,250 twice.";
    const std::string expected = to_json(RuleSet::default_rules().classify(text));
    CHECK(expected.find("\"sev.regulator\"") != std::string::npos);
    std::vector<std::string> got(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            const RuleSet rs = RuleSet::compile(json);
            got[t] = to_json(rs.classify(text));
        });
    for (auto& th : threads) th.join();
    for (const auto& g : got) CHECK(g == expected);
}

TEST_CASE("lint warns about rules shadowed by an earlier stop rule and duplicate keywords", "[rules]") {
    auto rs = compile(R"(
      {"id": "stopper", "order": 1, "when": {"text_any": ["lawyer", "律师", "lawsuit"]}, "set": {"severity": "critical", "category": "other"}, "stop": true},
      {"id": "shadowed", "order": 2, "when": {"text_any": ["律師"]}, "set": {"severity": "serious"}},
      {"id": "narrower", "order": 2, "when": {"all": [{"text_any": ["lawsuit"]}, {"text_any": ["bank"]}]}, "set": {"category": "other"}},
      {"id": "fine", "order": 2, "when": {"text_any": ["lawyer", "court"]}, "set": {"severity": "serious"}},
      {"id": "dup", "order": 3, "when": {"text_any": ["退貨", "退货"]}, "set": {"tags": ["r"]}})");
    std::vector<std::string> warned;
    for (const auto& w : rs.warnings()) warned.push_back(w.rule_id);
    CHECK(warned == std::vector<std::string>{"shadowed", "narrower", "dup"});
    CHECK(rs.warnings()[0].path == "/rules/1");
    CHECK_THAT(rs.warnings()[0].message, Catch::Contains("stop rule \"stopper\" (/rules/0) fires whenever it does and fixes severity"));
    CHECK(rs.warnings()[2].path == "/rules/4/when/text_any/1");
    CHECK_THAT(rs.warnings()[2].message, Catch::Contains("duplicate keyword \"退货\""));
}

TEST_CASE("invalid UTF-8 is an error in strict mode and replaced in lenient mode", "[rules][bad-input]") {
    auto rs = compile(R"({"id": "r", "when": {"text_any": ["退款"]}, "set": {"tags": ["r"]}})");
    const std::string bad = std::string("退款\xFF\xFE没到");
    try {
        (void)rs.classify(bad);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_utf8);
        CHECK(std::string(e.what()) == "/text: invalid UTF-8 at byte 6");
    }
    ClassifyOptions lenient;
    lenient.strict_utf8 = false;
    auto c = rs.classify(bad, lenient);
    CHECK(c.replaced_invalid_utf8 == 2);
    REQUIRE(c.fired("r"));
    CHECK(c.find("r")->hits[0].begin == 0);
    CHECK(c.find("r")->hits[0].end == 6);
    // Batches name the failing item.
    std::vector<std::string_view> texts = {"退款", bad, "ok"};
    try {
        (void)rs.classify_many(texts);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("item 1: /text: invalid UTF-8"));
    }
}

TEST_CASE("empty text classifies to unknown", "[rules][bad-input]") {
    auto rs = compile(R"({"id": "always", "set": {"category": "other"}})");
    for (std::string_view t : {"", "   ", "\n\t"}) {
        auto c = rs.classify(t);
        CHECK(c.empty_text);
        CHECK(c.facets.empty());
        CHECK(c.evidence.empty());
    }
    CHECK(rs.classify("something").facets.category == Category::other);
    CHECK(RuleSet::default_rules().classify("").facets.empty());
}

TEST_CASE("batches keep input order whatever the thread count", "[rules]") {
    const auto& rs = RuleSet::default_rules();
    std::vector<std::string> texts;
    const char* samples[] = {"快递一个星期都没到", "店員態度很差，還翻白眼", "I was charged twice for the same order",
                             "産品用了兩天就壞了", "我要去12315投诉你们", "", "Great idea: add a night delivery option"};
    for (int i = 0; i < 700; ++i) texts.push_back(std::string(samples[i % 7]) + (i % 3 ? "" : " again"));
    std::vector<std::string_view> views(texts.begin(), texts.end());
    BatchOptions one;
    one.threads = 1;
    BatchOptions many;
    many.threads = 4;
    auto a = rs.classify_many(views, one);
    auto b = rs.classify_many(views, many);
    REQUIRE(a.size() == texts.size());
    CHECK(a == b);
    for (std::size_t i = 0; i < texts.size(); ++i) CHECK(a[i] == rs.classify(views[i]));
}
