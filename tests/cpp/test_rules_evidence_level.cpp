// EvidenceLevel::rules (the lean mode for bulk jobs) must give exactly the facets, scores,
// fired rules and decided facets of the full mode, only without keyword hits: checked on
// the held-out evaluation set, the shipped sample complaints and, when present, the CFPB
// narratives in ../shared/data.
#include <catch2/catch.hpp>

#include "json_internal.hpp"

#include <complaintkit/csv.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/rules.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace ck;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Same result apart from the hits (which the lean mode leaves empty).
void check_same(const Classification& full, const Classification& lean, std::size_t item) {
    INFO("item " << item);
    CHECK(lean.facets == full.facets);
    CHECK(lean.score == full.score);
    CHECK(lean.facet_score == full.facet_score);
    CHECK(lean.empty_text == full.empty_text);
    CHECK(lean.replaced_invalid_utf8 == full.replaced_invalid_utf8);
    REQUIRE(lean.evidence.size() == full.evidence.size());
    for (std::size_t k = 0; k < full.evidence.size(); ++k) {
        CHECK(lean.evidence[k].rule_id == full.evidence[k].rule_id);
        CHECK(lean.evidence[k].score == full.evidence[k].score);
        CHECK(lean.evidence[k].decided_mask == full.evidence[k].decided_mask);
        CHECK(lean.evidence[k].hits.empty());
    }
}

ClassifyOptions lean_options() {
    ClassifyOptions o;
    o.evidence = EvidenceLevel::rules;
    return o;
}

}  // namespace

TEST_CASE("lean evidence equals full facets on the evaluation set", "[rules][evidence]") {
    const std::string data = slurp(CK_SOURCE_DIR "/tests/data/classify_eval.jsonl");
    REQUIRE(!data.empty());
    std::vector<std::string> texts;
    std::istringstream in(data);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) texts.emplace_back(detail::parse_json(line).as_object().at("text").as_string());
    REQUIRE(texts.size() > 100);
    const auto& rs = RuleSet::default_rules();
    std::vector<std::string_view> views(texts.begin(), texts.end());
    BatchOptions full_b, lean_b;
    full_b.threads = lean_b.threads = 2;
    lean_b.classify.evidence = EvidenceLevel::rules;
    const auto full = rs.classify_many(views, full_b);
    const auto lean = rs.classify_many(views, lean_b);
    std::size_t with_hits = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        check_same(full[i], lean[i], i);
        check_same(full[i], rs.classify(views[i], lean_options()), i);
        for (const auto& e : full[i].evidence) with_hits += !e.hits.empty();
    }
    CHECK(with_hits > texts.size());  // the full mode does carry hits on this set
}

TEST_CASE("lean evidence equals full facets on the sample complaints", "[rules][evidence]") {
    const auto complaints = complaints_from_jsonl(slurp(CK_SOURCE_DIR "/examples/data/complaints.jsonl"));
    REQUIRE(!complaints.empty());
    const auto& rs = RuleSet::default_rules();
    BatchOptions lean_b;
    lean_b.classify.evidence = EvidenceLevel::rules;
    const auto full = rs.classify_many(std::span<const Complaint>(complaints), {});
    const auto lean = rs.classify_many(std::span<const Complaint>(complaints), lean_b);
    for (std::size_t i = 0; i < complaints.size(); ++i) {
        check_same(full[i], lean[i], i);
        check_same(full[i], rs.classify(complaints[i], lean_options()), i);
    }
}

TEST_CASE("lean evidence equals full facets on the CFPB narratives", "[rules][evidence][data]") {
    namespace fs = std::filesystem;
    std::vector<fs::path> cands;
    if (const char* env = std::getenv("CK_SHARED_DATA")) cands.emplace_back(env);
    cands.emplace_back(CK_SHARED_DATA_DIR);
    cands.emplace_back(fs::path(CK_SOURCE_DIR) / ".." / ".." / "shared" / "data");
    std::string path;
    for (const auto& c : cands)
        if (fs::exists(c / "cfpb-sample" / "complaints_sample.csv")) {
            path = (c / "cfpb-sample" / "complaints_sample.csv").string();
            break;
        }
    if (path.empty()) {
        WARN("CFPB sample not found: skipped");
        return;
    }
    const CsvTable t = read_csv_file(path);
    const std::size_t col = t.column("Consumer complaint narrative");
    std::vector<std::string_view> views;
    for (std::size_t r = 0; r < t.size(); ++r)
        if (!t.at(r, col).empty()) views.push_back(t.at(r, col));
    REQUIRE(views.size() > 1000);
    const auto& rs = RuleSet::default_rules();
    BatchOptions full_b, lean_b;
    full_b.classify.strict_utf8 = lean_b.classify.strict_utf8 = false;
    lean_b.classify.evidence = EvidenceLevel::rules;
    const auto full = rs.classify_many(views, full_b);
    const auto lean = rs.classify_many(views, lean_b);
    for (std::size_t i = 0; i < views.size(); ++i) check_same(full[i], lean[i], i);
}

TEST_CASE("explain builds full evidence whatever the level", "[rules][evidence]") {
    ClassifyOptions o = lean_options();
    o.explain = true;
    const auto& rs = RuleSet::default_rules();
    const auto lean_explained = rs.classify(std::string_view("快递一个星期都没到，客服态度也很差"), o);
    ClassifyOptions full;
    full.explain = true;
    CHECK(lean_explained == rs.classify(std::string_view("快递一个星期都没到，客服态度也很差"), full));
    bool any_hits = false;
    for (const auto& e : lean_explained.evidence) any_hits |= !e.hits.empty();
    CHECK(any_hits);
}
