// Handling workflow: lifecycle, SLA clocks on the business calendar, pauses, policy
// changes, warnings, breach escalation, remedies, CAPA, replay, and bad input.
// Default calendar: CST-8, Mon–Fri 09:00–12:00 and 13:00–18:00 (8 business hours a day).
#include <complaintkit/json.hpp>
#include <complaintkit/workflow.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

using namespace std::chrono_literals;
using ck::Command;
using ck::CommandType;
using ck::Target;
using ck::parse_timestamp;

namespace {

ck::Complaint complaint(const std::string& extra = "") {
    // Monday 4 March 2024, 10:00 China time.
    return ck::complaint_from_json(R"({"id":"C1","received_at":"2024-03-04T10:00:00+08:00","channel":"phone",)"
                                   R"("branch":"新街口店","region":["江苏省","南京市"],)"
                                   R"("customer":{"id":"K9","owner":"wang"})" + extra + "}");
}

void run(const ck::Workflow& w, ck::Complaint& c, const std::string& json) { w.apply(c, Command::from_json(json)); }

std::string cmd(const std::string& name, const std::string& at, const std::string& fields = "") {
    return R"({"command":")" + name + R"(","at":")" + at + R"(","actor":"li")" + (fields.empty() ? "" : "," + fields) + "}";
}

const ck::TargetStatus& target(const ck::WorkflowState& s, Target t, int cycle = -1) {
    const ck::TargetStatus* found = nullptr;
    for (const auto& x : s.targets)
        if (x.target == t && (cycle < 0 || x.cycle == cycle)) found = &x;
    REQUIRE(found);
    return *found;
}
std::string fmt(const std::optional<ck::Timestamp>& t) { return t ? ck::format_timestamp(*t) : "none"; }

std::string error_of(const ck::Workflow& w, ck::Complaint& c, const std::string& json) {
    const auto before = c;
    try {
        run(w, c, json);
    } catch (const ck::Error& e) {
        CHECK(c == before);  // nothing changed
        return e.what();
    }
    FAIL("no error for " << json);
    return {};
}

}  // namespace

TEST_CASE("workflow: default deadlines, warnings, next wake-up and breach escalation", "[workflow]") {
    const ck::Workflow w;
    auto c = complaint();
    auto s = w.state(c, parse_timestamp("2024-03-04T10:05+08:00"));
    CHECK(s.status == ck::Status::received);
    CHECK(s.assignee == "wang");  // whoever owns the customer is responsible
    CHECK(s.owner_unit == "新街口店");
    CHECK(s.policies == std::vector<std::string>{"standard"});
    // Acknowledge within the same business day.
    CHECK(fmt(target(s, Target::acknowledge).deadline) == "2024-03-04T18:00:00+08:00");
    CHECK(fmt(target(s, Target::first_response).deadline) == "2024-03-05T10:00:00+08:00");
    CHECK(fmt(target(s, Target::update).deadline) == "2024-03-06T10:00:00+08:00");
    CHECK(fmt(target(s, Target::resolution).deadline) == "2024-03-11T10:00:00+08:00");
    // 75 % of the 420 minutes left that day: 10:00 + 315 business minutes = 16:15.
    CHECK(fmt(s.next_wakeup) == "2024-03-04T16:15:00+08:00");

    s = w.state(c, parse_timestamp("2024-03-04T16:20+08:00"));
    REQUIRE(s.warnings.size() == 1);
    CHECK(s.warnings[0].target == Target::acknowledge);
    CHECK(ck::format_timestamp(s.warnings[0].at) == "2024-03-04T16:15:00+08:00");
    CHECK(fmt(s.next_wakeup) == "2024-03-04T17:00:00+08:00");  // first-response warning (360 of 480)
    CHECK(s.breaches.empty());

    // Past 18:00 unacknowledged: breach, one level up, ownership to the city.
    s = w.state(c, parse_timestamp("2024-03-04T18:30+08:00"));
    REQUIRE(s.breaches.size() == 1);
    CHECK(ck::format_timestamp(s.breaches[0].at) == "2024-03-04T18:00:00+08:00");
    CHECK(s.level == 1);
    CHECK(s.level_name == "city");
    CHECK(s.owner_unit == "南京市");
    REQUIRE(s.escalations.size() == 1);
    CHECK(s.escalations[0].reason == "breach:acknowledge");
    // Recording the notices in the log (audit): once, at now; replay ignores the records.
    {
        auto rec = c;
        const auto now = parse_timestamp("2024-03-04T18:30+08:00");
        CHECK(w.record_sla_events(rec, now) == 3);  // acknowledge and first-response warnings, acknowledge breach
        CHECK(w.record_sla_events(rec, now) == 0);
        REQUIRE(rec.events.size() == 3);
        CHECK(rec.events[0].type == ck::EventType::sla_warning);
        CHECK(rec.events[1].type == ck::EventType::sla_warning);
        CHECK(rec.events[2].type == ck::EventType::sla_breached);
        CHECK(rec.events[2].payload ==
              R"({"target":"acknowledge","cycle":0,"policy":"standard","fraction":1E0,"due":"2024-03-04T18:00:00+08:00","level":1})");
        const auto r = w.state(rec, now);
        CHECK(r.breaches.size() == s.breaches.size());
        CHECK(r.warnings.size() == s.warnings.size());
        CHECK(r.level == s.level);
    }
    // The breach instant itself counts as breached (a wake-up at the deadline sees it).
    CHECK(w.state(c, parse_timestamp("2024-03-04T18:00+08:00")).breaches.size() == 1);
    CHECK(w.state(c, parse_timestamp("2024-03-04T17:59+08:00")).breaches.empty());

    // Next day 10:00: first response breached too → province; later breaches stay at the top.
    s = w.state(c, parse_timestamp("2024-03-12T10:00+08:00"));
    CHECK(s.level == 2);
    CHECK(s.owner_unit == "江苏省");
    CHECK(s.breaches.size() == 4);  // acknowledge, first_response, update, resolution
    CHECK(s.escalations.size() == 2);

    // Acknowledging exactly at the deadline is on time.
    run(w, c, cmd("acknowledge", "2024-03-04T18:00+08:00"));
    s = w.state(c, parse_timestamp("2024-03-04T18:30+08:00"));
    CHECK(s.breaches.empty());
    CHECK(fmt(target(s, Target::acknowledge).met_at) == "2024-03-04T18:00:00+08:00");
}

TEST_CASE("workflow: a powerful customer gets the fastest response, all policies reported", "[workflow]") {
    const ck::Workflow w;
    auto c = complaint(R"(,"facets":{"personality":"powerful"})");
    auto s = w.state(c, parse_timestamp("2024-03-04T10:00+08:00"));
    CHECK(s.policies == std::vector<std::string>{"standard", "powerful_customer"});
    const auto& ack = target(s, Target::acknowledge);
    CHECK(ack.policy == "powerful_customer");
    CHECK(fmt(ack.deadline) == "2024-03-04T10:30:00+08:00");
    REQUIRE(ack.by_policy.size() == 2);
    CHECK(fmt(ack.by_policy[0].second) == "2024-03-04T18:00:00+08:00");
    // Update clock: only the standard policy sets it.
    CHECK(target(s, Target::update).policy == "standard");
}

TEST_CASE("workflow: pauses exclude time, changing policy keeps elapsed and paused time", "[workflow]") {
    const ck::Workflow w;
    auto c = complaint();
    run(w, c, cmd("acknowledge", "2024-03-04T10:30+08:00"));
    run(w, c, cmd("start_investigation", "2024-03-04T10:45+08:00"));
    run(w, c, cmd("await_customer", "2024-03-04T11:00+08:00"));
    auto s = w.state(c, parse_timestamp("2024-03-04T14:00+08:00"));
    CHECK(s.status == ck::Status::awaiting_customer);
    CHECK(target(s, Target::resolution).paused);
    CHECK_FALSE(target(s, Target::resolution).deadline);
    CHECK_FALSE(s.next_wakeup);  // every running clock is paused: nothing to wake up for
    CHECK(target(s, Target::resolution).elapsed == 60min);
    run(w, c, cmd("customer_replied", "2024-03-04T15:00+08:00"));
    s = w.state(c, parse_timestamp("2024-03-04T15:00+08:00"));
    CHECK(s.status == ck::Status::investigating);
    // Paused 11:00–15:00 = 180 business minutes: the resolution deadline moves by exactly that.
    CHECK(fmt(target(s, Target::resolution).deadline) == "2024-03-11T14:00:00+08:00");

    // Switch to the serious policy: 1440 business minutes counted from receipt, pause kept.
    run(w, c, cmd("change_policy", "2024-03-04T15:00+08:00", R"("policies":["serious"])"));
    s = w.state(c, parse_timestamp("2024-03-04T15:00+08:00"));
    CHECK(s.policy_override);
    CHECK(s.policies == std::vector<std::string>{"serious"});
    CHECK(fmt(target(s, Target::resolution).deadline) == "2024-03-07T14:00:00+08:00");
    // First response under the serious policy: 240 min = 60 before the pause + 180 after it.
    CHECK(fmt(target(s, Target::first_response).deadline) == "2024-03-04T18:00:00+08:00");
    CHECK(s.breaches.empty());
    CHECK(fmt(s.next_wakeup) == "2024-03-04T16:00:00+08:00");  // 50 % warning of the serious policy

    // A stricter policy whose deadline had already passed is breached at the change (a
    // failed SLA stays failed), and escalates once.
    auto e = complaint();
    run(w, e, cmd("acknowledge", "2024-03-04T10:30+08:00"));
    run(w, e, cmd("classify", "2024-03-04T16:00+08:00", R"("facets":{"severity":"critical"})"));
    s = w.state(e, parse_timestamp("2024-03-04T16:00+08:00"));
    REQUIRE(s.breaches.size() == 1);
    CHECK(s.breaches[0].target == Target::first_response);
    CHECK(s.breaches[0].policy == "serious");
    CHECK(ck::format_timestamp(s.breaches[0].at) == "2024-03-04T16:00:00+08:00");
    // 50 % and 75 % of first response, 50 % of update: all made known at the change.
    CHECK(s.warnings.size() == 3);
    for (const auto& n : s.warnings) CHECK(ck::format_timestamp(n.at) == "2024-03-04T16:00:00+08:00");
    CHECK(s.level == 1);
    CHECK(target(s, Target::acknowledge).met_at);  // met before the change: not breached
    CHECK_FALSE(target(s, Target::acknowledge).breached_at);

    // Classifying as serious (instead of forcing the policy) gives the earliest of both.
    auto d = complaint();
    run(w, d, cmd("acknowledge", "2024-03-04T10:30+08:00"));
    run(w, d, cmd("reply_to_customer", "2024-03-04T10:40+08:00") .substr(0, 0) + cmd("reply_to_customer", "2024-03-04T10:40+08:00").replace(1, 0, R"("text":"we are on it",)"));
    run(w, d, cmd("classify", "2024-03-04T14:00+08:00", R"("facets":{"severity":"serious"})"));
    s = w.state(d, parse_timestamp("2024-03-04T14:00+08:00"));
    CHECK(s.policies == std::vector<std::string>{"standard", "serious"});
    const auto& res = target(s, Target::resolution);
    CHECK(res.policy == "serious");
    CHECK(fmt(res.deadline) == "2024-03-07T10:00:00+08:00");
    REQUIRE(res.by_policy.size() == 2);
    CHECK(fmt(res.by_policy[0].second) == "2024-03-11T10:00:00+08:00");
    CHECK(s.breaches.empty());
    CHECK(d.facets.severity == ck::Severity::unknown);  // the record is untouched; the log holds the change
}

TEST_CASE("workflow: full lifecycle, remedies, cost ledger, CAPA and follow-up before close", "[workflow]") {
    const ck::Workflow w;
    auto c = complaint(R"(,"facets":{"category":"product_quality","cause":"product_quality","severity":"serious"},)"
                       R"("remedy_sought":{"types":["replacement"],"text":"换新的"})");
    run(w, c, cmd("acknowledge", "2024-03-04T10:20+08:00"));
    run(w, c, cmd("assign", "2024-03-04T10:21+08:00", R"("to":"zhao")"));
    run(w, c, cmd("start_investigation", "2024-03-04T10:30+08:00"));
    run(w, c, cmd("propose_remedy", "2024-03-04T11:00+08:00",
                  R"("remedies":[{"type":"repair","cost":{"minor":2000,"currency":"CNY"}}])"));
    CHECK_THAT(error_of(w, c, cmd("resolve", "2024-03-04T11:05+08:00")),
               Catch::Equals("resolve is not allowed in state remedy_proposed: the proposed remedy awaits the customer's answer"));
    run(w, c, cmd("reject_remedy", "2024-03-04T11:10+08:00"));
    run(w, c, cmd("propose_remedy", "2024-03-04T11:20+08:00",
                  R"("remedies":[{"type":"replacement","amount":{"minor":3500,"currency":"CNY"},"cost":{"minor":2100,"currency":"CNY"}},{"type":"apology"}])"));
    run(w, c, cmd("accept_remedy", "2024-03-04T11:30+08:00"));
    run(w, c, cmd("resolve", "2024-03-04T16:00+08:00"));
    auto s = w.state(c, parse_timestamp("2024-03-04T16:00+08:00"));
    CHECK(s.status == ck::Status::resolved);
    CHECK(s.assignee == "zhao");
    REQUIRE(s.remedies.size() == 2);
    CHECK(s.remedies[0].decision == ck::RemedyProposal::Decision::rejected);
    CHECK(s.remedies[1].decision == ck::RemedyProposal::Decision::accepted);
    CHECK(s.granted_cost.at("CNY") == 2100);
    CHECK(s.granted_amount.at("CNY") == 3500);
    CHECK(w.state_json(c, parse_timestamp("2024-03-04T16:00+08:00")).find(R"("remedy_sought":{"types":["replacement"])") !=
          std::string::npos);
    // Follow-up clock runs from resolution (serious: 960 business minutes).
    CHECK(fmt(target(s, Target::follow_up).deadline) == "2024-03-06T16:00:00+08:00");
    CHECK(s.close_blockers.size() == 3);
    CHECK_THAT(error_of(w, c, cmd("close", "2024-03-04T16:10+08:00")),
               Catch::Equals("close is not allowed in state resolved: the follow-up visit (回访) is not recorded (required by "
                             "policy standard, serious); a serious complaint needs a recorded corrective action (纠正措施); "
                             "a serious complaint needs a recorded preventive action (预防措施)"));
    CHECK_THAT(error_of(w, c, cmd("follow_up", "2024-03-05T10:00+08:00", R"("satisfaction":9)")),
               Catch::Equals("/satisfaction: satisfaction is 1 (very dissatisfied) … 5 (very satisfied)"));
    run(w, c, cmd("follow_up", "2024-03-05T10:00+08:00", R"("satisfaction":4)"));
    run(w, c, R"({"command":"corrective_action","at":"2024-03-05T11:00+08:00","text":"Pull batch 2403 from the shelves","owner":"qa"})");
    CHECK_THAT(error_of(w, c, cmd("close", "2024-03-05T11:10+08:00")), Catch::Contains("preventive action (预防措施)"));
    run(w, c, R"({"command":"preventive_action","at":"2024-03-05T11:20+08:00","text":"Supplier incoming inspection","due":"2024-04-01T00:00:00+08:00"})");
    run(w, c, cmd("close", "2024-03-05T11:30+08:00"));
    s = w.state(c, parse_timestamp("2024-03-06T00:00+08:00"));
    CHECK(s.status == ck::Status::closed);
    CHECK(s.satisfaction == 4);
    CHECK_FALSE(s.next_wakeup);
    CHECK(s.breaches.empty());

    // Reopen starts a new resolution cycle.
    run(w, c, cmd("reopen", "2024-03-06T09:00+08:00"));
    s = w.state(c, parse_timestamp("2024-03-06T09:00+08:00"));
    CHECK(target(s, Target::resolution, 1).started == parse_timestamp("2024-03-06T09:00+08:00"));
    CHECK(fmt(target(s, Target::resolution, 1).deadline) == "2024-03-08T18:00:00+08:00");

    // Replay: the log round-tripped through JSON gives the same state at every instant.
    const auto back = ck::complaint_from_json(ck::to_json(c));
    for (const char* now : {"2024-03-04T10:25+08:00", "2024-03-06T09:00+08:00", "2024-04-01T00:00+08:00"}) {
        if (parse_timestamp(now) < c.events.back().at) continue;
        CHECK(w.state_json(back, parse_timestamp(now)) == w.state_json(c, parse_timestamp(now)));
    }
    // Replaying a prefix of the log equals the state that was current then.
    auto prefix = c;
    prefix.events.resize(4);
    const auto t = parse_timestamp("2024-03-04T11:25+08:00");
    CHECK(w.state(prefix, t).status == ck::Status::remedy_proposed);
}

TEST_CASE("workflow: remedies recommended by the table, and personality strategies", "[workflow][remedy]") {
    const ck::Workflow w;
    auto types = [&](const ck::Complaint& c) {
        std::vector<std::string> out;
        for (const auto& r : w.recommend(c)) out.emplace_back(ck::to_code(r.type));
        return out;
    };
    CHECK(types(complaint(R"(,"facets":{"cause":"product_quality"})")) ==
          std::vector<std::string>{"apology", "replacement", "refund"});
    CHECK(types(complaint(R"(,"facets":{"cause":"service","sub_cause":"money_error"})")) ==
          std::vector<std::string>{"apology", "price_difference_refund"});
    CHECK(types(complaint(R"(,"facets":{"cause":"service","sub_cause":"broken_appointment"})")) ==
          std::vector<std::string>{"apology", "reschedule", "gift"});
    const auto pq = w.recommend(complaint(R"(,"facets":{"category":"product_quality"})"), ck::Lang::zh_hans);
    REQUIRE(pq.size() == 3);
    CHECK(pq[1].note == "换一件新的商品，绝不能把同一件商品还给顾客。");
    // A classify event changes the recommendation (the log is the truth).
    auto c = complaint();
    run(w, c, cmd("classify", "2024-03-04T10:10+08:00", R"("facets":{"sub_cause":"label_mismatch"},"tier":"key_account")"));
    CHECK(types(c) == std::vector<std::string>{"apology", "replacement", "coupon", "gift"});

    CHECK(ck::personality_strategy(ck::Personality::powerful, ck::Lang::en).find("fastest") != std::string_view::npos);
    CHECK(ck::personality_strategy(ck::Personality::powerful, ck::Lang::zh_hans).starts_with("力量型"));
    CHECK(ck::personality_strategy(ck::Personality::lively, ck::Lang::zh_hant).starts_with("活潑型"));
    CHECK(ck::personality_strategy(ck::Personality::peaceful, ck::Lang::zh_hant).find("激將法") != std::string_view::npos);
}

TEST_CASE("workflow: illegal transitions and out-of-order commands change nothing", "[workflow][errors]") {
    const ck::Workflow w;
    auto c = complaint();
    CHECK_THAT(error_of(w, c, cmd("resolve", "2024-03-04T10:10+08:00")),
               Catch::Equals("resolve is not allowed in state received: acknowledge it first"));
    CHECK_THAT(error_of(w, c, cmd("follow_up", "2024-03-04T10:10+08:00", R"("satisfaction":5)")),
               Catch::Equals("follow_up is not allowed in state received"));
    CHECK_THAT(error_of(w, c, cmd("acknowledge", "2024-03-04T09:00+08:00")),
               Catch::Equals("command at 2024-03-04T09:00:00+08:00 is earlier than the last event 2024-03-04T10:00:00+08:00"));
    run(w, c, cmd("acknowledge", "2024-03-04T10:30+08:00"));
    CHECK_THAT(error_of(w, c, cmd("add_note", "2024-03-04T10:29+08:00").replace(1, 0, R"("text":"x",)")),
               Catch::Contains("is earlier than the last event 2024-03-04T10:30:00+08:00"));
    CHECK_THAT(error_of(w, c, cmd("acknowledge", "2024-03-04T10:40+08:00")),
               Catch::Equals("acknowledge is not allowed in state acknowledged"));
    CHECK_THAT(error_of(w, c, cmd("accept_remedy", "2024-03-04T10:40+08:00")),
               Catch::Equals("accept_remedy is not allowed in state acknowledged: no proposed remedy awaits an answer"));
    CHECK_THAT(error_of(w, c, cmd("add_note", "2024-03-04T10:40+08:00")), Catch::Equals("/text: add_note needs a text"));
    CHECK_THAT(error_of(w, c, cmd("change_policy", "2024-03-04T10:40+08:00", R"("policies":["gold"])")),
               Catch::Equals("/policies: unknown policy \"gold\""));
    CHECK_THAT(error_of(w, c, cmd("propose_remedy", "2024-03-04T10:40+08:00", R"("remedies":[{"type":"free_car"}])")),
               Catch::Equals("/remedies/0/type: unknown remedy_type code \"free_car\""));
    CHECK_THAT(error_of(w, c, cmd("assign", "2024-03-04T10:40+08:00", R"("assignee":"x","colour":"red")")),
               Catch::Equals("/colour: unknown field"));
    CHECK_THAT(error_of(w, c, cmd("escalate", "2024-03-04T10:45+08:00", R"("level":3)")),
               Catch::Equals("/level: level 3 is not above the current level 0 and at most 2"));
    run(w, c, cmd("escalate", "2024-03-04T10:50+08:00"));
    run(w, c, cmd("escalate", "2024-03-04T10:51+08:00", R"("level":2,"to":"江苏省消保委")"));
    {
        const auto s = w.state(c, parse_timestamp("2024-03-04T10:51+08:00"));
        CHECK(s.owner_unit == "江苏省消保委");
        REQUIRE(s.escalations.size() == 2);
        CHECK(s.escalations[0].owner_unit == "南京市");
        CHECK(s.escalations[1].from == 1);
        CHECK(s.escalations[1].to == 2);
    }
    CHECK_THAT(error_of(w, c, cmd("escalate", "2024-03-04T10:52+08:00")),
               Catch::Equals("escalate is not allowed in state acknowledged: already at the top escalation level (province)"));
    run(w, c, cmd("withdraw", "2024-03-04T11:00+08:00"));
    CHECK_THAT(error_of(w, c, cmd("reopen", "2024-03-04T11:10+08:00")), Catch::Equals("reopen is not allowed in state withdrawn"));
    CHECK_THAT(error_of(w, c, cmd("classify", "2024-03-04T11:10+08:00", R"("facets":{"severity":"serious"})")),
               Catch::Equals("classify is not allowed in state withdrawn: the complaint is withdrawn"));
    CHECK_THROWS_WITH(Command::from_json(R"({"command":"teleport","at":"2024-03-04T10:00Z"})"),
                      Catch::Equals("/command: unknown command \"teleport\""));
    CHECK_THROWS_WITH(w.state(c, parse_timestamp("2024-03-04T10:00+08:00")), Catch::Contains("is earlier than the last event"));

    // A log that breaks the lifecycle is reported at the offending event.
    auto bad = ck::complaint_from_json(R"({"id":"C2","received_at":"2024-03-04T10:00:00+08:00","events":[
        {"at":"2024-03-04T10:10:00+08:00","type":"acknowledged"},
        {"at":"2024-03-04T10:20:00+08:00","type":"closed"}]})");
    // A stored log that breaks the lifecycle replays as recorded, each break reported at its event.
    const auto bs = w.state(bad, parse_timestamp("2024-03-05T00:00+08:00"));
    CHECK(bs.status == ck::Status::closed);
    REQUIRE(bs.violations.size() == 1);
    CHECK(bs.violations[0].first == 1);
    CHECK(bs.violations[0].second == "/events/1: close is not allowed in state acknowledged: not resolved");
    // Fields a host added to stored payloads are kept and ignored; known ones are still checked.
    auto odd = ck::complaint_from_json(R"({"id":"C3","received_at":"2024-03-04T10:00:00+08:00","events":[
        {"at":"2024-03-04T10:10:00+08:00","type":"acknowledged","payload":{"auto":true}},
        {"at":"2024-03-04T10:20:00+08:00","type":"assigned","payload":{"to":"zhou","desk":3}},
        {"at":"2024-03-04T10:30:00+08:00","type":"escalated","payload":{"level":7,"to":"hq.quality"}}]})");
    const auto os = w.state(odd, parse_timestamp("2024-03-04T10:30+08:00"));
    CHECK(os.violations.empty());
    CHECK(os.assignee == "zhou");
    CHECK(os.level == 2);  // clamped to the chain's top
    CHECK(os.owner_unit == "hq.quality");
    auto worse = ck::complaint_from_json(R"({"id":"C4","received_at":"2024-03-04T10:00:00+08:00","events":[
        {"at":"2024-03-04T10:10:00+08:00","type":"acknowledged"},
        {"at":"2024-03-04T10:20:00+08:00","type":"resolved"},
        {"at":"2024-03-04T10:30:00+08:00","type":"follow_up","payload":{"satisfaction":11}}]})");
    CHECK_THROWS_WITH(w.state(worse, parse_timestamp("2024-03-04T10:30+08:00")),
                      Catch::Equals("/events/2/payload/satisfaction: satisfaction is 1 (very dissatisfied) … 5 (very satisfied)"));
}

TEST_CASE("workflow: policy and configuration errors name the place", "[workflow][errors]") {
    auto err = [](const std::string& json) -> std::string {
        try {
            (void)ck::Workflow::from_json(json);
        } catch (const ck::Error& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(err(R"({"policies":[{"id":"p","pause_states":["awaiting_customer","waiting"]}]})") ==
          "/policies/0/pause_states/1: unknown status code \"waiting\"");
    CHECK(err(R"({"policies":[{"id":"p","pause_states":["closed"]}]})") ==
          "/policies/0/pause_states/0: a clock cannot pause in the terminal state closed");
    CHECK(err(R"({"policies":[{"id":"p","calendar":"hk"}]})") == "/policies/0/calendar: unknown calendar \"hk\"");
    CHECK(err(R"({"policies":[{"id":"p"},{"id":"p"}]})") == "/policies/1/id: policy id \"p\" is used twice");
    CHECK(err(R"({"policies":[{"id":"p","warn_at":[1.5]}]})") == "/policies/0/warn_at/0: a warning fraction lies strictly between 0 and 1");
    CHECK(err(R"({"policies":[{"id":"p","targets":{"resolution":{"business_minutes":60,"calendar_minutes":60}}}]})") ==
          "/policies/0/targets/resolution: a target is exactly one of business_minutes, calendar_minutes, end_of_business_day");
    CHECK(err(R"({"policies":[{"id":"p","targets":{"resolve":{"business_minutes":60}}}]})") ==
          "/policies/0/targets/resolve: unknown field");
    CHECK(err(R"({"policies":[{"id":"p","when":{"severity":["huge"]}}]})") == "/policies/0/when/severity/0: unknown severity code \"huge\"");
    CHECK(err(R"({"calendars":{"hk":{"zone":"Asia/Nowhere","hours":{}}}})") ==
          "/calendars/hk/zone: unknown time zone \"Asia/Nowhere\" (no such zone in the platform's zone data)");
    CHECK(err(R"({"calendars":{"hk":{"zone":"UTC","hours":{"mon":[["10:00","09:00"]]}}}})") ==
          "/calendars/hk/hours/mon/0: interval end 09:00 is not after its start 10:00 (inverted or empty)");
    CHECK(err(R"({"escalation":{"chain":[]}})") == "/escalation/chain: the escalation chain needs at least one level");
    CHECK(err(R"({"remedies":[{"id":"r","recommend":["hug"]}]})") == "/remedies/0/recommend/0: unknown remedy_type code \"hug\"");

    // A custom configuration: calendar-time clocks, no follow-up required, no pause.
    const auto w = ck::Workflow::from_json(R"({"policies":[{"id":"quick","targets":{"resolution":{"calendar_minutes":90}},
        "warn_at":[0.5],"follow_up_required":false}]})");
    auto c = complaint();
    auto s = w.state(c, parse_timestamp("2024-03-04T10:00+08:00"));
    CHECK(fmt(target(s, Target::resolution).deadline) == "2024-03-04T11:30:00+08:00");
    CHECK(fmt(s.next_wakeup) == "2024-03-04T10:45:00+08:00");
    run(w, c, cmd("acknowledge", "2024-03-04T10:01+08:00"));
    run(w, c, cmd("resolve", "2024-03-04T10:02+08:00"));
    run(w, c, cmd("close", "2024-03-04T10:03+08:00"));  // follow-up waived
    CHECK(w.state(c, parse_timestamp("2024-03-04T10:03+08:00")).status == ck::Status::closed);
    CHECK_FALSE(w.recommend(c).empty());  // remedies section left out: defaults
}

TEST_CASE("workflow: random command sequences replay identically and wake-ups are exact", "[workflow][property]") {
    const ck::Workflow w;
    const char* kinds[] = {"acknowledge", "start_investigation", "await_customer", "customer_replied", "escalate",
                           "propose_remedy", "accept_remedy", "reject_remedy", "resolve", "follow_up", "close",
                           "reopen", "reply_to_customer", "classify", "corrective_action", "preventive_action",
                           "change_policy", "withdraw"};
    std::mt19937_64 rng(7);
    int applied = 0, refused = 0, wakes = 0;
    for (int round = 0; round < 40; ++round) {
        auto c = complaint(round % 3 == 0 ? R"(,"facets":{"personality":"powerful"})" : "");
        auto t = parse_timestamp("2024-03-04T10:00+08:00");
        for (int k = 0; k < 25; ++k) {
            t = ck::Timestamp(t.utc + std::chrono::minutes(std::uniform_int_distribution<int>(0, 600)(rng)));
            const std::string at = ck::format_timestamp(t);
            const std::string kind = kinds[std::uniform_int_distribution<int>(0, 17)(rng) % (k < 20 ? 17 : 18)];
            std::string fields;
            if (kind == "propose_remedy") fields = R"("remedies":[{"type":"coupon","cost":{"minor":100,"currency":"CNY"}}])";
            if (kind == "follow_up") fields = R"("satisfaction":3)";
            if (kind == "classify") fields = R"("facets":{"severity":"serious"})";
            if (kind == "change_policy") fields = k % 2 ? R"("policies":["standard"])" : R"("policies":[])";
            if (kind == "reply_to_customer" || kind == "corrective_action" || kind == "preventive_action")
                fields = R"("text":"x")";
            const auto before = c;
            try {
                run(w, c, cmd(kind, at, fields));
                ++applied;
            } catch (const ck::Error& e) {
                CHECK((e.code() == ck::ErrorCode::illegal_transition || e.code() == ck::ErrorCode::missing_field));
                CHECK(c == before);
                ++refused;
            }
        }
        const auto end = ck::Timestamp(t.utc + std::chrono::hours(1));
        const auto s1 = w.state_json(c, end);
        CHECK(w.state_json(ck::complaint_from_json(ck::to_json(c)), end) == s1);
        CHECK(w.state_json(c, end) == s1);
        // next_wakeup is exact: nothing new fires before it, something fires at it.
        const auto s = w.state(c, end);
        if (s.next_wakeup) {
            const auto wake = *s.next_wakeup;
            ++wakes;
            const auto just_before = w.state(c, ck::Timestamp(wake.utc - std::chrono::microseconds(1)));
            const auto at_wake = w.state(c, wake);
            CHECK(just_before.warnings.size() + just_before.breaches.size() == s.warnings.size() + s.breaches.size());
            CHECK(at_wake.warnings.size() + at_wake.breaches.size() > s.warnings.size() + s.breaches.size());
        }
    }
    CHECK(applied > 200);
    CHECK(refused > 100);
    CHECK(wakes > 5);
}

TEST_CASE("workflow: every bundled sample complaint replays", "[workflow][data]") {
    std::ifstream in(std::string(CK_SOURCE_DIR) + "/examples/data/complaints.jsonl");
    REQUIRE(in);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const ck::Workflow w;
    int n = 0, with_events = 0;
    for (const auto& c : ck::complaints_from_jsonl(text)) {
        const auto now = c.events.empty() ? c.received_at : c.events.back().at;
        const auto s = w.state(c, now);
        CHECK(s.events == c.events.size());
        with_events += !c.events.empty();
        ++n;
    }
    CHECK(n > 50);
    CHECK(with_events > 50);
}

TEST_CASE("workflow: explain a deadline", "[workflow]") {
    const ck::Workflow w;
    auto c = complaint();
    run(w, c, cmd("acknowledge", "2024-03-04T10:30+08:00"));
    run(w, c, cmd("start_investigation", "2024-03-04T10:45+08:00"));
    run(w, c, cmd("await_customer", "2024-03-04T11:00+08:00"));
    run(w, c, cmd("customer_replied", "2024-03-04T15:00+08:00"));
    const auto lines = w.explain(c, parse_timestamp("2024-03-04T16:00+08:00"), Target::resolution);
    for (const auto& l : lines) INFO(l);
    REQUIRE(lines.size() >= 8);
    CHECK(lines[0] == "resolution cycle 0 under policy standard: 2400 business minutes allowed, calendar default (CST-8)");
    CHECK(lines[1] == "started 2024-03-04T10:00:00+08:00");
    CHECK(lines[2] == "  2024-03-04T10:00:00+08:00 – 2024-03-04T10:30:00+08:00: received, 30 min counted, 30 so far");
    CHECK(lines[5] == "  2024-03-04T11:00:00+08:00 – 2024-03-04T15:00:00+08:00: awaiting_customer, paused");
    CHECK(lines[6] == "  2024-03-04T15:00:00+08:00 – 2024-03-04T16:00:00+08:00: investigating, 60 min counted, 120 so far");
    CHECK(lines.back() == "deadline 2024-03-11T14:00:00+08:00");
    CHECK(lines[lines.size() - 2] == "  deadline 2024-03-11T14:00:00+08:00");  // the calendar's own timeline agrees
    CHECK(w.explain(c, parse_timestamp("2024-03-04T16:00+08:00"), Target::follow_up).front() == "follow_up: no clock has started");
}
