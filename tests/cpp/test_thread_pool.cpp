// The library's worker pool (src/thread_pool.hpp): every worker index at most once and 0 on
// the caller, errors reach the caller after every started helper returned, nested and
// concurrent calls complete, helper threads are reused across calls, and a forked child
// gets a working pool of its own.
#include <catch2/catch.hpp>

#include "thread_pool.hpp"

#include <complaintkit/rules.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using ck::detail::run_parallel;

namespace {

/// Sums 0 … n-1 on `workers` participants sharing an atomic cursor (as the library's bodies do).
std::uint64_t parallel_sum(std::size_t n, unsigned workers) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> sum{0};
    run_parallel(workers, [&](unsigned) {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) sum += i;
    });
    return sum.load();
}

}  // namespace

TEST_CASE("thread pool: indices once each, 0 on the caller, all work done", "[thread_pool]") {
    for (unsigned workers : {1u, 2u, 3u, 8u}) {
        INFO("workers = " << workers);
        std::mutex mu;
        std::multiset<unsigned> seen;
        std::thread::id caller_of_0;
        std::atomic<std::size_t> next{0}, done{0};
        run_parallel(workers, [&](unsigned w) {
            {
                std::lock_guard lock(mu);
                seen.insert(w);
                if (w == 0) caller_of_0 = std::this_thread::get_id();
            }
            for (std::size_t i; (i = next.fetch_add(1)) < 10000;) done.fetch_add(1);
        });
        CHECK(done == 10000);
        CHECK(seen.count(0) == 1);
        CHECK(caller_of_0 == std::this_thread::get_id());
        CHECK(seen.size() <= workers);
        for (unsigned w : seen) {
            CHECK(w < workers);
            CHECK(seen.count(w) == 1);
        }
    }
    CHECK(parallel_sum(100000, 4) == 100000ULL * 99999ULL / 2);
}

TEST_CASE("thread pool: helpers are reused and really run beside the caller", "[thread_pool]") {
    // A body that waits (bounded) until two participants are inside at once: with a helper
    // thread from the pool this happens; the caller alone would only time out.
    auto meet = [] {
        std::atomic<int> inside{0};
        std::atomic<bool> met{false};
        std::mutex mu;
        std::set<std::thread::id> ids;
        run_parallel(2, [&](unsigned) {
            {
                std::lock_guard lock(mu);
                ids.insert(std::this_thread::get_id());
            }
            ++inside;
            for (int spin = 0; spin < 2000 && !met; ++spin) {
                if (inside.load() == 2) met = true;
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        });
        CHECK(met);
        std::thread::id helper;
        for (auto id : ids)
            if (id != std::this_thread::get_id()) helper = id;
        return helper;
    };
    const std::thread::id first = meet();
    CHECK(first != std::thread::id{});
    const std::size_t threads = ck::detail::pool_thread_count();
    CHECK(threads >= 1);
    for (int i = 0; i < 20; ++i) CHECK(meet() != std::thread::id{});
    CHECK(ck::detail::pool_thread_count() == threads);  // no new thread per call
}

TEST_CASE("thread pool: exceptions reach the caller after the helpers returned", "[thread_pool][bad-input]") {
    std::atomic<int> finished{0};
    // a helper's exception
    CHECK_THROWS_WITH(run_parallel(3, [&](unsigned w) {
        if (w == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the helpers start
            ++finished;
            return;
        }
        ++finished;
        throw std::runtime_error("helper failed");
    }), "helper failed");
    CHECK(finished >= 1);
    // the caller's own exception wins and still waits for the running helpers
    std::atomic<bool> helper_done{false};
    std::atomic<bool> helper_started{false};
    CHECK_THROWS_WITH(run_parallel(2, [&](unsigned w) {
        if (w == 0) {
            for (int i = 0; i < 200 && !helper_started; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            throw std::runtime_error("caller failed");
        }
        helper_started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        helper_done = true;
    }), "caller failed");
    CHECK((!helper_started || helper_done));  // a started helper finished before the throw reached us
    // the pool still works afterwards
    CHECK(parallel_sum(5000, 2) == 5000ULL * 4999ULL / 2);
}

TEST_CASE("thread pool: nested and concurrent calls complete", "[thread_pool]") {
    // every outer participant runs inner parallel sums: the pool's threads are all busy in
    // outer bodies, so inner calls must complete with whoever is there
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> total{0};
    run_parallel(4, [&](unsigned) {
        for (std::size_t i; (i = next.fetch_add(1)) < 16;) total += parallel_sum(2000, 3);
    });
    CHECK(total == 16 * (2000ULL * 1999ULL / 2));
    // several host threads calling at once
    std::vector<std::thread> hosts;
    std::atomic<int> right{0};
    for (int h = 0; h < 6; ++h)
        hosts.emplace_back([&] {
            for (int r = 0; r < 20; ++r) right += parallel_sum(3000, 2) == 3000ULL * 2999ULL / 2;
        });
    for (auto& t : hosts) t.join();
    CHECK(right == 6 * 20);
}

TEST_CASE("thread pool: a forked child classifies in parallel", "[thread_pool][rules]") {
    const auto& rs = ck::RuleSet::default_rules();
    std::vector<std::string> texts(500, "店員態度很差，還亂收費，我要打12315投訴！");
    const std::vector<std::string_view> views(texts.begin(), texts.end());
    ck::BatchOptions bo;
    bo.threads = 2;
    const auto expected = rs.classify_many(views, bo);  // the parent's pool exists now
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {  // child: no Catch assertions, an exit code
        int code = 0;
        try {
            const auto got = rs.classify_many(views, bo);
            if (got != expected) code = 2;
            if (parallel_sum(10000, 2) != 10000ULL * 9999ULL / 2) code = 3;
        } catch (...) {
            code = 4;
        }
        _exit(code);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(rs.classify_many(views, bo) == expected);  // and the parent's pool still works
}
