// Import and export: the CSV reader, column mappings (CFPB, helpdesk), bad rows, round trips.
#include <complaintkit/exchange.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace fs = std::filesystem;
#include "scratch_dir.hpp"

using namespace ck;

namespace {

struct TempDb : ck::test::ScratchDir {
    TempDb() : ScratchDir("ck-exchange-test") {}
};

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::vector<IncomingRow> read_all(std::string_view text, RecordFormat f, const Mapping* m, const std::string& src = "in") {
    RecordReader r(text, f, m, src);
    std::vector<IncomingRow> rows;
    IncomingRow row;
    while (r.next(row)) {
        rows.push_back(std::move(row));
        row = IncomingRow{};
    }
    return rows;
}

}  // namespace

TEST_CASE("csv: quoting, line breaks in fields, CRLF, BOM, malformed quoting names the file", "[exchange][csv]") {
    const auto m = Mapping::from_json(
        R"({"format":"csv","fields":{"/id":{"column":"id"},"/received_at":{"column":"at"},"/text":{"column":"t"}}})");
    const std::string text = "\xEF\xBB\xBF" "id,at,t\r\n1,2024-01-01,\"x, \"\"y\"\"\"\r\n2,2024-01-02,\"two\nlines\"\r\n\r\n3,2024-01-03,z";
    const auto rows = read_all(text, RecordFormat::csv, &m, "q.csv");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].complaint->text == "x, \"y\"");
    CHECK(rows[1].complaint->text == "two\nlines");
    CHECK(rows[1].line == 3);
    CHECK(rows[1].raw == "2,2024-01-02,\"two\nlines\"");
    CHECK(rows[2].line == 6);

    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"x\"") == "\"say \"\"x\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");

    CHECK_THAT(error_of([&] { read_all("id,at,t\n1,2024-01-01,\"open", RecordFormat::csv, &m, "bad.csv"); }),
               Catch::StartsWith("bad.csv: line 2, column "));
    CHECK_THAT(error_of([&] { read_all("id,at,t\n1,2024-01-01,x\"y\n", RecordFormat::csv, &m, "bad.csv"); }),
               Catch::StartsWith("bad.csv: line 2, column "));
}

TEST_CASE("mapping: declarative JSON, errors name the JSON pointer", "[exchange][mapping]") {
    CHECK(error_of([] { Mapping::from_json(R"({"format":"xml","fields":{}})"); }) ==
          "/format: format must be \"csv\" or \"jsonl\", not \"xml\"");
    CHECK(error_of([] { Mapping::from_json(R"({"format":"csv","fields":{"/text":{"column":"t"}}})"); }) ==
          "/fields: the mapping must fill \"/id\"");
    CHECK(error_of([] {
              Mapping::from_json(R"({"format":"csv","fields":{"/id":{"column":"i"},"/received_at":{"column":"r"},
                                     "/colour":{"column":"c"}}})");
          }) == "/fields/~1colour: \"colour\" is not a complaint field (events go in \"events\")");
    CHECK(error_of([] {
              Mapping::from_json(R"({"format":"csv","fields":{"/id":{"column":"i","field":"/x"},"/received_at":{"column":"r"}}})");
          }) == "/fields/~1id/field: \"field\" is for JSONL mappings; use \"column\"");
    CHECK(error_of([] {
              Mapping::from_json(R"({"format":"csv","fields":{"/id":{"column":"i"},"/received_at":{"column":"r","type":"date"}}})");
          }) == "/fields/~1received_at/type: unknown type \"date\" (string, integer, number, boolean, money, time)");
    CHECK(error_of([] {
              Mapping::from_json(R"({"format":"csv","fields":{"/id":{"column":"i"},"/received_at":{"column":"r"}},"extra":1})");
          }) == "/extra: unknown field");
    CHECK(error_of([] { Mapping::builtin("zendesk"); }) == "no built-in mapping \"zendesk\" (cfpb, helpdesk)");
    for (const auto& name : Mapping::builtin_names()) CHECK_NOTHROW(Mapping::builtin(name));
}

TEST_CASE("mapping: CSV rows become complaints, bad rows name file, line and column", "[exchange][mapping]") {
    const auto m = Mapping::from_json(R"({
      "format": "csv", "delimiter": ";",
      "fields": {
        "/id": {"column": "No", "prefix": "X-"},
        "/received_at": {"column": "When", "time_format": "%m/%d/%Y %I:%M:%S %p", "utc_offset": "-05:00"},
        "/channel": {"column": "Via", "values": {"Phone": "phone", "Web": "web_form"}},
        "/region": {"columns": ["State", "City"]},
        "/attributes/minutes": {"column": "Minutes", "type": "integer"},
        "/amounts/paid": {"column": "Paid", "type": "money", "currency": "USD"},
        "/facets/tags": {"column": "Tags", "split": "|"}
      },
      "events": [{"type": "closed", "at": {"column": "Closed", "time_format": "%m/%d/%Y %I:%M:%S %p",
                  "utc_offset": "-05:00"}, "actor": {"value": "city"}}]
    })");
    const std::string csv =
        "No;When;Via;State;City;Minutes;Paid;Tags;Closed\n"
        "1;04/12/2018 11:11:26 AM;Phone;MD;Baltimore;12;10.5;a|b;04/12/2018 12:45:47 PM\n"
        "2;04/31/2018 11:11:26 AM;Phone;MD;;;;;\n"
        "3;04/12/2018 11:11:26 AM;Pigeon;MD;;;;;\n"
        "4;04/12/2018 11:11:26 AM;Web;MD;;ten;;;\n"
        "5;04/12/2018 11:11:26 AM;Web\n"
        "6;04/12/2018 11:11:26 AM;Web;MD;;;1.234;;\n";
    const auto rows = read_all(csv, RecordFormat::csv, &m, "city.csv");
    REQUIRE(rows.size() == 6);
    REQUIRE(rows[0].complaint);
    const auto& c = *rows[0].complaint;
    CHECK(c.id == "X-1");
    CHECK(format_timestamp(c.received_at) == "2018-04-12T11:11:26-05:00");
    CHECK(c.channel == Channel::phone);
    CHECK(c.region == std::vector<std::string>{"MD", "Baltimore"});
    CHECK(std::get<std::int64_t>(c.attributes.at("minutes")) == 12);
    CHECK(c.amounts.at("paid") == Money{1050, "USD"});
    CHECK(c.facets.tags == std::vector<std::string>{"a", "b"});
    REQUIRE(c.events.size() == 1);
    CHECK(c.events[0].type == EventType::closed);
    CHECK(c.events[0].actor == "city");
    CHECK(format_timestamp(c.events[0].at) == "2018-04-12T12:45:47-05:00");

    auto err = [&](std::size_t i) { return rows[i].error ? rows[i].error->describe() : std::string("(ok)"); };
    CHECK_THAT(err(1), Catch::StartsWith("city.csv:3: column \"When\": not an ISO-8601 timestamp"));
    CHECK(err(2) == "city.csv:4: column \"Via\": value \"Pigeon\" is not among the mapping's values");
    CHECK(err(3) == "city.csv:5: column \"Minutes\": \"ten\" is not an integer");
    CHECK(err(4) == "city.csv:6: expected 9 fields (as the header on line 1), found 3");
    CHECK(err(5) == "city.csv:7: column \"Paid\": \"1.234\" is not a non-negative amount with at most 2 decimals");
    CHECK(rows[2].error->raw == "3;04/12/2018 11:11:26 AM;Pigeon;MD;;;;;");

    CHECK(error_of([&] { read_all("No;When\n1;x\n", RecordFormat::csv, &m, "short.csv"); }) ==
          "short.csv:1: the header has no column \"Via\"");
    CHECK(error_of([&] { RecordReader r("", RecordFormat::jsonl, &m); }) ==
          "the mapping is for CSV input but the input is JSONL");
}

TEST_CASE("mapping: JSONL records from another system", "[exchange][mapping]") {
    const auto m = Mapping::from_json(R"({
      "format": "jsonl",
      "fields": {
        "/id": {"field": "/ticket/number", "prefix": "Z-"},
        "/received_at": {"field": "/ticket/created"},
        "/text": {"field": "/ticket/body"},
        "/customer/id": {"field": "/requester/id"},
        "/attributes/votes": {"field": "/votes"}
      }
    })");
    const auto rows = read_all(
        "{\"ticket\":{\"number\":\"7\",\"created\":\"2024-05-01T08:00:00Z\",\"body\":\"late\"},\"requester\":{\"id\":\"R1\"},\"votes\":3}\n"
        "{\"ticket\":{\"number\":\"8\"}}\n",
        RecordFormat::jsonl, &m, "z.jsonl");
    REQUIRE(rows.size() == 2);
    REQUIRE(rows[0].complaint);
    CHECK(rows[0].complaint->id == "Z-7");
    CHECK(rows[0].complaint->customer.id == "R1");
    CHECK(std::get<std::int64_t>(rows[0].complaint->attributes.at("votes")) == 3);
    REQUIRE(rows[1].error);
    CHECK(rows[1].error->describe() == "z.jsonl:2: column \"/ticket/created\": required field is missing");
}

TEST_CASE("import: the helpdesk sample through the built-in mapping, with a reject", "[exchange][archive]") {
    TempDb tmp;
    auto a = Archive::open(tmp.path("h.db"));
    const auto m = Mapping::builtin("helpdesk");
    IngestOptions o;
    o.stop_on_error = false;
    const auto rep = import_file(a, std::string(CK_SOURCE_DIR) + "/examples/data/helpdesk_tickets.csv", RecordFormat::csv,
                                 &m, o);
    CHECK(rep.inserted == 11);
    REQUIRE(rep.rejected == 1);
    CHECK(rep.errors[0].line == 13);
    CHECK(rep.errors[0].column == "created_at");
    const auto c = a.get("HD-1005");
    REQUIRE(c);
    CHECK(c->title == "Deposit 10 get 100");
    CHECK(c->text == "The \"deposit 10 get 100\" offer was not honoured at checkout.");
    CHECK(c->amounts.at("claimed") == Money{10000, "CNY"});
    CHECK(c->facets.severity == Severity::serious);
    CHECK(c->channel == Channel::chat);
    CHECK(a.snapshot("HD-1005")->status == Status::resolved);
    CHECK(a.snapshot("HD-1004")->status == Status::received);
    CHECK(a.count(Query{.place_prefix = "广东省/深圳市"}) == 4);
    CHECK(a.count(Query{.facets = {{"tag", "repeat"}}}) == 2);
}

TEST_CASE("import: a complaint JSONL file takes the archive's JSONL path, with rows, rejects and progress",
          "[exchange][archive]") {
    TempDb tmp;
    const std::string path = tmp.path("in.jsonl");
    {
        std::ofstream f(path, std::ios::binary);
        for (int i = 0; i < 9000; ++i) {
            if (i == 4321) f << R"({"id":"J-bad","received_at":"yesterday"})" << "\r\n";
            f << R"({"id":"J-)" << i << R"(","received_at":"2024-05-01T08:00:00+08:00","text":"退款#)" << i
              << R"(","events":[{"at":"2024-05-01T09:00:00+08:00","type":"acknowledged"}]})" << "\r\n";
            if (i == 10) f << "   \r\n";  // blank lines are skipped but counted
        }
    }
    auto a = Archive::open(tmp.path("j.db"));
    IngestOptions o;
    o.stop_on_error = false;
    std::vector<IngestProgress> seen;
    o.on_progress = [&](const IngestProgress& p) { seen.push_back(p); };
    const auto rep = import_file(a, path, RecordFormat::jsonl, nullptr, o);
    CHECK(rep.inserted == 9000);
    REQUIRE(rep.rejected == 1);
    CHECK(rep.errors[0].source == path);
    CHECK(rep.errors[0].line == 4323);  // after the blank line 12
    CHECK(rep.errors[0].column == "/received_at");
    CHECK(rep.errors[0].raw == R"({"id":"J-bad","received_at":"yesterday"})");
    CHECK(a.events("J-8999").size() == 1);
    CHECK(a.get("J-17")->text == "退款#17");
    // Progress reports the bytes read, rising to the file's size at the end.
    REQUIRE(seen.size() >= 2);
    const auto size = static_cast<std::size_t>(fs::file_size(path));
    for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].bytes >= seen[i - 1].bytes);
    CHECK(seen.front().bytes > 0);
    CHECK(seen.front().bytes < size);
    CHECK(seen.back().bytes == size);
    CHECK(seen.back().total_bytes == size);
    CHECK(seen.back().committed == 9000);
}

TEST_CASE("import: the CFPB export through the built-in mapping", "[exchange][archive][cfpb]") {
    const char* env = std::getenv("CK_SHARED_DATA");
    const std::string path = std::string(env && *env ? env : CK_SHARED_DATA_DIR) + "/cfpb-sample/complaints_sample.csv";
    if (!fs::exists(path)) {
        WARN("CFPB sample not present; skipped");
        return;
    }
    TempDb tmp;
    auto a = Archive::open(tmp.path("cfpb.db"));
    const auto m = Mapping::builtin("cfpb");
    const auto rep = import_file(a, path, RecordFormat::csv, &m);
    CHECK(rep.inserted == 6623);
    CHECK(rep.rejected == 0);
    const auto c = a.get("CFPB-3571115");
    REQUIRE(c);
    CHECK(c->channel == Channel::web_form);
    CHECK(c->region == std::vector<std::string>{"FL"});
    CHECK(std::get<bool>(c->attributes.at("timely_response")) == true);
    CHECK(std::get<std::string>(c->attributes.at("company")) == "TRANSUNION INTERMEDIATE HOLDINGS, INC.");
    REQUIRE(c->events.size() == 1);
    CHECK(c->events[0].type == EventType::assigned);
    // Counts against an independent reading of the file (Python's csv module: Web 5143, Referral 627).
    CHECK(a.query(Query{}).size() == 6623);
    std::size_t web = 0, referral = 0;
    for (const auto& s : a.query(Query{})) {
        web += s.channel == Channel::web_form;
        referral += s.channel == Channel::regulator_referral;
    }
    CHECK(web == 5143);
    CHECK(referral == 627);
}

TEST_CASE("export: JSONL and CSV round trips", "[exchange][archive]") {
    TempDb tmp;
    auto a = Archive::open(tmp.path("a.db"));
    const auto sample = std::string(CK_SOURCE_DIR) + "/examples/data/complaints.jsonl";
    std::ifstream in(sample, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto rep = a.ingest_jsonl(ss.str(), sample);
    REQUIRE(rep.inserted > 50);

    std::ostringstream jl;
    CHECK(export_jsonl(a, Query{}, jl) == rep.inserted);
    auto b = Archive::open(tmp.path("b.db"));
    b.ingest_jsonl(jl.str());
    a.for_each(Query{}, [&](const Complaint& c) { CHECK(b.get(c.id) == c); });

    std::ostringstream csv;
    CHECK(export_csv(a, Query{}, csv) == rep.inserted);
    const auto rows = read_all(csv.str(), RecordFormat::csv, nullptr);
    REQUIRE(rows.size() == rep.inserted);
    for (const auto& r : rows) {
        REQUIRE(r.complaint);
        const auto orig = a.get(r.complaint->id);
        CHECK(r.complaint->text == orig->text);
        CHECK(r.complaint->region == orig->region);
        CHECK(r.complaint->received_at == orig->received_at);
    }
}
