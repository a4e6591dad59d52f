// Accuracy of the default rule pack on the held-out labelled set tests/data/classify_eval.jsonl
// (written by someone else; see tests/data/README.md). Reports per-facet and per-language
// accuracy and fails below the floors set from the measured figures (docs/rules.md).
#include <catch2/catch.hpp>

#include "json_internal.hpp"

#include <complaintkit/rules.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

using namespace ck;

namespace {

struct Tally {
    int right = 0, total = 0;
    [[nodiscard]] double accuracy() const { return total ? static_cast<double>(right) / total : 0; }
};

std::string facet_code(const Facets& f, const std::string& facet) {
    if (facet == "kind") return std::string(to_code(f.kind));
    if (facet == "category") return std::string(to_code(f.category));
    if (facet == "cause") return std::string(to_code(f.cause));
    if (facet == "sub_cause") return std::string(to_code(f.sub_cause));
    if (facet == "attribution") return std::string(to_code(f.attribution));
    if (facet == "dimension") return std::string(to_code(f.dimension));
    if (facet == "severity") return std::string(to_code(f.severity));
    if (facet == "personality") return std::string(to_code(f.personality));
    if (facet == "motive") return std::string(to_code(f.motive));
    return "?";
}

}  // namespace

TEST_CASE("default pack accuracy on the held-out evaluation set", "[rules][eval]") {
    std::ifstream in(CK_SOURCE_DIR "/tests/data/classify_eval.jsonl", std::ios::binary);
    if (!in) {
        WARN("tests/data/classify_eval.jsonl not found: evaluation skipped");
        return;
    }
    const std::vector<std::string> facets = {"kind", "category", "cause", "sub_cause", "attribution",
                                             "dimension", "severity", "personality", "motive"};
    std::map<std::string, Tally> all;
    std::map<std::string, std::map<std::string, Tally>> by_lang;
    std::map<std::string, int> decided;  // personality / motive: how often the pack says anything
    const auto& rs = RuleSet::default_rules();
    std::string line;
    int items = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto v = detail::parse_json(line);
        const auto& o = v.as_object();
        const std::string text(o.at("text").as_string());
        const std::string lang(o.at("language").as_string());
        const auto& gold = o.at("facets").as_object();
        const Facets got = rs.classify(text).facets;
        ++items;
        for (const auto& f : facets) {
            auto it = gold.find(f);
            if (it == gold.end()) continue;  // no label: not scored
            const bool ok = facet_code(got, f) == std::string(it->value().as_string());
            all[f].total++;
            all[f].right += ok;
            by_lang[f][lang].total++;
            by_lang[f][lang].right += ok;
            if (facet_code(got, f) != "unknown") decided[f]++;
        }
    }
    REQUIRE(items >= 300);
    char buf[160];
    std::cout << "\nDefault rule pack on " << items << " held-out complaints (accuracy; labelled items only)\n";
    std::cout << "facet        all     zh-Hans zh-Hant en      (n, decided)\n";
    for (const auto& f : facets) {
        std::snprintf(buf, sizeof buf, "%-12s %5.1f%%  %5.1f%%  %5.1f%%  %5.1f%%  (%d, %d)\n", f.c_str(),
                      100 * all[f].accuracy(), 100 * by_lang[f]["zh-Hans"].accuracy(),
                      100 * by_lang[f]["zh-Hant"].accuracy(), 100 * by_lang[f]["en"].accuracy(), all[f].total,
                      decided[f]);
        std::cout << buf;
    }
    // Floors: the figures measured when the test was written (docs/rules.md: kind 95.8, category
    // 45.3, cause 66.0, sub_cause 42.5, attribution 93.8, dimension 49.3, severity 67.4,
    // personality 42.4, motive 53.7 %) minus about four points.
    const std::map<std::string, double> floors = {
        {"kind", 0.92}, {"category", 0.41}, {"cause", 0.62}, {"sub_cause", 0.38}, {"attribution", 0.90},
        {"dimension", 0.45}, {"severity", 0.63}, {"personality", 0.38}, {"motive", 0.49},
    };
    for (const auto& [f, floor] : floors) {
        INFO(f);
        CHECK(all[f].accuracy() >= floor);
    }
}
