// The complaint archive: schema, migrations, ingest, queries, durability, bad input.
#include <complaintkit/archive.hpp>
#include <complaintkit/exchange.hpp>
#include <complaintkit/workflow.hpp>

#include "archive_schema.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

// Designated initializers leave the other members at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace fs = std::filesystem;
#include "scratch_dir.hpp"
#include "workflow_command.hpp"

using namespace ck;

namespace {

struct TempDir : ck::test::ScratchDir {
    TempDir() : ScratchDir("ck-archive-test") {}
    std::string operator/(const std::string& name) const { return path(name); }
};

const char* const cities[] = {"深圳市", "广州市", "台北市", "上海市"};
const char* const provinces[] = {"广东省", "广东省", "台湾省", "上海市"};
const Category cats[] = {Category::product_quality, Category::service_quality, Category::logistics,
                         Category::after_sales};

/// A varied synthetic complaint number i (deterministic).
Complaint make_complaint(int i, int events = 2) {
    Complaint c;
    c.id = "T-" + std::to_string(i);
    c.received_at = Timestamp::from_unix_seconds(1704067200LL + std::int64_t{i} * 600, 480);  // from 2024-01-01, every 10 min
    c.channel = static_cast<Channel>(1 + i % 9);
    c.customer.id = "CUST-" + std::to_string(i % 97);
    c.branch = "店" + std::to_string(i % 7);
    c.region = {provinces[i % 4], cities[i % 4]};
    c.product = "冰淇淋";
    c.language = "zh-Hans";
    c.text = "盒上写5个，里面只有4个 #" + std::to_string(i);
    c.facets.category = cats[i % 4];
    if (i % 3 == 0) c.facets.severity = Severity::serious;
    if (i % 5 == 0) c.facets.tags = {"repeat"};
    for (int e = 0; e < events; ++e) {
        Event ev;
        ev.at = Timestamp::from_unix_seconds(1704067200LL + std::int64_t{i} * 600 + 60 * (e + 1), 480);
        ev.type = e == 0 ? EventType::acknowledged : (e == 1 ? EventType::investigation_started : EventType::note);
        ev.actor = "agent-" + std::to_string(i % 5);
        ev.text = "step " + std::to_string(e);
        ev.payload = "{}";
        c.events.push_back(ev);
    }
    return c;
}

std::vector<Complaint> make_complaints(int from, int n, int events = 2) {
    std::vector<Complaint> v;
    for (int i = from; i < from + n; ++i) v.push_back(make_complaint(i, events));
    return v;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("archive: create, ingest, read back exactly", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "complaints.db");
    CHECK(a.schema_version() == archive_schema_version);
    CHECK(a.opened_schema_version() == 0);
    const auto cs = make_complaints(0, 50);
    const auto rep = a.ingest(cs);
    CHECK(rep.inserted == 50);
    CHECK(rep.batches == 1);
    CHECK(a.count() == 50);
    CHECK(a.event_count() == 100);
    for (const auto& c : cs) {
        auto got = a.get(c.id);
        REQUIRE(got);
        CHECK(to_json(*got) == to_json(c));
        CHECK(*got == c);
    }
    CHECK_FALSE(a.get("nope"));
    auto s = a.snapshot("T-3");
    REQUIRE(s);
    CHECK(s->status == Status::investigating);
    CHECK(s->facets.severity == Severity::serious);
    CHECK(a.integrity_check() == "ok");

    SECTION("WAL mode and ids on the file") {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2((tmp / "complaints.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
        sqlite3_finalize(st);
        sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &st, nullptr);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK(sqlite3_column_int(st, 0) == archive_application_id);
        sqlite3_finalize(st);
        sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, nullptr);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK(sqlite3_column_int(st, 0) == archive_page_size);  // a new file gets the archive's page size
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
}

TEST_CASE("archive: long histories and fully classified complaints go in multi-row inserts", "[archive]") {
    // Events are written up to eight per statement and facet_index rows all in one: the
    // counts around those limits, and every facet set at once.
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    std::vector<Complaint> cs;
    const int histories[] = {0, 1, 7, 8, 9, 16, 17, 25};
    for (int i = 0; i < 8; ++i) cs.push_back(make_complaint(i, histories[i]));
    Facets& f = cs[3].facets;
    f.kind = Kind::grievance;
    f.category = Category::service_quality;
    f.subcategory = Subcategory::staff_behaviour;
    f.cause = Cause::service;
    f.sub_cause = SubCause::poor_attitude;
    f.attribution = Attribution::enterprise;
    f.dimension = Dimension::empathy;
    f.severity = Severity::critical;
    f.personality = Personality::powerful;
    f.motive = Motive::respect;
    f.reasonable = true;
    f.tags = {"media", "repeat"};
    REQUIRE(a.ingest(cs).inserted == 8);
    std::size_t total = 0;
    for (int i = 0; i < 8; ++i) {
        const auto got = a.get(cs[static_cast<std::size_t>(i)].id);
        REQUIRE(got);
        CHECK(*got == cs[static_cast<std::size_t>(i)]);  // every event, in order
        total += static_cast<std::size_t>(histories[i]);
    }
    CHECK(a.event_count() == total);
    for (const auto& [facet, value] : std::vector<std::pair<std::string, std::string>>{
             {"kind", "grievance"}, {"subcategory", "staff_behaviour"}, {"cause", "service"},
             {"sub_cause", "poor_attitude"}, {"attribution", "enterprise"}, {"dimension", "empathy"},
             {"severity", "critical"}, {"personality", "powerful"}, {"motive", "respect"},
             {"reasonable", "true"}, {"tag", "media"}}) {
        INFO(facet << " = " << value);
        const auto ids = a.query(Query{.facets = {{facet, value}}});
        REQUIRE(ids.size() == 1);
        CHECK(ids[0].id == "T-3");
    }
    CHECK(a.count(Query{.facets = {{"category", "service_quality"}}}) == 3);  // T-1, T-3 and T-5

    // An upsert appends the new tail of a long history after the stored one.
    IngestOptions up;
    up.duplicates = DuplicatePolicy::upsert;
    Complaint longer = make_complaint(6, 30);  // 16 stored, 14 new
    REQUIRE(a.ingest(std::vector<Complaint>{longer}, up).updated == 1);
    CHECK(a.events("T-6").size() == 30);
    CHECK(*a.get("T-6") == longer);
    CHECK(a.verify_snapshots() == 0);
    CHECK(a.rebuild() == 8);
    CHECK(a.verify_snapshots() == 0);
    CHECK(a.integrity_check() == "ok");
}

TEST_CASE("archive: events are append-only and snapshots rebuild from them", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    a.ingest(make_complaints(0, 20));
    Event e;
    e.at = parse_timestamp("2030-01-01T00:00:00Z");
    e.type = EventType::resolved;
    e.actor = "agent-1";
    a.append_event("T-4", e);
    CHECK(a.snapshot("T-4")->status == Status::resolved);
    CHECK(a.events("T-4").size() == 3);
    // Earlier than the last event: refused, nothing changes.
    Event early = e;
    early.at = parse_timestamp("2020-01-01T00:00:00Z");
    const auto msg = error_of([&] { a.append_event("T-4", early); });
    CHECK_THAT(msg, Catch::Contains("complaint T-4") && Catch::Contains("earlier"));
    CHECK(a.events("T-4").size() == 3);
    CHECK(error_of([&] { a.append_event("T-999", e); }) == "no complaint \"T-999\" in the archive");

    // The SQL layer itself refuses to change history.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((tmp / "a.db").c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    CHECK(sqlite3_exec(db, "UPDATE events SET text = 'forged'", nullptr, nullptr, &err) != SQLITE_OK);
    CHECK_THAT(std::string(err), Catch::Contains("append-only"));
    sqlite3_free(err);
    CHECK(sqlite3_exec(db, "DELETE FROM events", nullptr, nullptr, &err) != SQLITE_OK);
    sqlite3_free(err);
    // Damage the snapshots behind the archive's back.
    REQUIRE(sqlite3_exec(db, "UPDATE complaints SET status = 'closed'; DELETE FROM facet_index", nullptr, nullptr,
                         nullptr) == SQLITE_OK);
    sqlite3_close(db);
    CHECK(a.verify_snapshots() == 20);
    CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 0);
    CHECK(a.rebuild() == 20);
    CHECK(a.verify_snapshots() == 0);
    CHECK(a.snapshot("T-4")->status == Status::resolved);
    CHECK(a.snapshot("T-5")->status == Status::investigating);
    CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 5);
}

TEST_CASE("archive: classification events overlay the record's facets", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    a.ingest(make_complaints(0, 3));
    Event e;
    e.at = parse_timestamp("2030-01-01T00:00:00Z");
    e.type = EventType::classified;
    e.actor = "rules";
    e.payload = R"({"facets":{"cause":"service","sub_cause":"label_mismatch","tags":["box"]}})";
    a.append_event("T-1", e);
    auto s = a.snapshot("T-1");
    CHECK(s->facets.cause == Cause::service);
    CHECK(s->facets.sub_cause == SubCause::label_mismatch);
    CHECK(s->facets.category == Category::service_quality);  // from the record
    CHECK(a.count(Query{.facets = {{"sub_cause", "label_mismatch"}, {"tag", "box"}}}) == 1);
}

TEST_CASE("archive: duplicate ids are rejected, skipped or upserted by explicit option", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    a.ingest(make_complaints(0, 10));
    auto again = make_complaints(5, 10);  // T-5..T-14: 5 duplicates

    SECTION("reject (default) stops, rolling back the open batch") {
        const auto msg = error_of([&] { a.ingest(again); });
        CHECK_THAT(msg, Catch::Contains("duplicate complaint id \"T-5\": already in the archive") &&
                            Catch::Contains("the open batch was rolled back"));
        CHECK(a.count() == 10);
    }
    SECTION("reject, going on: duplicates reported, the rest stored") {
        IngestOptions o;
        o.stop_on_error = false;
        o.source = "second.jsonl";
        const auto rep = a.ingest(again, o);
        CHECK(rep.inserted == 5);
        CHECK(rep.rejected == 5);
        REQUIRE(rep.errors.size() == 5);
        CHECK(rep.errors[0].describe() ==
              "second.jsonl:1: column \"/id\": duplicate complaint id \"T-5\": already in the archive (choose the "
              "duplicate policy upsert or skip to accept it)");
        CHECK(a.count() == 15);
        CHECK(a.event_count() == 30);
    }
    SECTION("skip") {
        IngestOptions o;
        o.duplicates = DuplicatePolicy::skip;
        const auto rep = a.ingest(again, o);
        CHECK(rep.skipped == 5);
        CHECK(rep.inserted == 5);
        CHECK(a.count() == 15);
    }
    SECTION("upsert replaces the record and appends only newer events") {
        IngestOptions o;
        o.duplicates = DuplicatePolicy::upsert;
        auto c = make_complaint(7, 3);  // one more event than stored
        c.text = "updated text";
        const auto rep = a.ingest(std::vector<Complaint>{c}, o);
        CHECK(rep.updated == 1);
        auto got = a.get("T-7");
        CHECK(got->text == "updated text");
        CHECK(got->events.size() == 3);
        CHECK(a.count() == 10);
        // The same again changes nothing in the history.
        a.ingest(std::vector<Complaint>{c}, o);
        CHECK(a.events("T-7").size() == 3);
        // An event that rewrites the past is refused.
        auto forged = c;
        forged.events[0].text = "forged";
        const auto msg = error_of([&] { a.ingest(std::vector<Complaint>{forged}, o); });
        CHECK_THAT(msg, Catch::Contains("/events/0/at") && Catch::Contains("history is append-only"));
        CHECK(a.events("T-7")[0].text == "step 0");
    }
}

TEST_CASE("archive: bad JSONL rows are reported with file, line and column", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    std::string text = to_json(make_complaint(1)) + "\n" +
                       R"({"id":"B-1","received_at":"2024-13-01T00:00Z"})" + "\n\n" +
                       R"({"id":"B-2","received_at":"2024-01-01T00:00Z","channel":"telephone"})" + "\n" +
                       "{not json\n" + to_json(make_complaint(2)) + "\n";
    SECTION("stop at the first") {
        const auto msg = error_of([&] { a.ingest_jsonl(text, "in.jsonl"); });
        CHECK_THAT(msg, Catch::StartsWith("in.jsonl:2: column \"/received_at\": not an ISO-8601 timestamp"));
        CHECK(a.count() == 0);
    }
    SECTION("report and go on") {
        IngestOptions o;
        o.stop_on_error = false;
        std::vector<RowError> seen;
        o.on_reject = [&](const RowError& e) { seen.push_back(e); };
        const auto rep = a.ingest_jsonl(text, "in.jsonl", o);
        CHECK(rep.inserted == 2);
        CHECK(rep.rejected == 3);
        REQUIRE(seen.size() == 3);
        CHECK(seen[0].line == 2);
        CHECK(seen[1].line == 4);
        CHECK(seen[1].describe() == "in.jsonl:4: column \"/channel\": unknown channel code \"telephone\"");
        CHECK(seen[1].raw == R"({"id":"B-2","received_at":"2024-01-01T00:00Z","channel":"telephone"})");
        CHECK(seen[2].line == 5);
        CHECK_THAT(seen[2].describe(), Catch::StartsWith("in.jsonl:5: malformed JSON at line 1, column 2"));
    }
}

TEST_CASE("archive: batches commit separately, stop_on_error keeps earlier batches", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    auto cs = make_complaints(0, 25);
    cs[22].id = cs[3].id;  // duplicate inside the input, in the third batch
    IngestOptions o;
    o.batch_size = 10;
    std::vector<std::size_t> commits;
    o.on_commit = [&](std::size_t n) { commits.push_back(n); };
    const auto msg = error_of([&] { a.ingest(cs, o); });
    CHECK_THAT(msg, Catch::Contains("20 complaints committed before"));
    CHECK(commits == std::vector<std::size_t>{10, 20});
    CHECK(a.count() == 20);
}

TEST_CASE("archive: every query criterion is served by an index", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    a.ingest(make_complaints(0, 400));
    const auto t = [](const char* s) { return parse_timestamp(s); };
    struct Case {
        const char* name;
        Query q;
        const char* index;
        std::size_t expected;
    };
    std::vector<Case> cases = {
        {"status", Query{.status = Status::investigating}, "complaints_status", 400},
        {"open", Query{.open_only = true}, "complaints_status", 400},
        {"overdue", Query{.overdue_at = t("2024-02-01T00:00Z")}, "complaints_due", 0},
        {"at risk", Query{.at_risk_at = t("2024-02-01T00:00Z")}, "complaints_at_risk", 0},
        {"time range", Query{.received_from = t("2024-01-01T00:00Z"), .received_to = t("2024-01-02T00:00Z")},
         "complaints_received", 144},
        {"customer", Query{.customer_id = "CUST-5"}, "complaints_customer", 5},
        {"region prefix", Query{.place_prefix = "广东省"}, "complaints_place", 200},
        {"branch", Query{.place_prefix = "广东省/深圳市/店0"}, "complaints_place", 15},
        {"facet", Query{.facets = {{"category", "logistics"}}}, "SEARCH f USING PRIMARY KEY (code=?)", 100},
        {"tag", Query{.facets = {{"tag", "repeat"}}}, "SEARCH f USING PRIMARY KEY (tag=?)", 80},
        {"two facets", Query{.facets = {{"category", "logistics"}, {"tag", "repeat"}}},
         "SEARCH f USING PRIMARY KEY (code=?)", 20},
        {"tag then facet", Query{.facets = {{"tag", "repeat"}, {"category", "logistics"}}},
         "SEARCH g USING PRIMARY KEY (code=? AND received_at=? AND rid=?)", 20},
        {"facet and customer", Query{.customer_id = "CUST-2", .facets = {{"category", "logistics"}}},
         "USING PRIMARY KEY (code=?", 2},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const auto plan = a.explain(c.q);
        INFO(plan);
        CHECK_THAT(plan, Catch::Contains(c.index));
        // Each table is searched through an index, never scanned in full.
        CHECK_THAT(plan, !Catch::Contains("SCAN c\n") && !Catch::Contains("SCAN s\n") &&
                             !Catch::Contains("SCAN c USING") && !Catch::Contains("SCAN s USING"));
        CHECK(a.count(c.q) == c.expected);
        CHECK(a.query(c.q).size() == c.expected);
    }
    // "深圳市" does not match "深圳市南" — whole levels only.
    CHECK(a.count(Query{.place_prefix = "广东省/深圳"}) == 0);
    CHECK(error_of([&] { (void)a.count(Query{.facets = {{"colour", "red"}}}); }).rfind("unknown facet \"colour\"", 0) == 0);
    CHECK(error_of([&] { (void)a.count(Query{.facets = {{"category", "logistic"}}}); }) ==
          "unknown value \"logistic\" of facet \"category\" (see the taxonomy's codes)");
    CHECK(error_of([&] { (void)a.count(Query{.facets = {{"reasonable", "yes"}}}); }) ==
          "facet \"reasonable\" is \"true\" or \"false\", not \"yes\"");
    const auto page = a.query(Query{.customer_id = "CUST-5", .limit = 2, .offset = 1});
    REQUIRE(page.size() == 2);
    CHECK(page[0].id == "T-102");
    CHECK(page[0].place == "台湾省/台北市/店4");
}

TEST_CASE("archive: a facet query with a limit reads its matches in receipt order from the index", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    // Stored out of receipt order, so rowid order is not receipt order.
    auto cs = make_complaints(0, 300);
    std::reverse(cs.begin(), cs.end());
    a.ingest(cs);
    const Query q{.facets = {{"category", "logistics"}}, .limit = 7};
    const auto plan = a.explain(q);
    INFO(plan);
    CHECK_THAT(plan, Catch::Contains("SEARCH f USING PRIMARY KEY (code=?)"));
    CHECK_THAT(plan, !Catch::Contains("TEMP B-TREE"));  // no sort of every match before the limit
    const auto page = a.query(q);
    REQUIRE(page.size() == 7);
    for (std::size_t i = 0; i < page.size(); ++i) CHECK(page[i].id == "T-" + std::to_string(2 + 4 * i));
    Query rest = q;
    rest.offset = 70;
    rest.limit = 0;
    const auto tail = a.query(rest);
    REQUIRE(tail.size() == 5);
    CHECK(tail.front().id == "T-282");
    CHECK(tail.back().id == "T-298");

    SECTION("an upsert that moves the receipt time moves the index rows with it") {
        auto c = make_complaint(2, 0);
        c.received_at = Timestamp::from_unix_seconds(1704067200LL + 301 * 600, 480);  // after all others
        Event note;
        note.at = Timestamp(c.received_at.utc + std::chrono::minutes(5));  // after the stored history
        note.type = EventType::note;
        c.events = {note};
        IngestOptions o;
        o.duplicates = DuplicatePolicy::upsert;
        REQUIRE(a.ingest(std::vector<Complaint>{c}, o).updated == 1);
        const auto first = a.query(q);
        REQUIRE(first.size() == 7);
        CHECK(first[0].id == "T-6");
        CHECK(a.query(Query{.facets = {{"category", "logistics"}}}).back().id == "T-2");
        CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 75);
        CHECK(a.verify_snapshots() == 0);
    }
    SECTION("a classification that changes a facet moves the complaint between index entries") {
        Event e;
        e.at = parse_timestamp("2030-01-01T00:00:00Z");
        e.type = EventType::classified;
        e.payload = R"({"facets":{"category":"after_sales"}})";
        a.append_event("T-2", e);
        CHECK(a.query(q)[0].id == "T-6");
        CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 74);
        CHECK(a.count(Query{.facets = {{"category", "after_sales"}}}) == 76);
        CHECK(a.verify_snapshots() == 0);
    }
}

TEST_CASE("archive: overdue, at-risk and next wake-up from a snapshot deriver", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    // A one-hour deadline from receipt, at risk after 45 minutes, cleared when resolved.
    a.set_snapshot_deriver([](const Complaint& c) {
        Snapshot s = default_snapshot(c);
        if (s.status != Status::resolved && s.status != Status::closed) {
            s.due_at = Timestamp(c.received_at.utc + std::chrono::hours(1));
            s.at_risk_at = Timestamp(c.received_at.utc + std::chrono::minutes(45));
            s.next_wakeup = s.at_risk_at;
        }
        return s;
    });
    a.ingest(make_complaints(0, 10));  // received every 10 minutes from 2024-01-01T00:00Z
    const auto now = parse_timestamp("2024-01-01T01:20:00Z");
    CHECK(a.count(Query{.overdue_at = now}) == 3);  // received at 0, 10, 20 minutes
    CHECK(a.count(Query{.at_risk_at = now}) == 1);  // received at 30 minutes (40: not yet at risk)
    CHECK(a.next_wakeup() == parse_timestamp("2024-01-01T00:45:00Z"));
    CHECK(a.verify_snapshots() == 0);
    // A new policy needs a rebuild; until then the stored snapshots differ.
    a.set_snapshot_deriver(nullptr);
    CHECK(a.verify_snapshots() == 10);
    a.rebuild();
    CHECK(a.count(Query{.overdue_at = now}) == 0);
}

TEST_CASE("archive: the SLA snapshot's JSON is the workflow state's, member for member", "[archive][workflow]") {
    // The deriver writes the SLA JSON directly; the reference builds it as a JSON value from
    // the same workflow state, and the two must be the same bytes.
    namespace json = boost::json;
    auto wf = std::make_shared<const Workflow>();
    const auto deriver = sla_snapshot_deriver(wf);
    using ck::test::command;
    std::vector<Complaint> cs;
    const auto received = [&](const char* id) {
        return complaint_from_json(std::string(R"({"id":")") + id +
                                   R"(","received_at":"2024-03-05T09:00:00+08:00","branch":"SZ-01","customer":{"id":"K9"}})");
    };
    cs.push_back(received("open"));
    Complaint c = received("assigned");
    wf->apply(c, command(CommandType::acknowledge, "2024-03-05T09:20:00+08:00"));
    wf->apply(c, command(CommandType::assign, "2024-03-05T09:30:00+08:00", R"({"assignee":"王\"五\"\\ \n\t\u0001 é"})"));
    cs.push_back(c);
    wf->apply(c, command(CommandType::escalate, "2024-03-05T10:00:00+08:00", R"({"reason":"slow"})"));
    cs.push_back(c);
    wf->apply(c, command(CommandType::await_customer, "2024-03-05T10:30:00+08:00"));
    cs.push_back(c);  // paused clocks
    wf->apply(c, command(CommandType::customer_replied, "2024-03-08T10:30:00+08:00"));
    wf->apply(c, command(CommandType::resolve, "2024-03-20T12:00:00+08:00"));
    cs.push_back(c);  // met and breached targets
    Complaint late = received("late");
    wf->apply(late, command(CommandType::acknowledge, "2024-03-09T09:20:00.25+08:00"));
    cs.push_back(late);
    Complaint foreign = received("foreign");  // an event this workflow does not accept
    Event odd;
    odd.at = parse_timestamp("2024-03-05T09:10:00+08:00");
    odd.type = EventType::follow_up;
    odd.payload = R"({"satisfaction":9})";  // outside 1…5
    foreign.append(odd);
    cs.push_back(foreign);

    for (const auto& comp : cs) {
        INFO(comp.id);
        const Snapshot s = deriver(comp);
        if (comp.id == "foreign") {
            CHECK_THAT(s.sla, Catch::Contains(R"("ignored_events":[{"index":0,"type":"follow_up","reason":)"));
            CHECK_NOTHROW(json::parse(s.sla));
            continue;
        }
        Timestamp as_of = comp.received_at;
        if (!comp.events.empty() && as_of < comp.events.back().at) as_of = comp.events.back().at;
        const WorkflowState st = wf->state(comp, as_of);
        json::array targets;
        for (const auto& t : st.targets) {
            json::object o;
            o["name"] = target_code(t.target);
            o["cycle"] = t.cycle;
            o["policy"] = t.policy;
            if (t.deadline) o["due"] = format_timestamp(*t.deadline);
            if (t.met_at) o["met_at"] = format_timestamp(*t.met_at);
            if (t.breached_at) o["breached_at"] = format_timestamp(*t.breached_at);
            if (t.breached_at) o["met"] = false;
            else if (t.met_at) o["met"] = true;
            if (t.paused) o["paused"] = true;
            targets.push_back(std::move(o));
        }
        json::object sla;
        sla["targets"] = std::move(targets);
        sla["level"] = st.level;
        if (!st.level_name.empty()) sla["level_name"] = st.level_name;
        if (!st.owner_unit.empty()) sla["owner_unit"] = st.owner_unit;
        if (!st.assignee.empty()) sla["assignee"] = st.assignee;
        CHECK(s.sla == json::serialize(sla));
        CHECK(json::parse(s.sla) == sla);
    }
    // The cases cover what they claim.
    const auto sla_of = [&](std::size_t i) { return deriver(cs[i]).sla; };
    CHECK_THAT(sla_of(1), Catch::Contains(R"("assignee":"王\"五\"\\ \n\t\u0001 é")"));
    CHECK_THAT(sla_of(2), Catch::Contains(R"("level":1)"));
    CHECK_THAT(sla_of(3), Catch::Contains(R"("paused":true)"));
    CHECK_THAT(sla_of(4), Catch::Contains(R"("met":true)") && Catch::Contains(R"("met":false)"));
    CHECK_THAT(sla_of(5), Catch::Contains(".250+08:00"));
}

/// Inserts a complaint's row and its events as schemas 1 to 3 wrote them; returns its rid.
std::int64_t write_old_complaint(detail::Connection& c, Complaint comp) {
    const auto events = comp.events;
    comp.events.clear();
    detail::Statement ins(c.get(),
                          "INSERT INTO complaints(id, received_at, received_offset, channel, customer_id, "
                          "place, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    ins.bind(1, comp.id)
        .bind(2, static_cast<std::int64_t>(comp.received_at.utc.time_since_epoch().count()))
        .bind(3, 480)
        .bind(4, to_code(comp.channel))
        .bind(5, comp.customer.id)
        .bind(6, place_of(comp))
        .bind(7, to_json(comp));
    ins.run();
    const std::int64_t rid = sqlite3_last_insert_rowid(c.get());
    for (std::size_t k = 0; k < events.size(); ++k) {
        const auto& e = events[k];
        detail::Statement ev(c.get(),
                             "INSERT INTO events(rid, n, at, at_offset, type, actor, text, payload, "
                             "recorded_at) VALUES (?1, ?2, ?3, 480, ?4, ?5, ?6, '{}', 0)");
        ev.bind(1, rid)
            .bind(2, static_cast<std::int64_t>(k))
            .bind(3, static_cast<std::int64_t>(e.at.utc.time_since_epoch().count()))
            .bind(4, to_code(e.type))
            .bind(5, e.actor)
            .bind(6, e.text);
        ev.run();
    }
    return rid;
}

/// Rows as complaintkit with schema 2 wrote them (received in reverse rowid order), on a
/// connection inside a transaction at version 2.
void write_v2_rows(detail::Connection& c) {
    for (int i = 11; i >= 0; --i) {
        const auto comp = make_complaint(i);
        const std::int64_t rid = write_old_complaint(c, comp);
        const Snapshot snap = default_snapshot(comp);
        detail::Statement sn(c.get(),
                             "INSERT INTO snapshots(rid, status, last_event_at, facets) VALUES (?1, ?2, ?3, ?4)");
        sn.bind(1, rid)
            .bind(2, to_code(snap.status))
            .bind(3, static_cast<std::int64_t>(snap.last_event_at->utc.time_since_epoch().count()))
            .bind(4, to_json(snap.facets));
        sn.run();
        // v2 facet rows: (facet, value, rid), one per facet value of the snapshot
        std::vector<std::pair<std::string, std::string>> rows = {
            {"category", std::string(to_code(snap.facets.category))}};
        if (snap.facets.severity != Severity::unknown)
            rows.emplace_back("severity", std::string(to_code(snap.facets.severity)));
        for (const auto& t : snap.facets.tags) rows.emplace_back("tag", t);
        for (const auto& [facet, value] : rows) {
            detail::Statement fv(c.get(), "INSERT INTO facet_values(facet, value, rid) VALUES (?1, ?2, ?3)");
            fv.bind(1, facet).bind(2, value).bind(3, rid);
            fv.run();
        }
    }
}

/// What an archive holding write_v2_rows's complaints answers once migrated to the newest version.
void check_v2_rows_migrated(const Archive& a) {
    CHECK(a.schema_version() == archive_schema_version);
    CHECK(a.count() == 12);
    CHECK(a.event_count() == 24);
    CHECK(a.verify_snapshots() == 0);
    CHECK(a.integrity_check() == "ok");
    const Query q{.facets = {{"category", "logistics"}}, .limit = 2};
    CHECK_THAT(a.explain(q), !Catch::Contains("TEMP B-TREE"));
    const auto page = a.query(q);
    REQUIRE(page.size() == 2);
    CHECK(page[0].id == "T-2");
    CHECK(page[1].id == "T-6");
    CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 3);
    CHECK(a.count(Query{.facets = {{"severity", "serious"}}}) == 4);
    CHECK(a.count(Query{.facets = {{"tag", "repeat"}}}) == 3);
}

TEST_CASE("archive: forward migration from every earlier schema version", "[archive]") {
    TempDir tmp;
    SECTION("version 0: an empty SQLite file becomes an archive") {
        const auto path = tmp / "empty.db";
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 0; VACUUM", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
        auto a = Archive::open(path);
        CHECK(a.opened_schema_version() == 0);
        CHECK(a.schema_version() == archive_schema_version);
        a.ingest(make_complaints(0, 3));
        CHECK(a.count() == 3);
        // The file existed with SQLite's default page size: it keeps it (only a new file gets 16 KiB).
        detail::Connection c(path, SQLITE_OPEN_READONLY);
        CHECK(c.scalar("PRAGMA page_size") == 4096);
        CHECK(a.integrity_check() == "ok");
    }
    SECTION("version 1: data kept, snapshots rebuilt with facets, every query works") {
        const auto path = tmp / "v1.db";
        {
            detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            c.exec("BEGIN");
            REQUIRE(detail::migrate_schema(c, 1) == 0);
            // Rows as complaintkit with schema 1 wrote them.
            for (int i = 0; i < 12; ++i) {
                const std::int64_t rid = write_old_complaint(c, make_complaint(i));
                detail::Statement sn(c.get(), "INSERT INTO snapshots(rid, status) VALUES (?1, 'received')");
                sn.bind(1, rid);
                sn.run();
            }
            c.exec("COMMIT");
            CHECK(c.scalar("PRAGMA user_version") == 1);
        }
        auto a = Archive::open(path);
        CHECK(a.opened_schema_version() == 1);
        CHECK(a.schema_version() == archive_schema_version);
        CHECK(a.count() == 12);
        CHECK(a.event_count() == 24);
        CHECK(a.verify_snapshots() == 0);
        CHECK(a.snapshot("T-3")->status == Status::investigating);
        CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 3);
        CHECK(*a.get("T-2") == make_complaint(2));
        // Opening again does not migrate again.
        auto b = Archive::open(path);
        CHECK(b.opened_schema_version() == archive_schema_version);
    }
    SECTION("version 2: facet index rows gain the receipt time, queries and limits work") {
        const auto path = tmp / "v2.db";
        {
            detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            c.exec("BEGIN");
            REQUIRE(detail::migrate_schema(c, 2) == 0);
            write_v2_rows(c);
            c.exec("COMMIT");
            CHECK(c.scalar("PRAGMA user_version") == 2);
        }
        auto a = Archive::open(path);
        CHECK(a.opened_schema_version() == 2);
        CHECK(a.schema_version() == archive_schema_version);
        check_v2_rows_migrated(a);
        CHECK(*a.get("T-2") == make_complaint(2));
        a.ingest(make_complaints(12, 4));
        CHECK(a.count(Query{.facets = {{"category", "logistics"}}}) == 4);
        auto b = Archive::open(path);
        CHECK(b.opened_schema_version() == archive_schema_version);
    }
    SECTION("version 3: facet index rows become integer keys and tag rows, queries and limits work") {
        const auto path = tmp / "v3.db";
        std::int64_t coded = 0, tags = 0;
        {
            detail::Connection c(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            c.exec("BEGIN");
            REQUIRE(detail::migrate_schema(c, 2) == 0);
            write_v2_rows(c);
            REQUIRE(detail::migrate_schema(c, 3) == 2);  // version 3's own step turns them into its rows
            c.exec("COMMIT");
            CHECK(c.scalar("PRAGMA user_version") == 3);
            coded = c.scalar("SELECT count(*) FROM facet_values WHERE facet <> 'tag'");
            tags = c.scalar("SELECT count(*) FROM facet_values WHERE facet = 'tag'");
            CHECK(coded == 16);  // 12 categories, 4 severities
            CHECK(tags == 3);
        }
        auto a = Archive::open(path);
        CHECK(a.opened_schema_version() == 3);
        CHECK(a.schema_version() == archive_schema_version);
        {
            detail::Connection c(path, SQLITE_OPEN_READONLY);
            CHECK(c.scalar("SELECT count(*) FROM facet_index") == coded);
            CHECK(c.scalar("SELECT count(*) FROM tag_index") == tags);
            CHECK(c.scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('facet_values', 'snapshots', "
                           "'complaints_v3')") == 0);
            // The snapshot moved into the complaint row; the history still refers to complaints.
            CHECK(c.scalar("SELECT count(*) FROM complaints WHERE status = 'investigating' AND facets <> '{}'") == 12);
            detail::Statement ev(c.get(), "SELECT sql FROM sqlite_master WHERE name = 'events'");
            REQUIRE(ev.step());
            CHECK_THAT(std::string(ev.text(0)), Catch::Contains("REFERENCES complaints(rid)"));
            // The key of category "logistics" (ck_taxonomy 0, value 3) and of severity "serious".
            CHECK(c.scalar("SELECT count(*) FROM facet_index WHERE code = 259") == 3);
            CHECK(c.scalar("SELECT count(*) FROM facet_index WHERE code = " +
                           std::to_string((static_cast<int>(TaxonomyId::severity) + 1) * 256 +
                                          static_cast<int>(Severity::serious))) == 4);
        }
        check_v2_rows_migrated(a);
        CHECK(a.count(Query{.facets = {{"tag", "repeat"}, {"category", "product_quality"}}}) == 1);
        CHECK(a.rebuild() == 12);  // re-derived rows are the converted rows
        CHECK(a.count(Query{.facets = {{"severity", "serious"}}}) == 4);
        CHECK(a.count(Query{.facets = {{"tag", "repeat"}}}) == 3);
    }
    SECTION("the migrations are exactly the version steps") {
        CHECK_FALSE(detail::migration_sql(0).empty());
        CHECK_FALSE(detail::migration_sql(1).empty());
        CHECK_FALSE(detail::migration_sql(2).empty());
        CHECK_FALSE(detail::migration_sql(3).empty());
        CHECK(error_of([] { (void)detail::migration_sql(archive_schema_version); }) ==
              "no migration from schema version 4");
    }
}

TEST_CASE("archive: foreign, newer and non-database files are refused and left untouched", "[archive]") {
    TempDir tmp;
    SECTION("another application's SQLite database") {
        const auto path = tmp / "crm.db";
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); "
                                 "INSERT INTO customers(name) VALUES ('x')",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
        const auto before = file_bytes(path);
        const auto msg = error_of([&] { Archive::open(path); });
        CHECK_THAT(msg, Catch::Contains("not a complaintkit archive (SQLite application_id 0x0, expected 0x434b4152") &&
                            Catch::Contains("left untouched"));
        CHECK(file_bytes(path) == before);
        CHECK_FALSE(fs::exists(path + "-wal"));
    }
    SECTION("an archive from a newer complaintkit") {
        const auto path = tmp / "future.db";
        { auto a = Archive::open(path); a.ingest(make_complaints(0, 2)); }
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 9; PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr,
                             nullptr) == SQLITE_OK);
        sqlite3_close(db);
        const auto before = file_bytes(path);
        try {
            Archive::open(path);
            FAIL("opened");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::unsupported);
            CHECK_THAT(std::string(e.what()),
                       Catch::Contains("archive schema version 9 is newer than this complaintkit supports (4)"));
        }
        CHECK(file_bytes(path) == before);
    }
    SECTION("a file that is not a database") {
        const auto path = tmp / "notes.db";
        std::ofstream(path) << "these are my notes, not a database\n";
        const auto before = file_bytes(path);
        CHECK_THAT(error_of([&] { Archive::open(path); }), Catch::Contains("not a SQLite database"));
        CHECK(file_bytes(path) == before);
    }
    SECTION("missing file with create=false or read-only") {
        CHECK(error_of([&] { Archive::open(tmp / "none.db", ArchiveOptions{.read_only = true}); }) ==
              "no archive at " + (tmp / "none.db"));
        CHECK_FALSE(fs::exists(tmp / "none.db"));
    }
}

TEST_CASE("archive: read-only and full disk give a clear error and no partial batch", "[archive]") {
    TempDir tmp;
    const auto path = tmp / "a.db";
    { auto a = Archive::open(path); a.ingest(make_complaints(0, 5)); }
    SECTION("read-only") {
        auto a = Archive::open(path, ArchiveOptions{.read_only = true});
        CHECK(a.count() == 5);
        CHECK(error_of([&] { a.ingest(make_complaints(5, 5)); }) ==
              "ingest: the archive " + path + " is opened read-only");
        CHECK(error_of([&] { a.rebuild(); }) == "rebuild: the archive " + path + " is opened read-only");
        CHECK(a.count() == 5);
    }
    SECTION("full disk (a size limit)") {
        auto a = Archive::open(path, ArchiveOptions{.max_size_bytes = 256 * 1024});
        IngestOptions o;
        o.batch_size = 0;  // all or nothing
        try {
            a.ingest(make_complaints(5, 3000), o);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::io);
            CHECK_THAT(std::string(e.what()), Catch::Contains("database or disk is full") &&
                                                  Catch::Contains("the open batch was rolled back, 0 complaints"));
        }
        CHECK(a.count() == 5);
        CHECK(a.event_count() == 10);
        CHECK(a.integrity_check() == "ok");
        a.ingest(make_complaints(5, 5));  // still usable
        CHECK(a.count() == 10);
    }
}

TEST_CASE("archive: SIGKILL during ingest loses no committed batch", "[archive][durability]") {
    TempDir tmp;
    const auto path = tmp / "killed.db";
    { auto a = Archive::open(path); }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        try {
            auto a = Archive::open(path);
            IngestOptions o;
            o.batch_size = 500;
            o.on_commit = [&](std::size_t n) {
                const auto v = static_cast<std::uint64_t>(n);
                if (::write(fds[1], &v, sizeof v) != sizeof v) ::_exit(3);
            };
            for (int round = 0;; ++round) a.ingest(make_complaints(round * 5000, 5000), o);
        } catch (...) {
            ::_exit(2);
        }
    }
    ::close(fds[1]);
    std::uint64_t committed = 0, v = 0;
    int reports = 0;
    while (reports < 7 && ::read(fds[0], &v, sizeof v) == sizeof v) {
        committed = v;
        ++reports;
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(fds[0]);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(reports == 7);

    auto a = Archive::open(path);
    CHECK(a.integrity_check() == "ok");
    const auto n = a.count();
    CHECK(n >= committed);
    CHECK(n % 500 == 0);  // whole batches only
    CHECK(a.event_count() == 2 * n);
    CHECK(a.verify_snapshots() == 0);
    a.ingest(make_complaints(900000, 10));  // and writable
}

TEST_CASE("archive: readers see whole batches while one writer ingests", "[archive][concurrency]") {
    TempDir tmp;
    const auto path = tmp / "busy.db";
    { auto a = Archive::open(path); }
    std::atomic<bool> done{false};
    std::atomic<int> reads{0}, torn{0}, failed{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r)
        readers.emplace_back([&] {
            try {
                auto a = Archive::open(path, ArchiveOptions{.read_only = true});
                std::size_t last = 0;
                while (!done) {
                    const auto n = a.count();
                    if (n % 200 != 0 || n < last) ++torn;
                    last = n;
                    ++reads;
                }
            } catch (const std::exception& e) {
                ++failed;
            }
        });
    {
        auto w = Archive::open(path);
        IngestOptions o;
        o.batch_size = 200;
        w.ingest(make_complaints(0, 6000), o);
    }
    done = true;
    for (auto& t : readers) t.join();
    CHECK(torn == 0);
    CHECK(failed == 0);
    CHECK(reads > 2);
    auto a = Archive::open(path);
    CHECK(a.count() == 6000);
}

TEST_CASE("archive: update checks and appends in one transaction, another writer cannot interleave",
          "[archive][concurrency]") {
    TempDir tmp;
    const auto path = tmp / "a.db";
    auto a = Archive::open(path);
    a.ingest(make_complaints(0, 3));
    auto b = Archive::open(path, ArchiveOptions{.busy_timeout_ms = 50});
    Event resolved;
    resolved.at = parse_timestamp("2030-01-01T00:00:00Z");
    resolved.type = EventType::resolved;
    resolved.actor = "a";

    SECTION("the second connection is locked out between the check and the append") {
        Event other = resolved;
        other.actor = "b";
        const Complaint after = a.update("T-1", [&](Complaint& c) {
            REQUIRE(status_after(c.events) == Status::investigating);  // the check
            // Another writer tries to get in between: it cannot, the write lock is held.
            const auto msg = error_of([&] { b.append_event("T-1", other); });
            CHECK_THAT(msg, Catch::Contains("locked"));
            c.append(resolved);
        });
        CHECK(after.events.size() == 3);
        CHECK(a.events("T-1").size() == 3);
        CHECK(b.events("T-1").back().actor == "a");
        CHECK(b.snapshot("T-1")->status == Status::resolved);
    }
    SECTION("two threads resolving the same complaint: exactly one succeeds") {
        // Each resolves only a complaint that is not resolved yet. The first holds the lock
        // while it waits; the second then sees the first's event and refuses.
        std::atomic<int> ok{0}, refused{0};
        std::atomic<bool> first_inside{false};
        std::string refusal;
        auto resolve = [&](Archive& ar, const char* who, bool slow) {
            try {
                ar.update("T-2", [&](Complaint& c) {
                    if (status_after(c.events) == Status::resolved)
                        throw Error(ErrorCode::illegal_transition, "already resolved");
                    if (slow) {
                        first_inside = true;
                        std::this_thread::sleep_for(std::chrono::milliseconds(200));
                    }
                    Event e = resolved;
                    e.actor = who;
                    c.append(e);
                });
                ++ok;
            } catch (const Error& e) {
                refusal = e.what();  // only one thread gets here (checked below)
                ++refused;
            }
        };
        auto c2 = Archive::open(path);  // default busy timeout: waits for the lock
        std::thread t1([&] { resolve(a, "first", true); });
        while (!first_inside) std::this_thread::yield();
        std::thread t2([&] { resolve(c2, "second", false); });
        t1.join();
        t2.join();
        CHECK(ok == 1);
        REQUIRE(refused == 1);
        CHECK(refusal == "complaint T-2: already resolved");
        const auto ev = a.events("T-2");
        REQUIRE(ev.size() == 3);
        CHECK(ev.back().actor == "first");
    }
    SECTION("an update may only append") {
        CHECK_THAT(error_of([&] { a.update("T-0", [](Complaint& c) { c.text = "rewritten"; }); }),
                   Catch::Contains("an update may only append events"));
        CHECK_THAT(error_of([&] { a.update("T-0", [](Complaint& c) { c.events[0].text = "forged"; }); }),
                   Catch::Contains("an update may only append events"));
        CHECK_THAT(error_of([&] {
                       a.update("T-0", [](Complaint& c) {
                           Event e = c.events.back();
                           e.at = parse_timestamp("2000-01-01T00:00Z");
                           c.events.push_back(e);
                       });
                   }),
                   Catch::Contains("earlier than the previous event"));
        CHECK(error_of([&] { a.update("T-9", [](Complaint&) {}); }) == "no complaint \"T-9\" in the archive");
        CHECK(*a.get("T-0") == make_complaint(0));
        CHECK(a.verify_snapshots() == 0);
    }
}

TEST_CASE("archive: JSONL ingest stores each validated line as the record", "[archive]") {
    TempDir tmp;
    auto a = Archive::open(tmp / "a.db");
    // Key order, escapes, nulls, unknown fields kept by option, whitespace: the complaint
    // read back equals the one complaint_from_json makes of the line.
    const std::vector<std::string> lines = {
        to_json(make_complaint(1)),
        R"(  {"received_at":"2024-03-04T10:00:00+08:00", "id":"K-1", "text":"\u76d2\u4e0a \"q\" \\ \n", "title":null,)"
        R"( "facets":{"tags":["b","a","b"],"severity":"minor"}, "x_source":{"sys":"crm","n":[1,2.5,true]},)"
        R"( "events":[{"at":"2024-03-04T10:05:00+08:00","type":"acknowledged","payload":{"k":[1,{"z":null}]}}]} )",
        R"({"id":"K-2","received_at":"2024-03-04T02:00Z","events":[]})",
        // Events first, events between members with odd spacing and look-alikes in strings
        // and nested objects, and the key spelled with an escape: the record never keeps a
        // top-level "events" member, and look-alikes stay.
        R"({"events":[{"at":"2024-03-04T10:05:00+08:00","type":"note"}], "id":"K-3","received_at":"2024-03-04T10:00:00+08:00"})",
        R"({"id":"K-4","received_at":"2024-03-04T10:00:00+08:00" ,"events" : [ {"at":"2024-03-04T10:06:00+08:00",)"
        R"("type":"note","text":"} \"events\": ]"} ] , "text":"{\"events\":1}","x_log":{"events":[1,{"events":2}]}})",
        R"({"id":"K-5","received_at":"2024-03-04T10:00:00+08:00","\u0065vents":[{"at":"2024-03-04T10:07:00+08:00","type":"note"}]})",
        // Strings ending in an escaped backslash, brackets and quotes inside long CJK strings,
        // numbers, literals and empty composites as members, events last before spaces.
        R"({"id":"K-6\\","received_at":"2024-03-04T10:00:00+08:00","text":"盒上写[5]个，{里面}只有\"4\"个，要求退款\\",)"
        R"("amounts":{"paid":{"minor":1250,"currency":"CNY"}},"x_a":[],"x_b":{},"x_c":-1.5e3,"x_d":false,)"
        R"("x_e":null,"x_f":[[],[{}],"]}"],"events":[{"at":"2024-03-04T10:08:00+08:00","type":"note","text":"\\"}]   })",
        R"({"events":[],"id":"K-7"	,	"received_at":"2024-03-04T10:00:00+08:00"})",
    };
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    ParseOptions po;
    po.preserve_unknown = true;
    const auto rep = a.ingest_jsonl(text, "in.jsonl", {}, po);
    REQUIRE(rep.inserted == lines.size());
    for (const auto& l : lines) {
        const Complaint want = complaint_from_json(l, po);
        const auto got = a.get(want.id);
        REQUIRE(got);
        CHECK(*got == want);
        CHECK(to_json(*got) == to_json(want));
        const auto snap = a.snapshot(want.id);
        CHECK(snap->status == default_snapshot(want).status);
        CHECK(snap->facets == default_snapshot(want).facets);
    }
    CHECK(a.verify_snapshots() == 0);
    CHECK(a.get("K-1")->extensions == R"({"x_source":{"sys":"crm","n":[1,2.5E0,true]}})");
    CHECK(a.count(Query{.facets = {{"tag", "a"}}}) == 1);
    CHECK(a.count(Query{.facets = {{"tag", "b"}}}) == 1);
    // The record holds no events: they live in the events table only.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((tmp / "a.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM complaints WHERE json_type(record, '$.events') IS NOT NULL",
                               -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(sqlite3_column_int(st, 0) == 0);
    sqlite3_finalize(st);
    sqlite3_close(db);

    SECTION("bad lines give exactly complaint_from_json's errors") {
        const std::vector<std::string> bad = {
            "{not json", R"({"id":"X"} trailing)", "[1,2]", R"({"id":"X","received_at":"2024-01-01T00:00Z","colour":1})",
            R"({"id":"X","received_at":"2024-01-01T00:00Z","events":[{"at":"2024-01-02T00:00Z","type":"note"},)"
            R"({"at":"2024-01-01T00:00Z","type":"note"}]})",
            std::string(R"({"id":"X","received_at":"2024-01-01T00:00Z","text":")") + "\xff\"}",
            // Invalid UTF-8 in a key, in an event payload, in an attribute, and after an
            // earlier validation error: the ingest parser checks UTF-8 itself and hands the
            // line to complaint_from_json, whose error (and path) must come out unchanged.
            std::string(R"({"id":"X","received_at":"2024-01-01T00:00Z","attributes":{")") + "k\xe6\x80\":1}}",
            std::string(R"({"id":"X","received_at":"2024-01-01T00:00Z","events":[{"at":"2024-01-02T00:00Z",)") +
                R"("type":"note","payload":{"who":["a",")" + "\xed\xa0\x80\"]}}]}",
            std::string(R"({"id":"X","received_at":"2024-01-01T00:00Z","attributes":{"k":")") + "\xc0\xaf\"}}",
            std::string(R"({"id":"X","received_at":"not a time","text":")") + "\xff\"}",
            std::string(70, '[') + std::string(70, ']')};
        std::string in;
        for (const auto& l : bad) in += l + "\n";
        IngestOptions o;
        o.stop_on_error = false;
        const auto r = a.ingest_jsonl(in, "bad.jsonl", o);
        REQUIRE(r.errors.size() == bad.size());
        for (std::size_t i = 0; i < bad.size(); ++i) {
            INFO(bad[i]);
            std::string want_msg, want_path;
            try {
                (void)complaint_from_json(bad[i]);
            } catch (const Error& e) {
                want_msg = e.message();
                want_path = e.path();
            }
            CHECK(r.errors[i].message == want_msg);
            CHECK(r.errors[i].column == want_path);
            CHECK(r.errors[i].line == i + 1);
        }
    }
}
