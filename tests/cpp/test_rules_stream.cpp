// RuleSet::classify_each: the streaming batch. Every input reaches the sink once, in input
// order, one call at a time, with the result classify() gives; errors stop it at the right
// item, and a throwing sink stops it cleanly.
#include <catch2/catch.hpp>

#include <complaintkit/rules.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ck;

namespace {

std::vector<std::string> sample_texts(std::size_t n) {
    const char* samples[] = {"快递一个星期都没到", "店員態度很差，還翻白眼", "I was charged twice for the same order",
                             "産品用了兩天就壞了", "我要去12315投诉你们", "", "Great idea: add a night delivery option",
                             "退款三个月了还没到账，我要找律师起诉", "the agent hung up on me, very rude"};
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < n; ++i) texts.push_back(std::string(samples[i % 9]) + (i % 4 ? "" : " again " + std::to_string(i)));
    return texts;
}

}  // namespace

TEST_CASE("classify_each: every result in input order, equal to classify, on any thread count", "[rules][stream]") {
    const auto& rs = RuleSet::default_rules();
    // sizes below, at and above one chunk (64) and the ring (4 chunks a thread)
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64}, std::size_t{65},
                          std::size_t{1000}, std::size_t{3001}}) {
        const auto texts = sample_texts(n);
        const std::vector<std::string_view> views(texts.begin(), texts.end());
        const auto expected = rs.classify_many(views, BatchOptions{{}, 1});
        for (unsigned threads : {1u, 2u, 3u, 8u}) {
            INFO("n = " << n << ", threads = " << threads);
            BatchOptions bo;
            bo.threads = threads;
            std::vector<Classification> got;
            std::atomic<int> inside{0};
            bool overlapped = false, out_of_order = false;
            const bool copy = threads <= 2;
            rs.classify_each(views, [&](std::size_t i, Classification& c) {
                if (inside.fetch_add(1) != 0) overlapped = true;
                if (i != got.size()) out_of_order = true;
                // moving out is allowed; copying leaves the storage to be reused for a later item
                if (copy) got.push_back(c);
                else got.push_back(std::move(c));
                inside.fetch_sub(1);
            }, bo);
            CHECK_FALSE(overlapped);
            CHECK_FALSE(out_of_order);
            REQUIRE(got.size() == n);
            CHECK(got == expected);
        }
    }
}

TEST_CASE("classify_each: complaints, lean evidence and explain mode as classify_many", "[rules][stream]") {
    const auto& rs = RuleSet::default_rules();
    const auto texts = sample_texts(300);
    std::vector<Complaint> complaints(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        complaints[i].text = texts[i];
        complaints[i].title = i % 2 ? "投诉" : "";
    }
    for (bool explain : {false, true}) {
        BatchOptions bo;
        bo.threads = 2;
        bo.classify.explain = explain;
        bo.classify.evidence = explain ? EvidenceLevel::full : EvidenceLevel::rules;
        const auto expected = rs.classify_many(std::span<const Complaint>(complaints), bo);
        std::vector<Classification> got;
        rs.classify_each(std::span<const Complaint>(complaints),
                         [&](std::size_t, Classification& c) { got.push_back(c); }, bo);
        CHECK(got == expected);
        if (!explain) {
            REQUIRE_FALSE(got[0].evidence.empty());
            for (const auto& c : got)
                for (const auto& e : c.evidence) CHECK(e.hits.empty());
        } else {
            CHECK_FALSE(got[0].misses.empty());
        }
    }
}

TEST_CASE("classify_each: an invalid input stops the stream after the items before it", "[rules][stream][bad-input]") {
    const auto& rs = RuleSet::default_rules();
    auto texts = sample_texts(700);
    texts[450] = "退款\xFF没到";
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    for (unsigned threads : {1u, 2u, 4u}) {
        INFO("threads = " << threads);
        std::vector<std::size_t> seen;
        BatchOptions bo;
        bo.threads = threads;
        try {
            rs.classify_each(views, [&](std::size_t i, Classification&) { seen.push_back(i); }, bo);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_utf8);
            CHECK_THAT(e.what(), Catch::StartsWith("item 450: /text: invalid UTF-8"));
        }
        REQUIRE(seen.size() == 450);
        for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == i);
        // lenient mode replaces the bytes and goes on
        bo.classify.strict_utf8 = false;
        std::size_t count = 0, replaced = 0;
        rs.classify_each(views, [&](std::size_t, Classification& c) {
            ++count;
            replaced += c.replaced_invalid_utf8;
        }, bo);
        CHECK(count == texts.size());
        CHECK(replaced == 1);
    }
}

TEST_CASE("classify_each: a throwing sink stops the batch and its exception reaches the caller", "[rules][stream][bad-input]") {
    const auto& rs = RuleSet::default_rules();
    const auto texts = sample_texts(2000);
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    for (unsigned threads : {1u, 2u, 4u}) {
        INFO("threads = " << threads);
        BatchOptions bo;
        bo.threads = threads;
        std::size_t calls = 0;
        CHECK_THROWS_WITH(rs.classify_each(views, [&](std::size_t i, Classification&) {
            ++calls;
            if (i == 777) throw std::runtime_error("sink full");
        }, bo), "sink full");
        CHECK(calls == 778);  // nothing after the throw
    }
    CHECK_THROWS_AS(rs.classify_each(views, RuleSet::ClassificationSink{}), Error);  // no sink
    // the rule set is unharmed: the next stream is complete
    std::size_t n = 0;
    rs.classify_each(views, [&](std::size_t, Classification&) { ++n; });
    CHECK(n == texts.size());
}
