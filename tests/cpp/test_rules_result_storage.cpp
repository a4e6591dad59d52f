// The compact result storage: KeywordHits (16 bytes; the engine puts every hit of a
// result in one shared block, each fired rule owning its slice) and StringList (one
// pointer for RuleEvidence::overridden). Copies, moves and growth must behave like the
// std::vector they stand for, whatever becomes of the result the hits came from.
#include <catch2/catch.hpp>

#include <complaintkit/rules.hpp>

#include <string>
#include <thread>
#include <vector>

using namespace ck;

namespace {

const char* kPack = R"({"version": 1, "name": "t", "rules": [
  {"id": "a", "when": {"text_any": ["late", "delay"]}, "set": {"category": "logistics"}},
  {"id": "b", "when": {"text_any": ["rude"]}, "set": {"sub_cause": "impoliteness"}},
  {"id": "c", "when": {"text_any": ["refund"]}, "set": {"severity": "critical"}}
]})";

const std::string kText = "late again, a delay and a delay, rude staff, rude, no refund";

std::vector<std::vector<KeywordHit>> hits_of(const Classification& c) {
    std::vector<std::vector<KeywordHit>> out;
    for (const auto& e : c.evidence) out.push_back(std::vector<KeywordHit>(e.hits));
    return out;
}

}  // namespace

TEST_CASE("result storage: sizes stay compact") {
    CHECK(sizeof(KeywordHits) == sizeof(void*) + 8);  // pointer, size, capacity or slice index
    CHECK(sizeof(StringList) == sizeof(void*));
    CHECK(sizeof(RuleEvidence) <= 56);
}

TEST_CASE("result storage: hits of a result live in one block and outlive it") {
    const RuleSet rs = RuleSet::compile(kPack);
    Classification c = rs.classify(kText);
    REQUIRE(c.evidence.size() == 3);
    const auto expected = hits_of(c);
    CHECK(expected[0].size() == 3);  // late, delay, delay
    CHECK(expected[1].size() == 2);
    CHECK(expected[2].size() == 1);
    // The slices are adjacent in one block, in evidence order.
    CHECK(c.evidence[0].hits.data() + 3 == c.evidence[1].hits.data());
    CHECK(c.evidence[1].hits.data() + 2 == c.evidence[2].hits.data());
    CHECK(c.evidence[0].hits.capacity() == 3);

    SECTION("the evidence vector moved out of a destroyed result") {
        std::vector<RuleEvidence> ev;
        {
            Classification tmp = rs.classify(kText);
            ev = std::move(tmp.evidence);
        }
        REQUIRE(ev.size() == 3);
        for (std::size_t k = 0; k < 3; ++k) CHECK(std::vector<KeywordHit>(ev[k].hits) == expected[k]);
    }
    SECTION("one rule's evidence kept, the rest destroyed") {
        RuleEvidence kept;
        {
            Classification tmp = rs.classify(kText);
            kept = std::move(tmp.evidence[1]);
            CHECK(tmp.evidence[1].hits.empty());  // moved from
        }
        CHECK(std::vector<KeywordHit>(kept.hits) == expected[1]);
    }
    SECTION("copies are independent") {
        Classification copy = c;
        CHECK(copy == c);
        CHECK(copy.evidence[0].hits.data() != c.evidence[0].hits.data());
        copy.evidence[0].hits[0].begin = 999;
        CHECK(c.evidence[0].hits[0].begin != 999);
        c = Classification{};
        CHECK(hits_of(copy)[1] == expected[1]);
    }
    SECTION("a slice grows onto the heap without touching its neighbours") {
        KeywordHit extra = c.evidence[1].hits[0];
        extra.begin = 1;
        c.evidence[0].hits.push_back(extra);
        CHECK(c.evidence[0].hits.size() == 4);
        CHECK(c.evidence[0].hits.capacity() >= 4);
        CHECK(c.evidence[0].hits[3] == extra);
        CHECK(hits_of(c)[1] == expected[1]);
        // push_back of an element of the same full slice
        c.evidence[2].hits.push_back(c.evidence[2].hits[0]);
        CHECK(c.evidence[2].hits.size() == 2);
        CHECK(c.evidence[2].hits[1] == expected[2][0]);
    }
    SECTION("clear gives the slice back; the container is reusable") {
        c.evidence[1].hits.clear();
        CHECK(c.evidence[1].hits.empty());
        CHECK(c.evidence[1].hits.capacity() == 0);
        c.evidence[1].hits.push_back(expected[1][0]);
        CHECK(c.evidence[1].hits.size() == 1);
        CHECK(hits_of(c)[0] == expected[0]);
        CHECK(hits_of(c)[2] == expected[2]);
    }
    SECTION("copy assignment onto a slice, move assignment between slices") {
        c.evidence[0].hits = c.evidence[2].hits;
        CHECK(std::vector<KeywordHit>(c.evidence[0].hits) == expected[2]);
        c.evidence[1].hits = std::move(c.evidence[2].hits);
        CHECK(std::vector<KeywordHit>(c.evidence[1].hits) == expected[2]);
        CHECK(c.evidence[2].hits.empty());
    }
    SECTION("slices released on other threads") {
        std::vector<RuleEvidence> ev = std::move(c.evidence);
        c = Classification{};
        std::thread t([e = std::move(ev[0])]() mutable { CHECK(e.hits.size() == 3); });
        ev.erase(ev.begin());
        t.join();
        CHECK(std::vector<KeywordHit>(ev[0].hits) == expected[1]);
    }
    SECTION("batch results are the same") {
        const std::vector<std::string_view> texts(300, kText);
        BatchOptions bo;
        bo.threads = 2;
        const auto batch = rs.classify_many(texts, bo);
        for (const auto& b : batch) CHECK(hits_of(b) == expected);
    }
}

TEST_CASE("result storage: KeywordHits built by hand") {
    KeywordHits h;
    CHECK(h.empty());
    CHECK(h.capacity() == 0);
    CHECK(h.begin() == h.end());
    KeywordHit x;
    x.keyword = "k";
    for (std::uint32_t i = 0; i < 9; ++i) {
        x.begin = i;
        h.push_back(x);
    }
    CHECK(h.size() == 9);
    CHECK(h.at(8).begin == 8);
    CHECK_THROWS_AS(h.at(9), std::out_of_range);
    const KeywordHits l{x, x};
    CHECK(l.size() == 2);
    KeywordHits m = l;
    CHECK(m == l);
    m.clear();
    CHECK(m.empty());
    CHECK(m.capacity() >= 2);  // a heap array is kept for reuse
    // The capacity's top bit marks a slice of a shared block: no heap array may need it.
    CHECK_THROWS_AS(m.reserve(std::size_t{1} << 31), std::length_error);
    CHECK(m.capacity() >= 2);
}

TEST_CASE("result storage: StringList") {
    StringList s;
    CHECK(s.empty());
    CHECK(s.size() == 0);
    CHECK(s.begin() == s.end());
    CHECK(s == std::vector<std::string>{});
    CHECK(std::vector<std::string>(s).empty());
    s.push_back("one");
    s.push_back("two");
    CHECK(s.size() == 2);
    CHECK(s[1] == "two");
    CHECK(s.at(0) == "one");
    CHECK_THROWS_AS(s.at(2), std::out_of_range);
    CHECK(s == std::vector<std::string>{"one", "two"});
    StringList t = s;
    t[0] = "uno";
    CHECK(s[0] == "one");
    CHECK(!(t == s));
    const std::vector<std::string> v = t;
    CHECK(v == std::vector<std::string>{"uno", "two"});
    StringList u = std::vector<std::string>{"a"};
    CHECK(u.front() == "a");
    StringList w{"x", "y"};
    CHECK(w.back() == "y");
    u = std::move(w);
    CHECK(u.size() == 2);
    u.clear();
    CHECK(u.empty());
    std::string joined;
    for (const auto& x : t) joined += x;
    CHECK(joined == "unotwo");
}

TEST_CASE("result storage: explain mode fills overridden") {
    const RuleSet rs = RuleSet::compile(R"({"version": 1, "name": "t", "rules": [
      {"id": "low", "order": 10, "when": {"text_any": ["late"]}, "set": {"category": "logistics"}},
      {"id": "high", "order": 20, "when": {"text_any": ["late"]}, "set": {"category": "other"}}
    ]})");
    ClassifyOptions explain;
    explain.explain = true;
    const auto c = rs.classify("late", explain);
    REQUIRE(c.find("high"));
    CHECK(c.find("high")->overridden.size() == 1);
    CHECK(c.find("low")->overridden.empty());
    const auto fast = rs.classify("late");
    CHECK(fast.find("high")->overridden.empty());
}

TEST_CASE("result storage: batch results keep the pack alive") {
    std::vector<Classification> out;
    {
        const RuleSet rs = RuleSet::compile(kPack);
        const std::vector<std::string_view> texts(200, kText);
        BatchOptions bo;
        bo.threads = 2;
        out = rs.classify_many(texts, bo);
    }  // the RuleSet is gone; rule ids and keywords are owned by the compiled pack
    REQUIRE(out.size() == 200);
    for (const auto& c : out) {
        REQUIRE(c.evidence.size() == 3);
        CHECK(c.evidence[0].rule_id == "a");
        CHECK(c.evidence[0].hits[1].keyword == "delay");
    }
}
