// Metrics: formulas against hand-computed values, record extraction, the report,
// exact merges of random partitions, state round trips and bad input.
#include <catch2/catch.hpp>

#include <complaintkit/json.hpp>
#include <complaintkit/metrics.hpp>

#include <boost/json.hpp>

#include <numeric>
#include <random>
#include <set>

using namespace ck;
using namespace ck::metrics;

namespace {

boost::json::value parse(const std::string& s) { return boost::json::parse(s); }

const boost::json::value& at(const boost::json::value& v, std::initializer_list<const char*> path) {
    const boost::json::value* p = &v;
    for (const char* k : path) p = &p->as_object().at(k);
    return *p;
}
double num(const boost::json::value& v, std::initializer_list<const char*> path) { return at(v, path).to_number<double>(); }

Complaint make(const std::string& json) { return complaint_from_json(json); }

// prefix + number (GCC 12 warns falsely on "literal" + std::to_string(i))
std::string name(const char* prefix, int i) {
    std::string s(prefix);
    s += std::to_string(i);
    return s;
}

std::string err_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("metrics: distribution quantiles and intervals", "[metrics]") {
    CHECK(normal_quantile(0.975) == Approx(1.959963984540054).epsilon(1e-13));
    CHECK(normal_quantile(0.5) == Approx(0.0).margin(1e-15));
    CHECK(normal_quantile(0.001) == Approx(-3.090232306167813).epsilon(1e-12));
    CHECK(t_quantile(0.975, 9) == Approx(2.262157162798205).epsilon(1e-10));
    CHECK(t_quantile(0.975, 4) == Approx(2.7764451051977987).epsilon(1e-10));
    CHECK(t_quantile(0.975, 1) == Approx(12.706204736174707).epsilon(1e-9));
    CHECK(t_quantile(0.995, 2) == Approx(9.924843200918284).epsilon(1e-9));
    CHECK(t_quantile(0.025, 9) == Approx(-2.262157162798205).epsilon(1e-10));
    CHECK(t_quantile(0.95, 30) == Approx(1.697260886593957).epsilon(1e-10));
    CHECK(t_quantile(0.975, 1e6) == Approx(1.9599663572).epsilon(1e-9));  // z + (z³ + z)/(4ν)
    CHECK(t_quantile(0.9999, 3) == Approx(22.20374).epsilon(1e-6));
    CHECK(poisson_upper_tail(3, 1.0) == Approx(0.08030139707139416).epsilon(1e-12));
    CHECK(poisson_upper_tail(0, 4.0) == 1.0);
    CHECK(poisson_upper_tail(2, 0.0) == 0.0);
    auto w = wilson_interval(8, 10, 0.95);
    REQUIRE(w);
    CHECK(w->low == Approx(0.49016247153664183).epsilon(1e-12));
    CHECK(w->high == Approx(0.9433178485456247).epsilon(1e-12));
    CHECK_FALSE(wilson_interval(0, 0, 0.95));
    CHECK(wilson_interval(0, 5, 0.95)->low == 0.0);
    CHECK_THROWS_WITH(wilson_interval(1, 2, 1.5), Catch::Contains("confidence must be between 0 and 1"));
    const std::vector<std::int64_t> v{1, 2, 3, 4};
    CHECK(*quantile_sorted(v, 0.5) == 2.5);
    CHECK(*quantile_sorted(v, 0.9) == Approx(3.7));
    CHECK(*quantile_sorted(v, 1.0) == 4);
    CHECK_FALSE(quantile_sorted({}, 0.5));
}

TEST_CASE("metrics: durations are exact, negative ones are invalid", "[metrics]") {
    DurationStat d;
    for (std::int64_t h : {4, 1, 2, 3}) d.add(h * 3600 * 1'000'000LL);
    d.add(-5);
    CHECK(d.count() == 4);
    CHECK(d.invalid() == 1);
    CHECK(*d.mean_seconds() == 2.5 * 3600);
    CHECK(*d.quantile_seconds(0.5) == 2.5 * 3600);
    CHECK(*d.quantile_seconds(0.9) == Approx(3.7 * 3600));
    CHECK(*d.max_seconds() == 4 * 3600);
    DurationStat a, b;
    a.add(1'000'000);
    b.add(3'000'000);
    b.add(-1);
    a.merge(b);
    CHECK(*a.mean_seconds() == 2.0);
    CHECK(a.invalid() == 1);
    auto back = DurationStat::from_state_json(a.state_json());
    CHECK(back == a);
    CHECK_FALSE(DurationStat{}.mean_seconds());
    CHECK_THROWS_WITH(DurationStat::from_state_json(R"({"values":[-3],"invalid":0})"),
                      "/values/0: a kept duration must not be negative");
}

TEST_CASE("metrics: CSAT mean, top box and t interval (hand computed)", "[metrics]") {
    ScoreHistogram h(Scale{1, 5});
    for (int s : {5, 4, 4, 3, 1}) h.add(s);
    CHECK(*h.mean() == Approx(3.4));
    CHECK(*h.variance() == Approx(2.3));
    CHECK(h.count_at_least(4) == 3);
    auto ci = h.mean_interval(0.95);
    REQUIRE(ci);
    CHECK(ci->low == Approx(3.4 - 1.883076688348442).epsilon(1e-10));
    CHECK(ci->high == Approx(3.4 + 1.883076688348442).epsilon(1e-10));
    CHECK_THROWS_WITH(h.add(6, "/x"), "/x: score 6 is outside the scale 1–5");
    CHECK(h.count() == 5);
    ScoreHistogram one(Scale{1, 5});
    one.add(3);
    CHECK_FALSE(one.mean_interval(0.95));
    CHECK_THROWS_WITH(ScoreHistogram(Scale{5, 5}), Catch::Contains("scale must have min < max"));
    ScoreHistogram other(Scale{1, 7});
    CHECK_THROWS_WITH(h.merge(other), "cannot merge scores on different scales");
}

TEST_CASE("metrics: NPS score and standard error (hand computed)", "[metrics]") {
    ScoreHistogram h(Scale{0, 10});
    for (int s : {10, 9, 9, 10, 9, 8, 7, 7, 3, 6}) h.add(s);
    auto r = nps_of(h, 0.95);
    CHECK(r.promoters == 5);
    CHECK(r.passives == 3);
    CHECK(r.detractors == 2);
    CHECK(*r.score == Approx(30.0));
    // var = pP + pD − (pP − pD)² = 0.5 + 0.2 − 0.09 = 0.61
    CHECK(*r.standard_error == Approx(24.69817807045694).epsilon(1e-12));
    CHECK(r.interval->low == Approx(30 - 48.40753950185256).epsilon(1e-10));
    CHECK(r.interval->high == Approx(30 + 48.40753950185256).epsilon(1e-10));
    ScoreHistogram all(Scale{0, 10});
    for (int i = 0; i < 4; ++i) all.add(10);
    auto p = nps_of(all, 0.95);
    CHECK(*p.score == 100);
    CHECK(*p.standard_error == 0);
    CHECK_FALSE(nps_of(ScoreHistogram(Scale{0, 10}), 0.95).score);
}

TEST_CASE("metrics: SERVQUAL gaps, reverse items, weights, missing items (hand computed)", "[metrics][servqual]") {
    ServqualConfig cfg;
    cfg.items = {Dimension::tangibles, Dimension::tangibles, Dimension::reliability, Dimension::responsiveness,
                 Dimension::assurance, Dimension::empathy};
    cfg.reverse_items = {2};
    cfg.weights = std::array<double, 5>{20, 40, 10, 10, 20};
    ServqualAccumulator acc(cfg);
    ServqualResponse a{{7, 2, 6, 5, 6, 7}, {5, 3, 6, 4, 7, 5}, std::nullopt};
    ServqualResponse b{{6, std::nullopt, 7, 7, 5, 6}, {6, 4, 5, 7, 5, 4}, std::nullopt};
    acc.add(a);
    acc.add(b);
    auto r = acc.result();
    CHECK(r.surveys == 2);
    CHECK(r.incomplete_surveys == 1);
    // item gaps: -1, -1 (reversed, one pair), -1, -0.5, 0.5, -2
    CHECK(*r.items[1].gap == -1);
    CHECK(r.items[1].pairs == 1);
    CHECK(*r.items[1].perception_only == 4.5);  // reversed 5 and 4
    CHECK(*r.dimensions[0].gap == -1);
    CHECK(*r.dimensions[1].gap == -1);
    CHECK(*r.dimensions[2].gap == -0.5);
    CHECK(*r.dimensions[3].gap == 0.5);
    CHECK(*r.dimensions[4].gap == -2);
    CHECK(*r.unweighted_gap == Approx(-0.8));
    CHECK(*r.weighted_gap == Approx(-1.0));
    CHECK(*r.dimensions[0].perception_only == 5.0);
    CHECK(*r.perception_score == Approx(5.3));
    // perception-only survey: no expectation at all
    ServqualAccumulator po(cfg);
    po.add(ServqualResponse{{}, {7, 7, 7, 7, 7, 7}, std::nullopt});
    auto pr = po.result();
    CHECK_FALSE(pr.unweighted_gap);
    CHECK(*pr.perception_score == Approx((4.0 + 7 + 7 + 7 + 7) / 5));  // item 2 reversed: 8 − 7 = 1
    CHECK(pr.reason == "a dimension has no item with both expectation and perception");
    // bad input
    CHECK(err_of([&] { acc.add(ServqualResponse{{7, 2, 6, 5, 6, 8}, {5, 3, 6, 4, 7, 5}, std::nullopt}, "/s"); }) ==
          "/s/expectation/5: score 8 is outside the scale 1–7");
    CHECK(err_of([&] { acc.add(ServqualResponse{{}, {5, 3}, std::nullopt}, "/s"); }) == "/s/perception: expected 6 items, got 2");
    CHECK(err_of([&] {
              acc.add(ServqualResponse{{}, {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt}, std::nullopt}, "/s");
          }) == "/s/perception: the survey answers no item");
    CHECK(err_of([&] { acc.add(ServqualResponse{{}, {1, 1, 1, 1, 1, 1}, std::array<double, 5>{50, 50, 50, 0, 0}}, "/s"); }) ==
          "/s/weights: weights must sum to 100 points, got 150.000000");
    CHECK(acc.result().surveys == 2);  // nothing changed
    ServqualConfig strict = cfg;
    strict.require_complete = true;
    ServqualAccumulator sacc(strict);
    CHECK(err_of([&] { sacc.add(b, "/s"); }) == "/s/expectation/1: item 2 is not answered");
    ServqualConfig bad = cfg;
    bad.weights = std::array<double, 5>{10, 10, 10, 10, 10};
    CHECK_THROWS_WITH(ServqualAccumulator(bad), "/servqual/weights: weights must sum to 100 points, got 50.000000");
}

TEST_CASE("metrics: standard 22-item instrument and the 1988 reverse items", "[metrics][servqual]") {
    ServqualConfig std22;
    REQUIRE(std22.items.size() == 22);
    CHECK(std22.items[3] == Dimension::tangibles);
    CHECK(std22.items[4] == Dimension::reliability);
    CHECK(std22.items[9] == Dimension::responsiveness);
    CHECK(std22.items[13] == Dimension::assurance);
    CHECK(std22.items[21] == Dimension::empathy);
    auto f88 = ServqualConfig::form_1988();
    CHECK(f88.reverse_items == std::vector<int>{10, 11, 12, 13, 18, 19, 20, 21, 22});
    ServqualAccumulator acc(f88);
    std::vector<std::optional<int>> e(22, 6), p(22, 5);
    acc.add(ServqualResponse{e, p, std::array<double, 5>{10, 30, 20, 20, 20}});
    auto r = acc.result();
    CHECK(*r.dimensions[0].gap == -1);  // 5 − 6
    CHECK(*r.dimensions[2].gap == 1);   // reversed: (8−5) − (8−6)
    CHECK(*r.dimensions[4].gap == 1);
    CHECK(*r.unweighted_gap == Approx((-1 - 1 + 1 - 1 + 1) / 5.0));
    CHECK(*r.dimensions[1].weight == 30);  // the respondents' own points
    CHECK(*r.weighted_gap == Approx(-0.1 - 0.3 + 0.2 - 0.2 + 0.2));
}

TEST_CASE("metrics: iceberg, Pareto and spikes (hand computed)", "[metrics]") {
    auto ice = iceberg(100, 0.05, 0.95);
    CHECK(ice.silent == Approx(1900));
    CHECK(ice.dissatisfied == Approx(2000));
    CHECK(ice.interval.low == Approx(1900 - 382.0673176108848).epsilon(1e-10));
    CHECK(ice.interval.high == Approx(1900 + 382.0673176108848).epsilon(1e-10));
    CHECK(iceberg(100, 0.04, 0.95).silent == Approx(2400));
    CHECK(iceberg(0, 0.05, 0.95).interval.high == 0);
    CHECK_THROWS_WITH(iceberg(1, 0, 0.95), Catch::Contains("complaint rate must be in (0, 1]"));

    auto rows = pareto({{"a", 50}, {"d", 10}, {"c", 10}, {"b", 30}, {"z", 0}}, 0.8);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].value == "a");
    CHECK(rows[1].value == "b");
    CHECK(rows[2].value == "c");  // tie with d: by value
    CHECK(rows[1].cumulative_share == Approx(0.8));
    CHECK(rows[0].vital);
    CHECK(rows[1].vital);
    CHECK_FALSE(rows[2].vital);
    CHECK(pareto({}, 0.8).empty());

    std::vector<std::pair<std::string, std::uint64_t>> series;
    for (int i = 0; i < 7; ++i) series.emplace_back(name("d", i), 5);
    series.emplace_back("d7", 20);
    series.emplace_back("d8", 9);
    auto s = detect_spikes(series, 7, 0.01, 5);
    CHECK_FALSE(s[6].baseline);
    CHECK(*s[7].baseline == 5);
    CHECK(*s[7].p_value < 1e-5);
    CHECK(s[7].spike);
    CHECK_FALSE(s[8].spike);  // baseline (6·5 + 20)/7, 9 is not unusual
    CHECK(*s[8].p_value == Approx(poisson_upper_tail(9, 50.0 / 7)));
}

namespace {

// A complaint with its history: received at 09:00 UTC on 2024-03-0d.
std::string complaint_json(const std::string& id, const std::string& branch, int day, const std::string& events,
                           const std::string& extra = "") {
    return R"({"id":")" + id + R"(","received_at":"2024-03-0)" + std::to_string(day) + R"(T09:00:00Z","branch":")" + branch +
           R"(","events":[)" + events + "]" + extra + "}";
}

}  // namespace

TEST_CASE("metrics: record from the event history", "[metrics]") {
    Options opt;
    auto c = make(complaint_json(
        "C1", "B1", 5,
        R"({"at":"2024-03-05T09:30:00Z","type":"acknowledged","actor":"li"},
           {"at":"2024-03-05T11:00:00Z","type":"reply_to_customer","actor":"li"},
           {"at":"2024-03-05T15:00:00Z","type":"resolved","actor":"li"},
           {"at":"2024-03-05T16:00:00Z","type":"remedy_accepted","payload":{"cost":{"minor":5000,"currency":"CNY"}}},
           {"at":"2024-03-06T09:00:00Z","type":"follow_up","payload":{"satisfaction":5,"nps":9,"effort":2}},
           {"at":"2024-03-06T10:00:00Z","type":"closed"})",
        R"(,"customer":{"id":"K1"},"facets":{"kind":"grievance","category":"product_quality"})"));
    Record r = record_of(c, opt);
    CHECK(*r.acknowledge_us == 30 * 60 * 1'000'000LL);
    CHECK(*r.first_response_us == 2 * 3600 * 1'000'000LL);
    CHECK(*r.resolution_us == 6 * 3600 * 1'000'000LL);
    CHECK(r.resolved);
    CHECK(r.closed);
    CHECK(r.first_contact);
    CHECK_FALSE(r.reopened);
    REQUIRE(r.remedy_cost.size() == 1);
    CHECK(r.remedy_cost[0] == Money{5000, "CNY"});
    CHECK(*r.survey.csat == 5);
    CHECK(*r.survey.nps == 9);
    CHECK(*r.survey.ces == 2);

    // the workflow engine's remedy events: costs of the accepted proposal; a proposal is a response
    auto wf = make(complaint_json(
        "W1", "B1", 5,
        R"({"at":"2024-03-05T10:00:00Z","type":"remedy_proposed","payload":{"remedies":[{"type":"refund","amount":{"minor":900,"currency":"CNY"},"cost":{"minor":900,"currency":"CNY"}}]}},
           {"at":"2024-03-05T11:00:00Z","type":"remedy_rejected"},
           {"at":"2024-03-05T12:00:00Z","type":"remedy_proposed","payload":{"remedies":[{"type":"coupon","cost":{"minor":300,"currency":"CNY"}},{"type":"apology"}]}},
           {"at":"2024-03-05T13:00:00Z","type":"remedy_accepted"})"));
    Record rw = record_of(wf, opt);
    REQUIRE(rw.remedy_cost.size() == 1);
    CHECK(rw.remedy_cost[0] == Money{300, "CNY"});
    CHECK(*rw.first_response_us == 3600 * 1'000'000LL);

    // reopened and not re-resolved: unresolved, no resolution time, not first contact
    auto re = make(complaint_json("C2", "B1", 5,
                                  R"({"at":"2024-03-05T10:00:00Z","type":"resolved"},
                                     {"at":"2024-03-06T10:00:00Z","type":"reopened"},
                                     {"at":"2024-03-06T11:00:00Z","type":"escalated"})"));
    Record r2 = record_of(re, opt);
    CHECK_FALSE(r2.resolved);
    CHECK(r2.reopened);
    CHECK(r2.escalated);
    CHECK_FALSE(r2.resolution_us);
    CHECK_FALSE(r2.first_contact);
    // reopen rate: resolved → reopened → resolved again counts once in the denominator
    {
        GroupMetrics rg(std::make_shared<const Options>(opt));
        rg.add(r2);  // reopened, unresolved
        rg.add(record_of(make(complaint_json("C2b", "B1", 5,
                                             R"({"at":"2024-03-05T10:00:00Z","type":"resolved"},
                                                {"at":"2024-03-06T10:00:00Z","type":"reopened"},
                                                {"at":"2024-03-07T10:00:00Z","type":"resolved"})")),
                         opt));
        rg.add(record_of(make(complaint_json("C2c", "B1", 5, R"({"at":"2024-03-05T10:00:00Z","type":"resolved"})")), opt));
        rg.add(record_of(make(complaint_json("C2d", "B1", 5, "")), opt));  // never resolved: not in the denominator
        auto res = parse(rg.result_json(4));
        CHECK(num(res, {"reopen_rate", "k"}) == 2);
        CHECK(num(res, {"reopen_rate", "n"}) == 3);
    }

    // an event before received_at: the duration is negative and counted as invalid
    auto early = make(complaint_json("C3", "B1", 5, R"({"at":"2024-03-05T08:00:00Z","type":"acknowledged"})"));
    Record r3 = record_of(early, opt);
    CHECK(*r3.acknowledge_us < 0);
    GroupMetrics g(std::make_shared<const Options>(opt));
    g.add(r3);
    CHECK(g.acknowledge().invalid() == 1);
    CHECK(g.acknowledge().count() == 0);

    // host facts: business time and SLA outcomes; negative business time is an error
    HostFacts host;
    host.business_resolution_s = 3600;
    host.sla = {{"resolution", true}};
    Record r4 = record_of(c, opt, &host);
    CHECK(*r4.business_resolution_us == 3600 * 1'000'000LL);
    host.business_resolution_s = -10;
    CHECK(err_of([&] { record_of(c, opt, &host); }) ==
          "/host/business_resolution_s: business_resolution_s is negative (-10 s): end before start");
}

TEST_CASE("metrics: bad survey input is a clear error and changes nothing", "[metrics]") {
    Report rep(report_config_from_json(R"({"group_by":["branch"]})"));
    auto bad = make(complaint_json("C9", "B1", 5,
                                   R"({"at":"2024-03-05T10:00:00Z","type":"resolved"},
                                      {"at":"2024-03-06T10:00:00Z","type":"follow_up","payload":{"satisfaction":6}})"));
    CHECK(err_of([&] { rep.add(bad); }) ==
          "complaint \"C9\": /events/1/payload/satisfaction: score 6 is outside the scale 1–5");
    CHECK(rep.count() == 0);
    auto nps = make(complaint_json("C10", "B1", 5, R"({"at":"2024-03-06T10:00:00Z","type":"follow_up","payload":{"nps":11}})"));
    CHECK(err_of([&] { rep.add(nps); }) == "complaint \"C10\": /events/0/payload/nps: score 11 is outside the scale 0–10");
    auto frac = make(complaint_json("C11", "B1", 5, R"({"at":"2024-03-06T10:00:00Z","type":"follow_up","payload":{"effort":2.5}})"));
    CHECK(err_of([&] { rep.add(frac); }) ==
          "complaint \"C11\": /events/0/payload/effort: expected an integer, got a fractional number");
    auto sq = make(complaint_json(
        "C12", "B1", 5,
        R"({"at":"2024-03-06T10:00:00Z","type":"follow_up","payload":{"servqual":{"perception":[1,2,3]}}})"));
    CHECK(err_of([&] { rep.add(sq); }) ==
          "complaint \"C12\": /events/0/payload/servqual/perception: expected 22 items, got 3");
    CHECK(rep.count() == 0);
    CHECK(rep.state_json() == Report(report_config_from_json(R"({"group_by":["branch"]})")).state_json());
}

TEST_CASE("metrics: report over a small set (hand computed)", "[metrics][report]") {
    auto cfg = report_config_from_json(R"({
        "group_by": ["branch"], "sla_hours": {"resolution": 24},
        "as_of": "2024-03-09T09:00:00Z", "csat": {"scale": [1, 5], "top_box": 4},
        "grading": {"metric": "csat.mean", "bands": [{"name": "good", "min": 4}, {"name": "poor"}], "min_n": 1}})");
    Report rep(cfg);
    // B1: resolved in 2 h (CSAT 5), resolved in 48 h (CSAT 3), open since 03-05 (4 days at as_of)
    rep.add(make(complaint_json("A", "B1", 5,
                                R"({"at":"2024-03-05T11:00:00Z","type":"resolved","actor":"li"},
                                   {"at":"2024-03-05T12:00:00Z","type":"follow_up","payload":{"satisfaction":5}})",
                                R"(,"customer":{"id":"K1"})")));
    rep.add(make(complaint_json("B", "B1", 6,
                                R"({"at":"2024-03-08T09:00:00Z","type":"resolved","actor":"wang"},
                                   {"at":"2024-03-08T10:00:00Z","type":"follow_up","payload":{"satisfaction":3}})",
                                R"(,"customer":{"id":"K1"})")));
    rep.add(make(complaint_json("C", "B1", 5, R"({"at":"2024-03-05T10:00:00Z","type":"acknowledged"})",
                                R"(,"facets":{"kind":"suggestion"})")));
    // B2: one complaint, escalated and resolved in 1 h
    rep.add(make(complaint_json("D", "B2", 7,
                                R"({"at":"2024-03-07T09:30:00Z","type":"escalated"},
                                   {"at":"2024-03-07T10:00:00Z","type":"resolved"})")));
    CHECK(rep.count() == 4);
    auto res = parse(rep.result_json());
    CHECK(num(res, {"count"}) == 4);
    const auto& groups = at(res, {"groups"}).as_array();
    REQUIRE(groups.size() == 2);
    const auto& b1 = groups[0];
    CHECK(at(b1, {"key", "branch"}).as_string() == "B1");
    CHECK(num(b1, {"count"}) == 3);
    CHECK(num(b1, {"share"}) == 0.75);
    CHECK(num(b1, {"resolution_time", "mean"}) == (2 + 48) / 2.0 * 3600);
    CHECK(num(b1, {"resolution_time", "median"}) == 25 * 3600);
    CHECK(num(b1, {"resolution_time", "max"}) == 48 * 3600);
    CHECK(num(b1, {"acknowledge_time", "mean"}) == 3600);
    CHECK(num(b1, {"suggestions", "share"}) == Approx(1.0 / 3));
    // calendar SLA 24 h: A met, B breached, C open for 4 days at as_of → breached
    CHECK(num(b1, {"sla", "calendar:resolution", "k"}) == 1);
    CHECK(num(b1, {"sla", "calendar:resolution", "n"}) == 3);
    CHECK(num(b1, {"csat", "mean"}) == 4);
    CHECK(num(b1, {"csat", "top_box", "share"}) == 0.5);
    CHECK(num(b1, {"survey", "response_rate", "share"}) == 1.0);  // 2 responses / 2 resolved
    CHECK(num(b1, {"backlog", "open"}) == 1);
    CHECK(num(at(b1, {"backlog", "aging"}).as_array()[2], {"count"}) == 1);  // 3–7 days
    CHECK(num(b1, {"repeat", "repeat_complaints", "k"}) == 1);  // K1 again within 30 days
    CHECK(num(b1, {"repeat", "repeat_customers"}) == 1);
    CHECK(at(b1, {"grade", "band"}).as_string() == "good");
    CHECK(num(b1, {"first_contact_resolution", "share"}) == 1.0);
    // loyalty: A quick (≤ 24 h) 0.95, B slow 0.70, C unresolved 0.46
    CHECK(num(b1, {"loyalty", "expected_retained_complainants"}) == Approx(0.95 + 0.70 + 0.46));
    CHECK(num(b1, {"iceberg", "silent_dissatisfied"}) == Approx(57));
    const auto& b2 = groups[1];
    CHECK(num(b2, {"escalation_rate", "share"}) == 1.0);
    CHECK(num(b2, {"first_contact_resolution", "share"}) == 0.0);
    CHECK(at(b2, {"csat", "mean"}).is_null());
    CHECK(at(b2, {"csat", "reason"}).as_string() == "no responses");
    CHECK(at(b2, {"grade", "band"}).is_null());
    CHECK(at(b2, {"grade", "reason"}).as_string() == "metric has no value for this group");
    // customers at risk: K1 has a CSAT of 3 (> 2) and 2 complaints (< 3): not flagged
    CHECK(at(res, {"churn_risk"}).as_array().empty());
    // staff grouping credits the resolver
    Report by_staff(report_config_from_json(R"({"group_by":["staff"]})"));
    by_staff.add(make(complaint_json("A", "B1", 5, R"({"at":"2024-03-05T11:00:00Z","type":"resolved","actor":"li"})")));
    REQUIRE(by_staff.group({"li"}));
}

TEST_CASE("metrics: loyalty figures and TARP presets (hand computed)", "[metrics][report]") {
    Report rep(report_config_from_json(R"({"repeat_window_days": 0})"));
    auto add = [&](const std::string& id, const std::string& ev) { rep.add(make(complaint_json(id, "B", 5, ev))); };
    for (int i = 0; i < 2; ++i) add(name("u", i), "");
    for (int i = 0; i < 3; ++i) add(name("s", i), R"({"at":"2024-03-07T09:00:00Z","type":"resolved"})");
    for (int i = 0; i < 5; ++i) add(name("q", i), R"({"at":"2024-03-05T10:00:00Z","type":"resolved"})");
    auto res = parse(rep.result_json());
    const auto& l = at(res, {"total", "loyalty"});
    CHECK(num(l, {"expected_retained_complainants"}) == Approx(7.77));
    CHECK(num(l, {"complainant_retention"}) == Approx(0.777));
    CHECK(num(l, {"expected_retained_silent"}) == Approx(190 * 0.37));
    CHECK(num(l, {"dissatisfied_retention"}) == Approx((7.77 + 70.3) / 200));
    auto large = report_config_from_json(R"({"loyalty": {"preset": "large_losses"}, "iceberg": {"complaint_rate": 0.04}})");
    CHECK(large.options.loyalty_not_complained == 0.09);
    CHECK(large.options.loyalty_resolved_quickly == 0.82);
    CHECK(large.options.complaint_rate == 0.04);
}

TEST_CASE("metrics: trend periods in a time zone, ISO weeks, spikes", "[metrics][report]") {
    auto cfg = report_config_from_json(R"({"group_by":["month","week"],"time_zone":"+08:00",
        "trend":{"period":"day","spike_window":3,"spike_min_count":4}})");
    Report rep(cfg);
    // 2024-03-31T20:00Z is 2024-04-01 04:00 at +08:00
    rep.add(make(R"({"id":"x","received_at":"2024-03-31T20:00:00Z"})"));
    CHECK(rep.group({"2024-04", "2024-W14"}));
    Report weeks(report_config_from_json(R"({"group_by":["week","year"]})"));
    weeks.add(make(R"({"id":"a","received_at":"2024-12-30T12:00:00Z"})"));
    weeks.add(make(R"({"id":"b","received_at":"2021-01-03T12:00:00Z"})"));
    CHECK(weeks.group({"2025-W01", "2024"}));
    CHECK(weeks.group({"2020-W53", "2021"}));
    // a named zone follows daylight saving: 2024-03-10T04:30Z is 23:30 on the 9th in New York
    // (EST, UTC-5), while 2024-03-11T03:30Z is 23:30 on the 10th (EDT, UTC-4)
    for (const char* zone : {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"}) {
        INFO(zone);
        Report ny(report_config_from_json(std::string(R"({"group_by":["day"],"time_zone":")") + zone + R"("})"));
        ny.add(make(R"({"id":"a","received_at":"2024-03-10T04:30:00Z"})"));
        ny.add(make(R"({"id":"b","received_at":"2024-03-11T03:30:00Z"})"));
        CHECK(ny.group({"2024-03-09"}));
        CHECK(ny.group({"2024-03-10"}));
        CHECK(!ny.group({"2024-03-11"}));
        CHECK(to_json(ny.config()).find(std::string("\"time_zone\":\"") + zone + "\"") != std::string::npos);
    }
    Report local(report_config_from_json(R"({"group_by":["day"],"time_zone":"local"})"));
    local.add(make(R"({"id":"a","received_at":"2024-03-05T23:30:00-05:00"})"));
    CHECK(local.group({"2024-03-05"}));
    // a daily series 1,1,1,(gap 0),9: the gap is filled with zero, the 9 is a spike
    Report sp(report_config_from_json(R"({"trend":{"period":"day","spike_window":3,"spike_min_count":4}})"));
    for (int d : {1, 2, 3}) sp.add(make(R"({"id":"d)" + std::to_string(d) + R"(","received_at":"2024-05-0)" + std::to_string(d) + R"(T10:00:00Z"})"));
    for (int i = 0; i < 9; ++i) sp.add(make(R"({"id":"s)" + std::to_string(i) + R"(","received_at":"2024-05-05T10:00:00Z"})"));
    auto res = parse(sp.result_json());
    const auto& rows = at(res, {"trend", "rows"}).as_array();
    REQUIRE(rows.size() == 5);
    CHECK(at(rows[3], {"period"}).as_string() == "2024-05-04");
    CHECK(num(rows[3], {"count"}) == 0);
    CHECK(at(rows[4], {"spike"}).as_bool());
    CHECK(num(rows[4], {"baseline"}) == Approx(2.0 / 3));
}

TEST_CASE("metrics: attribute lift finds the Pontiac engine-off times", "[metrics][report]") {
    // The Pontiac case: the car failed to restart after buying vanilla ice cream. The
    // log shows short engine-off times on those trips (vanilla was sold at the front).
    Report rep(report_config_from_json(R"({"lift":{"cluster":{"field":"attribute:stalled","equals":"true"},
        "bins":{"engine_off_minutes":[0,5,10]},"min_support":2},"metrics":["count","lift"]})"));
    int n = 0;
    auto trip = [&](const std::string& flavour, int minutes, bool stalled) {
        rep.add(make(R"({"id":"t)" + std::to_string(n++) + R"(","received_at":"2024-06-01T19:00:00Z","attributes":{"flavour":")" +
                     flavour + R"(","engine_off_minutes":)" + std::to_string(minutes) + R"(,"stalled":)" +
                     (stalled ? "true" : "false") + "}}"));
    };
    for (int i = 0; i < 4; ++i) trip("vanilla", 3, true);
    trip("vanilla", 4, false);
    for (int i = 0; i < 5; ++i) trip("chocolate", 8, false);
    for (int i = 0; i < 5; ++i) trip("strawberry", 12, false);
    auto res = parse(rep.result_json());
    const auto& rows = at(res, {"lift", "rows"}).as_array();
    REQUIRE(rows.size() == 2);
    // 4 stalled of 15 trips; all 4 are vanilla (5 of 15) with 3 minutes off ([0, 5): 5 of 15)
    CHECK(num(res, {"lift", "in_cluster"}) == 4);
    CHECK(at(rows[0], {"lift"}).to_number<double>() == Approx(3.0));
    CHECK(at(rows[1], {"lift"}).to_number<double>() == Approx(3.0));
    std::set<std::string> values{std::string(at(rows[0], {"value"}).as_string()), std::string(at(rows[1], {"value"}).as_string())};
    CHECK(values == std::set<std::string>{"vanilla", "[0, 5)"});
    CHECK(num(rows[0], {"share_outside"}) == Approx(1.0 / 11));
    CHECK_FALSE(res.as_object().contains("pareto"));  // not chosen
}

TEST_CASE("metrics: Pareto of causes and region roll-up in a report", "[metrics][report]") {
    Report rep(report_config_from_json(R"({"group_by":["region:1"],"pareto":{"facet":"cause"}})"));
    int n = 0;
    auto add = [&](const std::string& cause, const std::string& region) {
        rep.add(make(R"({"id":"p)" + std::to_string(n++) + R"(","received_at":"2024-06-01T10:00:00Z","region":)" + region +
                     (cause.empty() ? "" : R"(,"facets":{"cause":")" + cause + "\"}") + "}"));
    };
    for (int i = 0; i < 6; ++i) add("service", R"(["广东省","深圳市"])");
    for (int i = 0; i < 3; ++i) add("price", R"(["广东省","广州市"])");
    add("integrity", R"(["浙江省","杭州市"])");
    add("", R"(["浙江省"])");
    auto res = parse(rep.result_json());
    const auto& rows = at(res, {"pareto", "rows"}).as_array();
    REQUIRE(rows.size() == 3);
    CHECK(at(rows[0], {"value"}).as_string() == "service");
    CHECK(at(rows[1], {"vital"}).as_bool());   // 0.6 → 0.9 reaches 0.8
    CHECK_FALSE(at(rows[2], {"vital"}).as_bool());
    CHECK(num(res, {"pareto", "excluded_unknown"}) == 1);
    REQUIRE(rep.group({"广东省"}));
    CHECK(rep.group({"广东省"})->count() == 9);
    CHECK(rep.group({"浙江省"})->count() == 2);
}

namespace {

std::string random_complaint(std::mt19937_64& rng, int i) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    static const char* branches[] = {"B1", "B2", "B3", "B4"};
    static const char* causes[] = {"service", "price", "integrity", "product_quality", "unknown"};
    static const char* channels[] = {"phone", "email", "web_form", "in_person"};
    const int day = 1 + pick(28);
    std::string base = "2024-02-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
    std::string ev;
    std::int64_t t = 0;
    auto at = [&](int add_minutes) {
        t += add_minutes;
        const std::int64_t h = 9 + t / 60, m = t % 60;
        const std::int64_t d = h / 24;
        char buf[64];
        std::snprintf(buf, sizeof buf, "2024-03-%02dT%02d:%02d:00Z", static_cast<int>(1 + d), static_cast<int>(h % 24),
                      static_cast<int>(m));
        return std::string(buf);
    };
    std::vector<std::string> events;
    if (pick(4)) events.push_back(R"({"at":")" + at(pick(300)) + R"(","type":"acknowledged","actor":"s)" + std::to_string(pick(5)) + "\"}");
    if (pick(3)) events.push_back(R"({"at":")" + at(pick(600)) + R"(","type":"reply_to_customer","actor":"s)" + std::to_string(pick(5)) + "\"}");
    if (pick(5) == 0) events.push_back(R"({"at":")" + at(pick(60)) + R"(","type":"escalated"})");
    if (pick(4)) {
        events.push_back(R"({"at":")" + at(pick(3000)) + R"(","type":"resolved","actor":"s)" + std::to_string(pick(5)) + "\"}");
        if (pick(6) == 0) events.push_back(R"({"at":")" + at(pick(600)) + R"(","type":"reopened"})");
        if (pick(2)) {
            std::string payload = R"({"satisfaction":)" + std::to_string(1 + pick(5)) + R"(,"nps":)" + std::to_string(pick(11));
            if (pick(3) == 0) payload += R"(,"effort":)" + std::to_string(1 + pick(7));
            if (pick(4) == 0) {
                payload += R"(,"servqual":{"expectation":[)";
                for (int k = 0; k < 22; ++k) {
                    if (k) payload += ',';
                    payload += pick(10) ? std::to_string(1 + pick(7)) : std::string("null");
                }
                payload += R"(],"perception":[)";
                for (int k = 0; k < 22; ++k) {
                    if (k) payload += ',';
                    payload += std::to_string(1 + pick(7));
                }
                payload += R"(],"weights":{"tangibles":10,"reliability":30,"responsiveness":20,"assurance":20,"empathy":20}})";
            }
            payload += "}";
            events.push_back(R"({"at":")" + at(pick(2000)) + R"(","type":"follow_up","payload":)" + payload + "}");
        }
        if (pick(3) == 0)
            events.push_back(R"({"at":")" + at(10) + R"(","type":"remedy_accepted","payload":{"cost":{"minor":)" +
                             std::to_string(pick(10000)) + R"(,"currency":"CNY"}}})");
        if (pick(2)) events.push_back(R"({"at":")" + at(pick(100)) + R"(","type":"closed"})");
    }
    for (std::size_t k = 0; k < events.size(); ++k) {
        if (k) ev += ',';
        ev += events[k];
    }
    (void)base;
    return R"({"id":"R)" + std::to_string(i) + R"(","received_at":"2024-03-01T)" + (pick(10) == 0 ? "10" : "09") +
           R"(:00:00Z","channel":")" + channels[pick(4)] + R"(","branch":")" + branches[pick(4)] +
           R"(","region":["P)" + std::to_string(pick(2)) + R"(","C)" + std::to_string(pick(3)) +
           R"("],"customer":{"id":"K)" + std::to_string(pick(60)) + R"("},"facets":{"cause":")" + causes[pick(5)] +
           R"(","kind":")" + (pick(8) ? "grievance" : "suggestion") + R"(","category":")" +
           (pick(2) ? "product_quality" : "service_quality") + R"("},"attributes":{"minutes":)" + std::to_string(pick(30)) +
           R"(,"hot":)" + (pick(3) ? "false" : "true") + R"(},"events":[)" + ev + "]}";
}

}  // namespace

TEST_CASE("metrics: random partitions merge into exactly the single-machine answer", "[metrics][merge]") {
    const char* config = R"({"group_by":["branch","region:1","channel"],"sla_hours":{"resolution":48,"first_response":4},
        "as_of":"2024-03-04T00:00:00Z","servqual":{"form":"1988"},
        "lift":{"cluster":{"field":"attribute:hot","equals":"true"},"bins":{"minutes":[0,10,20]},"min_support":1},
        "grading":{"metric":"resolution_time.median","bands":[{"name":"fast","max":36000},{"name":"slow"}],"min_n":3},
        "trend":{"period":"day"}})";
    std::mt19937_64 rng(20240301);
    std::vector<Complaint> all;
    for (int i = 0; i < 600; ++i) all.push_back(make(random_complaint(rng, i)));
    Report single(report_config_from_json(config));
    for (const auto& c : all) single.add(c);
    const std::string expected = single.result_json();
    REQUIRE(single.count() == 600);
    for (int trial = 0; trial < 4; ++trial) {
        const int parts = 2 + trial * 3;
        std::vector<Report> reports(static_cast<std::size_t>(parts), Report(report_config_from_json(config)));
        std::vector<std::size_t> order(all.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (std::size_t i : order) reports[rng() % static_cast<std::uint64_t>(parts)].add(all[i]);
        // each partition travels as JSON state, then merges in a random order
        Report merged = Report::from_state_json(reports[0].state_json());
        for (int p = 1; p < parts; ++p) merged.merge(Report::from_state_json(reports[static_cast<std::size_t>(p)].state_json()));
        CHECK(merged.count() == 600);
        CHECK(merged.result_json() == expected);
        CHECK(merged.total() == single.total());
    }
    // state round trip of the whole is lossless
    CHECK(Report::from_state_json(single.state_json()).result_json() == expected);
    for (const char* bad : {":nan", ":-nan", ":inf", ":-inf", "e99999", ",nan", "[nan"}) CHECK(expected.find(bad) == std::string::npos);
    CHECK(expected.find("2.4E1") == std::string::npos);  // numbers in their shortest form
}

TEST_CASE("metrics: empty report and empty groups render null with a reason", "[metrics][report]") {
    Report rep;
    auto res = parse(rep.result_json());
    CHECK(num(res, {"count"}) == 0);
    CHECK(at(res, {"total", "share"}).is_null());
    CHECK(at(res, {"total", "resolution_time", "mean"}).is_null());
    CHECK(at(res, {"total", "resolution_time", "reason"}).as_string() == "no durations");
    CHECK(at(res, {"total", "nps", "score"}).is_null());
    CHECK(at(res, {"total", "nps", "reason"}).as_string() == "no responses");
    CHECK(at(res, {"total", "reopen_rate", "share"}).is_null());
    CHECK(at(res, {"total", "reopen_rate", "reason"}).as_string() == "empty denominator");
    CHECK(at(res, {"total", "servqual", "reason"}).as_string() == "no SERVQUAL surveys");
    CHECK(at(res, {"total", "backlog", "reason"}).as_string() == "no as_of instant configured");
    CHECK(at(res, {"lift", "reason"}).as_string() == "no cluster configured");
    CHECK(at(res, {"groups"}).as_array().empty());
}

TEST_CASE("metrics: configuration errors name the field", "[metrics][config]") {
    auto e = [](const char* j) { return err_of([&] { report_config_from_json(j); }); };
    CHECK(e(R"({"group_by":["colour"]})") == "/group_by/0: unknown facet \"colour\" (use a facet name, region:N or attribute:NAME)");
    CHECK(e(R"({"bogus":1})") == "/bogus: unknown field");
    CHECK(e(R"({"servqual":{"weights":{"tangibles":10,"reliability":10,"responsiveness":10,"assurance":10,"empathy":10}}})") ==
          "/servqual/weights: weights must sum to 100 points, got 50");
    CHECK(e(R"({"servqual":{"weights":{"tangibles":100}}})") == "/servqual/weights/reliability: required field is missing");
    CHECK(e(R"({"servqual":{"reverse_items":[23]}})") == "/servqual/reverse_items/0: reverse item 23 is not an item (1–22)");
    CHECK(e(R"({"csat":{"scale":[1,5],"top_box":6}})") == "/csat: top_box must lie on the scale");
    CHECK(e(R"({"csat":{"scale":[5,1]}})") == "/csat/scale: scale must have min < max");
    CHECK(e(R"({"confidence":1.5})") == "/confidence: confidence must be between 0 and 1 (exclusive)");
    CHECK(e(R"({"iceberg":{"complaint_rate":0}})") == "/iceberg/complaint_rate: complaint rate must be in (0, 1]");
    CHECK(e(R"({"time_zone":"Mars/Olympus_Mons"})") ==
          "/time_zone: time zone must be \"local\", \"UTC\", an offset like \"+08:00\" or a zone name such as "
          "\"Asia/Shanghai\" (IANA) or \"EST5EDT,M3.2.0,M11.1.0\" (POSIX); got \"Mars/Olympus_Mons\"");
    CHECK(e(R"({"metrics":["csat","happiness"]})") == "/metrics/1: unknown metric \"happiness\"");
    CHECK(e(R"({"sla_hours":{"lunch":1}})") == "/sla_hours/lunch: unknown SLA target (acknowledge, first_response, resolution)");
    CHECK(e(R"({"grading":{"metric":"mood","bands":[{"name":"A"}]}})") == "/grading/metric: unknown group metric \"mood\"");
    CHECK(e(R"({"loyalty":{"resolved":1.2}})") == "/loyalty/resolved: a retention figure is in [0, 1]");
    CHECK(e(R"({"aging_days":[3,1]})") == "/aging_days/1: aging edges must be positive and increasing");
    // the normalised form round-trips
    auto c = report_config_from_json(R"({"group_by":["branch"],"time_zone":"-03:30","servqual":{"form":"1988"}})");
    CHECK(to_json(report_config_from_json(to_json(c))) == to_json(c));
}

TEST_CASE("metrics: merge and state errors", "[metrics][state]") {
    Report a(report_config_from_json(R"({"group_by":["branch"]})"));
    Report b(report_config_from_json(R"({"group_by":["channel"]})"));
    CHECK(err_of([&] { a.merge(b); }) == "cannot merge reports with different configurations");
    CHECK(err_of([&] { a.merge(a); }) == "cannot merge a report into itself");
    CHECK(err_of([&] { Report::from_state_json(R"({"format":"x","version":1})"); }) ==
          "/format: not a complaintkit metrics report state");
    a.add(make(complaint_json("A", "B1", 5, "")));
    std::string s = a.state_json();
    auto pos = s.find("\"version\":1");
    REQUIRE(pos != std::string::npos);
    std::string v2 = s;
    v2.replace(pos, 11, "\"version\":2");
    CHECK(err_of([&] { Report::from_state_json(v2); }) == "/version: unsupported state version 2");
    std::string bad = s;
    bad.replace(bad.find("\"group_by\":[\"branch\"]"), 21, "\"group_by\":[\"nope\"]");
    CHECK(err_of([&] { Report::from_state_json(bad); }) ==
          "/config/group_by/0: unknown facet \"nope\" (use a facet name, region:N or attribute:NAME)");
}

TEST_CASE("metrics: churn risk per customer", "[metrics][report]") {
    Report rep(report_config_from_json(R"({"churn":{"max_complaints":2}})"));
    rep.add(make(complaint_json("A", "B", 5, "", R"(,"customer":{"id":"K1"})")));
    rep.add(make(complaint_json("B", "B", 6,
                                R"({"at":"2024-03-06T10:00:00Z","type":"resolved"},
                                   {"at":"2024-03-06T11:00:00Z","type":"follow_up","payload":{"satisfaction":1}})",
                                R"(,"customer":{"id":"K1"})")));
    rep.add(make(complaint_json("C", "B", 6, R"({"at":"2024-03-06T10:00:00Z","type":"resolved"})", R"(,"customer":{"id":"K2"})")));
    auto res = parse(rep.result_json());
    const auto& risk = at(res, {"churn_risk"}).as_array();
    REQUIRE(risk.size() == 1);
    CHECK(at(risk[0], {"customer"}).as_string() == "K1");
    CHECK(num(risk[0], {"expected_retention"}) == 0.95);  // latest complaint resolved within 24 h
    const auto& reasons = at(risk[0], {"reasons"}).as_array();
    REQUIRE(reasons.size() == 3);
    CHECK(reasons[0].as_string() == "2 complaints");
    CHECK(reasons[1].as_string() == "unresolved complaint");
    CHECK(reasons[2].as_string() == "dissatisfied (CSAT 1)");
}

TEST_CASE("metrics: host facts from a provider (the workflow engine's hook)", "[metrics][report]") {
    Report rep(report_config_from_json(R"({"group_by":["branch"]})"));
    rep.set_host_facts([](const Complaint& c) -> std::optional<HostFacts> {
        HostFacts h;
        h.business_resolution_s = c.id == "A" ? 1800 : 5400;
        h.sla = {{"resolution", c.id == "A"}};
        return h;
    });
    rep.add(make(complaint_json("A", "B1", 5, R"({"at":"2024-03-05T11:00:00Z","type":"resolved"})")));
    rep.add(make(complaint_json("B", "B1", 5, R"({"at":"2024-03-05T12:00:00Z","type":"resolved"})")));
    auto res = parse(rep.result_json());
    CHECK(num(res, {"total", "business_resolution_time", "mean"}) == 3600);
    CHECK(num(res, {"total", "sla", "resolution", "share"}) == 0.5);
}

TEST_CASE("metrics: keyed groups for host-built records", "[metrics]") {
    GroupedMetrics gm;
    Record r;
    r.resolved = true;
    r.resolution_us = 7200 * 1'000'000LL;
    gm.add("B1|2024-03", r);
    gm.add("B1|2024-03", r);
    gm.add("B2|2024-03", r);
    CHECK(gm.size() == 2);
    CHECK(gm.find("B1|2024-03")->count() == 2);
    GroupedMetrics other;
    other.add("B2|2024-03", r);
    gm.merge(other);
    CHECK(gm.find("B2|2024-03")->count() == 2);
    CHECK(gm.count() == 4);
    auto res = parse(gm.result_json());
    CHECK(at(res, {"groups"}).as_array()[0].as_object().at("key").as_string() == "B1|2024-03");
    Options o2;
    o2.confidence = 0.9;
    CHECK(err_of([&] { gm.merge(GroupedMetrics(o2)); }) == "cannot merge metrics with different options");
    // state round trip, options included
    o2.calendar_sla_hours["resolution"] = 1;
    GroupedMetrics with_sla(o2);
    with_sla.add("x", r);
    auto back = GroupedMetrics::from_state_json(with_sla.state_json());
    CHECK(back.result_json() == with_sla.result_json());
    CHECK(back.find("x")->count() == 1);
    CHECK(GroupedMetrics::from_state_json(gm.state_json()).result_json() == gm.result_json());
    CHECK(err_of([&] { GroupedMetrics::from_state_json(R"({"format":"complaintkit.metrics.report","version":1})"); }) ==
          "/format: not a complaintkit grouped metrics state");
}
