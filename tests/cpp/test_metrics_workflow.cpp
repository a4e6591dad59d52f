// The metrics read what the workflow engine writes: a history made by Workflow::apply
// (its event payloads) is measured as documented, and the informational survey event
// the metrics read (NPS, CES beyond the follow-up's CSAT) does not disturb the workflow.
#include <catch2/catch.hpp>

#include <complaintkit/json.hpp>
#include <complaintkit/metrics.hpp>
#include <complaintkit/workflow.hpp>

#include "workflow_command.hpp"

using namespace ck;

namespace {
using ck::test::command;
}  // namespace

TEST_CASE("metrics: histories written by the workflow engine", "[metrics][workflow]") {
    Workflow wf;
    Complaint c = complaint_from_json(R"({"id":"WF-1","received_at":"2024-03-05T09:00:00+08:00","branch":"SZ-01",
                                          "customer":{"id":"K9"}})");
    wf.apply(c, command(CommandType::acknowledge, "2024-03-05T09:20:00+08:00"));
    wf.apply(c, command(CommandType::propose_remedy, "2024-03-05T10:00:00+08:00",
                    R"({"remedies":[{"type":"replacement","cost":{"minor":4500,"currency":"CNY"}},{"type":"apology"}]})"));
    wf.apply(c, command(CommandType::accept_remedy, "2024-03-05T10:30:00+08:00"));
    wf.apply(c, command(CommandType::resolve, "2024-03-05T12:00:00+08:00"));
    wf.apply(c, command(CommandType::follow_up, "2024-03-06T10:00:00+08:00", R"({"satisfaction":4})"));
    // the other instruments of the same follow-up visit, as an informational event
    Event survey;
    survey.at = parse_timestamp("2024-03-06T10:01:00+08:00");
    survey.type = EventType::other;
    survey.actor = "li";
    survey.payload = R"({"survey":{"nps":9,"effort":2}})";
    c.append(survey);
    CHECK_NOTHROW(wf.state(c, parse_timestamp("2024-03-07T00:00:00+08:00")));

    metrics::Report rep(metrics::report_config_from_json(R"({"group_by":["staff"]})"));
    rep.add(c);
    const auto* g = rep.group({"li"});
    REQUIRE(g);
    CHECK(*g->acknowledge().mean_seconds() == 20 * 60);
    CHECK(*g->first_response().mean_seconds() == 3600);  // the proposal answered the customer
    CHECK(*g->resolution().mean_seconds() == 3 * 3600);
    CHECK(*g->csat().mean() == 4);
    CHECK(*g->nps().mean() == 9);
    CHECK(*g->ces().mean() == 2);
    const std::string res = rep.result_json();
    CHECK(res.find(R"("remedy_cost":{"CNY":4500})") != std::string::npos);

    // a survey event with a bad score is an error naming it
    Event bad = survey;
    bad.at = parse_timestamp("2024-03-06T10:02:00+08:00");
    bad.payload = R"({"survey":{"nps":11}})";
    c.append(bad);
    CHECK_THROWS_WITH(rep.add(c), "complaint \"WF-1\": /events/6/payload/survey/nps: score 11 is outside the scale 0–10");
    bad.payload = R"({"survey":{"mood":3}})";
    c.events.back() = bad;
    CHECK_THROWS_WITH(rep.add(c), "complaint \"WF-1\": /events/6/payload/survey/mood: unknown field");
    CHECK(rep.count() == 1);
}
