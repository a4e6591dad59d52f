// The optimised evaluation (every call without `explain`: per-pattern match lists, rule
// bitsets, per-predicate keyword lists, one-pass validation and folding) must give exactly
// what the reference evaluation gives. The reference is the explain path: it evaluates
// every rule of the pack over matches sorted by keyword and keyword uses grouped by
// predicate. Compared on the evaluation set and on generated texts in the three scripts
// (overlapping keywords, word boundaries, case / width / Traditional variants, titles,
// empty and invalid UTF-8 text in lenient mode).
#include <catch2/catch.hpp>

#include "json_internal.hpp"
#include "rules_internal.hpp"

#include <complaintkit/rules.hpp>

#include <fstream>
#include <random>
#include <sstream>

using namespace ck;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

ClassifyOptions lenient(bool explain, EvidenceLevel level = EvidenceLevel::full) {
    ClassifyOptions o;
    o.explain = explain;
    o.strict_utf8 = false;
    o.evidence = level;
    return o;
}

/// Everything but the explain-only fields (misses, overridden).
void check_same(const Classification& fast, const Classification& ref, const std::string& what, bool with_hits = true) {
    INFO(what);
    CHECK(fast.facets == ref.facets);
    CHECK(fast.score == ref.score);
    CHECK(fast.facet_score == ref.facet_score);
    CHECK(fast.empty_text == ref.empty_text);
    CHECK(fast.replaced_invalid_utf8 == ref.replaced_invalid_utf8);
    CHECK(fast.misses.empty());
    REQUIRE(fast.evidence.size() == ref.evidence.size());
    for (std::size_t k = 0; k < ref.evidence.size(); ++k) {
        INFO("evidence " << k << ": " << ref.evidence[k].rule_id);
        CHECK(fast.evidence[k].rule_id == ref.evidence[k].rule_id);
        CHECK(fast.evidence[k].score == ref.evidence[k].score);
        CHECK(fast.evidence[k].decided_mask == ref.evidence[k].decided_mask);
        CHECK(fast.evidence[k].overridden.empty());
        if (with_hits) CHECK(fast.evidence[k].hits == ref.evidence[k].hits);
        else CHECK(fast.evidence[k].hits.empty());
    }
}

void check_text(const RuleSet& rs, std::string_view text, const std::string& what) {
    const Classification ref = rs.classify(text, lenient(true));
    check_same(rs.classify(text, lenient(false)), ref, what + " (full)");
    check_same(rs.classify(text, lenient(false, EvidenceLevel::rules)), ref, what + " (rules)", false);
}

/// The ids of the rules that fired on `text`, space-separated, in evaluation order.
std::string fired_ids(const RuleSet& rs, std::string_view text) {
    std::string ids;
    for (const auto& e : rs.classify(text).evidence) ids += std::string(ids.empty() ? "" : " ") + std::string(e.rule_id);
    return ids;
}

/// check_text on 2,000 seeded texts of fewer than max_parts pieces, each followed by a space.
void check_random_texts(const RuleSet& rs, const std::vector<std::string>& pieces, std::size_t max_parts, unsigned seed) {
    std::mt19937 rng(seed);
    for (int i = 0; i < 2000; ++i) {
        std::string s;
        const std::size_t parts = rng() % max_parts;
        for (std::size_t p = 0; p < parts; ++p) s += pieces[rng() % pieces.size()] + " ";
        check_text(rs, s, "\"" + s + "\"");
    }
}

void check_complaint(const RuleSet& rs, const Complaint& c, const std::string& what) {
    const Classification ref = rs.classify(c, lenient(true));
    check_same(rs.classify(c, lenient(false)), ref, what + " (full)");
    check_same(rs.classify(c, lenient(false, EvidenceLevel::rules)), ref, what + " (rules)", false);
}

/// Every keyword as written in a pack (text_any / text_all lists, nested anywhere).
void keywords_of(const boost::json::value& v, std::vector<std::string>& out) {
    if (v.is_object()) {
        for (const auto& kv : v.as_object()) {
            if ((kv.key() == "text_any" || kv.key() == "text_all") && kv.value().is_array()) {
                for (const auto& k : kv.value().as_array()) {
                    if (k.is_string()) out.emplace_back(k.as_string());
                    else if (k.is_object()) out.emplace_back(k.as_object().at("keyword").as_string());
                }
            } else {
                keywords_of(kv.value(), out);
            }
        }
    } else if (v.is_array()) {
        for (const auto& x : v.as_array()) keywords_of(x, out);
    }
}

/// Upper case and full width for ASCII letters, at random.
std::string vary(std::string s, std::mt19937& rng) {
    std::string out;
    const int mode = static_cast<int>(rng() % 4);  // 0 as is, 1 upper, 2 full width, 3 mixed
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!letter || mode == 0 || (mode == 3 && rng() % 2)) {
            out += ch;
        } else if (mode == 1 || mode == 3) {
            out += static_cast<char>(c >= 'a' ? c - 32 : c);
        } else {  // U+FF21… / U+FF41…: EF BC A1 … / EF BD 81 …
            const char32_t cp = static_cast<char32_t>(c) + 0xFEE0;
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    return out;
}

/// A code-point-aligned slice of s.
std::string slice(const std::string& s, std::mt19937& rng) {
    if (s.empty()) return s;
    auto align = [&](std::size_t i) {
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        return i;
    };
    const std::size_t a = align(rng() % s.size());
    const std::size_t b = align(a + rng() % 40);
    return s.substr(a, b - a);
}

std::vector<std::string> eval_texts() {
    std::vector<std::string> texts;
    std::istringstream in(slurp(CK_SOURCE_DIR "/tests/data/classify_eval.jsonl"));
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) texts.emplace_back(detail::parse_json(line).as_object().at("text").as_string());
    return texts;
}

/// Random texts assembled from keywords (varied), slices of real complaints, separators
/// that make or break word boundaries, and now and then invalid bytes.
std::vector<std::string> generated_texts(const std::vector<std::string>& keywords, const std::vector<std::string>& real,
                                         std::size_t n, std::uint32_t seed) {
    static const char* seps[] = {"", " ", "x", "，", "_", "9", "-", "。", "\n", "ａ", "態度", "s"};
    static const char* bad[] = {"\xff", "\xe6\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"};
    std::mt19937 rng(seed);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::string s;
        const std::size_t parts = rng() % 12;
        for (std::size_t p = 0; p < parts; ++p) {
            switch (rng() % 6) {
            case 0:
            case 1:
            case 2: {
                std::string k = keywords[rng() % keywords.size()];
                if (!k.empty() && k.front() == '*') k.erase(0, 1);
                if (!k.empty() && k.back() == '*') k.pop_back();
                if (rng() % 3 == 0 && k.size() > 2) k = k.substr(0, k.size() - 1 - rng() % 2);  // a prefix, maybe broken
                s += vary(k, rng);
                break;
            }
            case 3: s += vary(slice(real[rng() % real.size()], rng), rng); break;
            case 4: s += bad[rng() % std::size(bad)]; break;
            default: break;
            }
            s += seps[rng() % std::size(seps)];
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

TEST_CASE("fast path equals the reference evaluation on the evaluation set", "[rules][fastpath]") {
    const auto& rs = RuleSet::default_rules();
    const auto texts = eval_texts();
    REQUIRE(texts.size() >= 300);
    std::vector<std::string_view> views(texts.begin(), texts.end());
    BatchOptions bo;
    bo.threads = 2;
    const auto batch = rs.classify_many(views, bo);
    std::size_t with_hits = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        check_text(rs, texts[i], "eval item " + std::to_string(i));
        check_same(batch[i], rs.classify(texts[i], lenient(true)), "eval item " + std::to_string(i) + " (batch)");
        for (const auto& e : batch[i].evidence) with_hits += e.hits.size();
    }
    CHECK(with_hits > texts.size());
}

TEST_CASE("fast path equals the reference evaluation on generated texts", "[rules][fastpath]") {
    const auto& rs = RuleSet::default_rules();
    std::vector<std::string> keywords;
    keywords_of(detail::parse_json(RuleSet::default_pack_json()), keywords);
    REQUIRE(keywords.size() > 2000);
    const auto real = eval_texts();
    const auto texts = generated_texts(keywords, real, 3000, 7);
    std::size_t invalid = 0, fired = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        check_text(rs, texts[i], "generated text " + std::to_string(i));
        const auto c = rs.classify(texts[i], lenient(false));
        invalid += c.replaced_invalid_utf8 > 0;
        fired += c.evidence.size();
    }
    CHECK(invalid > 100);  // the generator does exercise lenient replacement
    CHECK(fired > texts.size() * 5);
    // Titles: matches in both fields, none across them.
    for (std::size_t i = 0; i + 1 < texts.size() && i < 1000; i += 2) {
        Complaint c;
        c.title = texts[i];
        c.text = texts[i + 1];
        check_complaint(rs, c, "complaint " + std::to_string(i));
    }
    check_text(rs, "", "empty text");
    check_text(rs, " \t\r\n", "blank text");
    check_text(rs, "\xff\xfe", "only invalid bytes");
}

TEST_CASE("fast path equals the reference evaluation on a pack of edge cases", "[rules][fastpath]") {
    // Overlapping keywords, one keyword in several predicates and rules, open and closed
    // word edges, text_all, none, nested any/all, regexes, facet and tag tests, stop rules,
    // priorities and weights.
    const auto rs = RuleSet::compile(R"({"version": 1, "name": "edges", "rules": [
      {"id": "a", "order": 10, "weight": 2, "when": {"text_any": ["ab", "abc", "bc", "abcd*", "*cd", "c"]}, "set": {"tags": ["x", "y"]}},
      {"id": "b", "order": 10, "priority": 1, "when": {"any": [{"text_any": ["bc", "態度"]}, {"text_all": ["ab", "d"]}]},
       "set": {"category": "service_quality", "severity": "minor"}},
      {"id": "c", "order": 10, "when": {"all": [{"text_any": ["态度", "ab"]}, {"none": [{"text_any": ["zz"]}]}]},
       "set": {"category": "product_quality", "severity": "serious", "tags": ["y", "z"]}},
      {"id": "d", "order": 20, "when": {"regex": "a[bc]+d?"}, "set": {"cause": "service"}},
      {"id": "e", "order": 20, "when": {"any": [{"regex": "(ab|bc)+"}, {"text_any": [{"keyword": "ab", "whole_word": false}, "abc"]}]},
       "set": {"cause": "product_quality", "sub_cause": "manufacturer_defect"}},
      {"id": "f", "order": 30, "when": {"all": [{"facet": {"category": ["service_quality", "unknown"]}}, {"facet": {"tags": "z"}}]},
       "set": {"dimension": "assurance"}},
      {"id": "g", "order": 30, "stop": true, "when": {"text_all": ["c", "d", "ab"]}, "set": {"severity": "critical"}},
      {"id": "h", "order": 40, "when": {"text_any": ["d", "dd", "ddd"]}, "set": {"severity": "minor", "tags": ["d"]}},
      {"id": "i", "order": 50, "when": {"facet": {"severity": ["critical", "serious"]}}, "set": {"motive": "venting"}},
      {"id": "j", "order": 50, "when": {"none": [{"facet": {"cause": "unknown"}}]}, "set": {"attribution": "enterprise"}},
      {"id": "k", "order": 60, "set": {"kind": "grievance"}}
    ]})");
    static const char* pieces[] = {"ab", "abc", "bc", "abcd", "cd", "c", "d", "dd", "zz", "態度", "态度", "ＡＢ", "AbC",
                                   " ", "x", "9", "，", "_", "\xff", "Ｄ", "abcdabcd", "ｃ"};
    std::mt19937 rng(11);
    for (int i = 0; i < 4000; ++i) {
        std::string s;
        const std::size_t parts = rng() % 10;
        for (std::size_t p = 0; p < parts; ++p) s += pieces[rng() % std::size(pieces)];
        check_text(rs, s, "\"" + s + "\"");
        if (i % 4 == 0) {
            Complaint c;
            c.title = s;
            for (std::size_t p = 0; p < 3; ++p) c.text += pieces[rng() % std::size(pieces)];
            check_complaint(rs, c, "title \"" + s + "\", text \"" + c.text + "\"");
        }
    }
}

// The fast path evaluates a rule that is all of some facet tests, one of which needs a
// known value, only once a lower tier set that value (keyed facet rules): values set in
// the same tier, overridden within a tier, fixed by a stop rule, or set by a keyed rule
// itself must give what the reference evaluation gives.
TEST_CASE("fast path: facet rules keyed on values set by lower tiers", "[rules][fastpath]") {
    const auto rs = RuleSet::compile(R"({"version": 1, "name": "keyed", "rules": [
      {"id": "a", "order": 10, "when": {"text_any": ["alpha"]}, "set": {"category": "service_quality"}},
      {"id": "b", "order": 10, "priority": 1, "when": {"text_any": ["beta"]}, "set": {"category": "product_quality"}},
      {"id": "same_tier", "order": 10, "when": {"facet": {"category": "service_quality"}}, "set": {"motive": "venting"}},
      {"id": "g", "order": 10, "when": {"text_any": ["gamma"]}, "set": {"severity": "serious"}},
      {"id": "d", "order": 10, "when": {"text_any": ["delta"]}, "set": {"severity": "critical"}},
      {"id": "omega", "order": 15, "stop": true, "when": {"text_any": ["omega"]}, "set": {"category": "other"}},
      {"id": "k1", "order": 20, "when": {"facet": {"category": "service_quality"}}, "set": {"dimension": "assurance"}},
      {"id": "k2", "order": 20, "when": {"all": [{"facet": {"cause": "unknown"}}, {"facet": {"category": "product_quality"}}]},
       "set": {"attribution": "enterprise"}},
      {"id": "k3", "order": 20, "when": {"facet": {"severity": ["serious", "minor"]}}, "set": {"tags": ["sev"]}},
      {"id": "k6", "order": 20, "when": {"facet": {"category": ["other", "unknown"]}}, "set": {"cause": "other"}},
      {"id": "late", "order": 25, "when": {"text_any": ["alpha"]}, "set": {"category": "product_quality"}},
      {"id": "k4", "order": 30, "when": {"all": [{"facet": {"dimension": "assurance"}}, {"facet": {"attribution": "unknown"}}]},
       "set": {"kind": "grievance"}},
      {"id": "k5", "order": 30, "when": {"any": [{"facet": {"motive": "venting"}}, {"facet": {"cause": "other"}}]},
       "set": {"reasonable": true}}
    ]})");
    auto fired = [&](std::string_view text) { return fired_ids(rs, text); };
    CHECK(fired("alpha") == "a k1 late k4");           // same_tier sees the tier below only
    CHECK(fired("alpha beta") == "a b k2 late");       // k1's value was overridden within tier 10
    CHECK(fired("alpha omega") == "a omega k1 late k4");  // a lower order decided category first
    CHECK(fired("omega alpha") == "a omega k1 late k4");
    CHECK(fired("omega") == "omega k6 k5");            // the stop rule fixed category: other
    CHECK(fired("gamma") == "g k3 k6 k5");
    CHECK(fired("gamma delta") == "g d k6 k5");        // severity is the maximum: critical
    CHECK(rs.classify("alpha beta").facets.category == Category::product_quality);
    check_random_texts(rs, {"alpha", "beta", "gamma", "delta", "omega", " ", "x"}, 8, 5);
}

TEST_CASE("fast path: rules keyed on any of several facet values", "[rules][fastpath]") {
    // `any` of facet tests, and `all` with such an `any` (the default pack's derived
    // motives), can only fire once a lower tier set one of the values they test: they are
    // candidates then, not for every text; `none`, tests that accept "unknown" and an `any`
    // with a keyword stay evaluated for every text.
    const char* pack = R"({"version": 1, "name": "keyed_any", "rules": [
      {"id": "a", "order": 10, "when": {"text_any": ["alpha"]}, "set": {"category": "service_quality"}},
      {"id": "b", "order": 10, "when": {"text_any": ["beta"]}, "set": {"severity": "critical"}},
      {"id": "c", "order": 10, "when": {"text_any": ["gamma"]}, "set": {"attribution": "enterprise"}},
      {"id": "two", "order": 20, "when": {"all": [{"facet": {"attribution": "unknown"}},
         {"any": [{"facet": {"category": "service_quality"}}, {"facet": {"severity": "critical"}}]}]},
       "set": {"motive": "respect"}},
      {"id": "either", "order": 20, "when": {"any": [{"facet": {"category": "service_quality"}},
         {"facet": {"attribution": "enterprise"}}]}, "set": {"dimension": "assurance"}},
      {"id": "not", "order": 20, "when": {"none": [{"facet": {"category": "service_quality"}}]}, "set": {"kind": "grievance"}},
      {"id": "mixed", "order": 20, "when": {"any": [{"facet": {"severity": "critical"}}, {"text_any": ["delta"]}]},
       "set": {"tags": ["m"]}},
      {"id": "open", "order": 20, "when": {"any": [{"facet": {"category": ["service_quality", "unknown"]}},
         {"facet": {"severity": "critical"}}]}, "set": {"cause": "other"}}
    ]})";
    std::vector<RuleDiagnostic> diagnostics;
    const auto impl = detail::compile_pack(pack, diagnostics);
    REQUIRE(impl);
    auto always = [&](std::size_t rank) { return ((impl->always_words[rank / 64] >> (rank % 64)) & 1) != 0; };
    CHECK_FALSE(always(3));  // two
    CHECK_FALSE(always(4));  // either
    CHECK(always(5));        // not
    CHECK(always(6));        // mixed
    CHECK(always(7));        // open
    const RuleSet rs = RuleSet::compile(pack);
    auto fired = [&](std::string_view text) { return fired_ids(rs, text); };
    CHECK(fired("alpha") == "a two either open");
    CHECK(fired("x") == "not open");
    CHECK(fired("beta") == "b two not mixed open");
    CHECK(fired("beta gamma") == "b c either not mixed open");
    CHECK(fired("delta") == "not mixed open");
    CHECK(rs.classify("alpha").facets.motive == Motive::respect);
    check_random_texts(rs, {"alpha", "beta", "gamma", "delta", " ", "x"}, 6, 9);
}

TEST_CASE("strict mode reports the first invalid byte of the title, then of the text", "[rules][fastpath]") {
    const auto& rs = RuleSet::default_rules();
    auto error_of = [&](const Complaint& c) -> std::string {
        try {
            (void)rs.classify(c);
        } catch (const Error& e) {
            return std::string(e.path()) + " " + e.message();
        }
        return "no error";
    };
    Complaint c;
    c.title = "ok title";
    c.text = "abc\xff\xfe";
    CHECK(error_of(c) == "/text invalid UTF-8 at byte 3");
    c.title = "t\xe6\x80!";
    CHECK(error_of(c) == "/title invalid UTF-8 at byte 1");
    c.title.clear();
    c.text = std::string(300, 'a') + "\xc0";
    CHECK(error_of(c) == "/text invalid UTF-8 at byte 300");
}

namespace {
/// Code points in s[0, at), decoded one by one (the obvious way).
std::uint32_t naive_chars(std::string_view s, std::size_t at) {
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < at; ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    return n;
}
}  // namespace

TEST_CASE("code-point offsets of hits equal a naive count, at every alignment", "[rules][fastpath]") {
    const RuleSet rs = RuleSet::compile(R"({"version": 1, "name": "t", "rules": [
      {"id": "k", "when": {"text_any": ["退款", "refund", "é"]}, "set": {"category": "logistics"}},
      {"id": "r", "when": {"regex": "[$£€]\\s?\\d{1,3}(,\\d{3})+"}, "set": {"cause": "price"}}
    ]})");
    // Every prefix length 0..20 shifts the hits across the 8-byte words of the count table.
    for (std::size_t pad = 0; pad <= 20; ++pad) {
        for (const std::string filler : {"x", "字", "é", "€"}) {
            std::string text;
            for (std::size_t i = 0; i < pad; ++i) text += filler;
            text += " refund 退款 £1,234,567 ";
            for (std::size_t i = 0; i < pad; ++i) text += filler;
            text += "é退款";
            Complaint c;
            c.title = text.substr(0, text.size() / 2);
            c.text = text;
            for (const bool with_title : {false, true}) {
                const Classification out = with_title ? rs.classify(c, lenient(false)) : rs.classify(text, lenient(false));
                check_same(out, with_title ? rs.classify(c, lenient(true)) : rs.classify(text, lenient(true)),
                           "pad " + std::to_string(pad) + " " + filler);
                REQUIRE(out.fired("r"));
                std::size_t hits = 0;
                for (const auto& ev : out.evidence)
                    for (const auto& h : ev.hits) {
                        const std::string_view src = h.field == TextField::title ? std::string_view(c.title) : std::string_view(text);
                        INFO("pad " << pad << " filler " << filler << " keyword " << h.keyword);
                        CHECK(h.char_begin == naive_chars(src, h.begin));
                        CHECK(h.char_end == naive_chars(src, h.end));
                        ++hits;
                    }
                CHECK(hits >= 4);
            }
        }
    }
}

TEST_CASE("regex hits keep their leftmost start, in title and text, among literal hits", "[rules][fastpath]") {
    const RuleSet rs = RuleSet::compile(R"({"version": 1, "name": "t", "rules": [
      {"id": "lit", "when": {"text_any": ["refund", "times"]}, "set": {"category": "logistics"}},
      {"id": "rx", "when": {"regex": "(called|phoned)( \\w+){0,3} (\\d+|many) times"}, "set": {"cause": "service"}},
      {"id": "amount", "when": {"regex": "\\d{4,}元"}, "set": {"severity": "serious"}}
    ]})");
    Complaint c;
    c.title = "called you 3 times";
    c.text = "refund please, I phoned them many times and paid 12345元, then 99999元";
    const Classification out = rs.classify(c);
    check_same(out, rs.classify(c, lenient(true)), "title and text");
    const RuleEvidence* rx = out.find("rx");
    REQUIRE(rx);
    REQUIRE(rx->hits.size() == 2);
    CHECK(rx->hits[0].field == TextField::title);
    CHECK(rx->hits[0].begin == 0);
    CHECK(rx->hits[0].end == c.title.size());
    CHECK(rx->hits[1].field == TextField::text);
    CHECK(rx->hits[1].begin == c.text.find("phoned"));
    CHECK(rx->hits[1].end == c.text.find(" and paid"));
    const RuleEvidence* amount = out.find("amount");
    REQUIRE(amount);
    REQUIRE(amount->hits.size() == 2);
    CHECK(amount->hits[0].begin == c.text.find("12345"));
    CHECK(amount->hits[1].begin == c.text.find("99999"));
    // No regex match at all: the cheap test alone, no regex evidence.
    const Classification none = rs.classify("refund please");
    CHECK(none.fired("lit"));
    CHECK_FALSE(none.fired("rx"));
    CHECK_FALSE(none.fired("amount"));
}

// A text alone (no complaint, no prior count) skips the rules whose field tests cannot
// hold without a complaint; rules whose tests hold without one (none of a channel, an
// `any` with a keyword) still fire. Same results as the reference evaluation and as the
// same text in a complaint with no fields.
TEST_CASE("fast path: a text alone skips the rules that need complaint fields", "[rules][fastpath]") {
    const auto rs = RuleSet::compile(R"({"version": 1, "name": "fields", "rules": [
      {"id": "phone", "order": 10, "when": {"channel": ["phone"]}, "set": {"tags": ["phone"]}},
      {"id": "big", "order": 10, "when": {"amount": {"kind": "claimed", "min_minor": 100000}}, "set": {"severity": "serious"}},
      {"id": "repeat", "order": 10, "when": {"prior_complaints": {"min": 2}}, "set": {"tags": ["repeat"]}},
      {"id": "night", "order": 10, "when": {"hour": {"from": 22, "to": 6}}, "set": {"tags": ["night"]}},
      {"id": "not-phone", "order": 10, "when": {"none": [{"channel": ["phone"]}]}, "set": {"tags": ["not_phone"]}},
      {"id": "rude-or-phone", "order": 20, "when": {"any": [{"channel": ["phone"]}, {"text_any": ["rude", "态度差"]}]},
       "set": {"category": "service_quality"}},
      {"id": "phone-and-rude", "order": 20, "when": {"all": [{"channel": ["phone"]}, {"text_any": ["rude"]}]},
       "set": {"cause": "service"}},
      {"id": "unknown-cat", "order": 30, "when": {"facet": {"category": ["unknown"]}}, "set": {"kind": "suggestion"}}
    ]})");
    for (const std::string text : {"rude staff", "態度差", "nothing here", "", "RUDE, very rude"}) {
        const Classification fast = rs.classify(text, lenient(false));
        check_same(fast, rs.classify(text, lenient(true)), "\"" + text + "\"");
        Complaint c;
        c.text = text;
        check_same(fast, rs.classify(c, lenient(false)), "\"" + text + "\" in a complaint");
        if (text.empty()) continue;
        CHECK(fast.fired("not-phone"));
        CHECK(!fast.fired("phone"));
        CHECK(!fast.fired("phone-and-rude"));
        CHECK(fast.fired("rude-or-phone") == (text != "nothing here"));
    }
    // With a complaint the field rules are evaluated as before.
    Complaint c;
    c.text = "rude";
    c.channel = Channel::phone;
    const Classification withc = rs.classify(c, lenient(false));
    CHECK(withc.fired("phone"));
    CHECK(withc.fired("phone-and-rude"));
    CHECK(!withc.fired("not-phone"));
    ClassifyContext ctx;
    ctx.prior_complaints = 3;
    Complaint t;
    t.text = "x";
    CHECK(rs.classify(t, lenient(false), ctx).fired("repeat"));
}

// The scanner reports a literal's length with its id up to 2,046 bytes; longer keywords
// take their length from a table. Both give exact offsets.
TEST_CASE("keywords longer than the scanner's packed length give exact offsets", "[rules][fastpath]") {
    std::string long_kw;
    for (int i = 0; i < 500; ++i) long_kw += "退款";  // 3,000 bytes
    const std::string mid_kw(2046, 'q'), edge_kw(2047, 'r');
    const auto pack = R"({"version": 1, "name": "long", "rules": [
      {"id": "long", "order": 10, "when": {"text_any": [")" + long_kw + R"("]}, "set": {"tags": ["long"]}},
      {"id": "mid", "order": 10, "when": {"text_any": [")" + mid_kw + R"("]}, "set": {"tags": ["mid"]}},
      {"id": "edge", "order": 10, "when": {"text_any": [")" + edge_kw + R"("]}, "set": {"tags": ["edge"]}},
      {"id": "short", "order": 10, "when": {"text_any": ["fee"]}, "set": {"tags": ["short"]}}
    ]})";
    const auto rs = RuleSet::compile(pack);
    const std::string text = "a fee, " + long_kw + " " + mid_kw + " " + edge_kw + " fee";
    const Classification c = rs.classify(text, lenient(false));
    check_same(c, rs.classify(text, lenient(true)), "long keywords");
    auto hit = [&](const char* id) -> const KeywordHit& {
        const RuleEvidence* e = c.find(id);
        REQUIRE(e);
        REQUIRE(!e->hits.empty());
        return e->hits[0];
    };
    CHECK(hit("long").begin == 7);
    CHECK(hit("long").end == 7 + long_kw.size());
    CHECK(hit("long").char_end - hit("long").char_begin == 1000);
    CHECK(hit("mid").end - hit("mid").begin == 2046);
    CHECK(hit("edge").begin == 7 + long_kw.size() + 1 + mid_kw.size() + 1);
    CHECK(hit("edge").end - hit("edge").begin == 2047);
    CHECK(c.find("short")->hits.size() == 2);
}
