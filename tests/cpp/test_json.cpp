#include <catch2/catch.hpp>

#include <complaintkit/json.hpp>

#include "json_internal.hpp"

#include <fstream>
#include <set>
#include <sstream>

using namespace ck;

namespace {

const char* kFull = R"({
  "id": "CK-2024-0007",
  "received_at": "2024-07-01T10:05:00+08:00",
  "channel": "phone",
  "customer": {"id": "CU-88", "name": "王女士", "contact": "138-0000-0000", "tier": "key_account",
               "personality": "powerful", "owner": "staff-17"},
  "complainant": "王女士的丈夫",
  "branch": "SZ-NS-03",
  "region": ["广东省", "深圳市", "南山区"],
  "product": "格力 KFR-35GW 空调",
  "order": "SO-20240628-0193",
  "amounts": {"paid": {"minor": 329900, "currency": "CNY"}, "claimed": {"minor": 20000, "currency": "CNY"}},
  "language": "zh-Hans",
  "title": "空调安装不守时",
  "text": "约好6月30日上午9点到12点安装，师傅下午五点才来，电话也不接。",
  "remedy_sought": {"types": ["apology", "compensation"], "text": "道歉并补偿", "amount": {"minor": 20000, "currency": "CNY"}},
  "attributes": {"waited_hours": 8, "rating": 1.5, "called_back": false, "installer": "李师傅",
                 "promised_at": {"time": "2024-06-30T09:00:00+08:00"}, "fee": {"minor": 15000, "currency": "CNY"}},
  "facets": {"kind": "grievance", "category": "after_sales", "subcategory": "installation", "cause": "service",
             "sub_cause": "broken_appointment", "attribution": "enterprise", "dimension": "reliability",
             "severity": "moderate", "personality": "powerful", "motive": "compensation", "reasonable": true,
             "tags": ["安装", "appointment"]},
  "events": [
    {"at": "2024-07-01T10:05:00+08:00", "type": "received", "actor": "hotline-3"},
    {"at": "2024-07-01T10:20:00+08:00", "type": "acknowledged", "actor": "hotline-3", "text": "已致歉，今天内答复"},
    {"at": "2024-07-01T11:00:00+08:00", "type": "escalated", "actor": "system", "payload": {"level": 1, "to": "city"}},
    {"at": "2024-07-01T15:00:00+08:00", "type": "remedy_proposed", "actor": "staff-17",
     "payload": {"types": ["apology", "coupon"], "amount": {"minor": 10000, "currency": "CNY"}}}
  ]
})";

std::string error_of(const std::string& json, ErrorCode expected_code, const std::string& expected_path) {
    try {
        complaint_from_json(json);
    } catch (const Error& e) {
        CHECK(e.code() == expected_code);
        CHECK(e.path() == expected_path);
        return e.what();
    }
    FAIL("no error for " << json);
    return {};
}

std::string with(const std::string& member) {
    return R"({"id":"X1","received_at":"2024-01-01T00:00:00Z",)" + member + "}";
}

}  // namespace

TEST_CASE("every field survives a round trip", "[json]") {
    const Complaint c = complaint_from_json(kFull);
    CHECK(c.id == "CK-2024-0007");
    CHECK(c.received_at.offset_minutes == 480);
    CHECK(c.channel == Channel::phone);
    CHECK(c.customer.tier == Tier::key_account);
    CHECK(c.customer.personality == Personality::powerful);
    CHECK(c.customer.owner == "staff-17");
    CHECK(c.complainant == "王女士的丈夫");
    CHECK(c.region.size() == 3);
    CHECK(c.region[1] == "深圳市");
    CHECK(c.amounts.at("paid") == Money{329900, "CNY"});
    CHECK(c.remedy_sought.types == std::vector<RemedyType>{RemedyType::apology, RemedyType::compensation});
    CHECK(c.remedy_sought.amount == Money{20000, "CNY"});
    CHECK(std::get<std::int64_t>(c.attributes.at("waited_hours")) == 8);
    CHECK(std::get<double>(c.attributes.at("rating")) == 1.5);
    CHECK(std::get<bool>(c.attributes.at("called_back")) == false);
    CHECK(std::get<std::string>(c.attributes.at("installer")) == "李师傅");
    CHECK(std::get<Timestamp>(c.attributes.at("promised_at")).offset_minutes == 480);
    CHECK(std::get<Money>(c.attributes.at("fee")).minor == 15000);
    CHECK(c.facets.sub_cause == SubCause::broken_appointment);
    CHECK(c.facets.reasonable == true);
    CHECK(c.facets.tags.size() == 2);
    REQUIRE(c.events.size() == 4);
    CHECK(c.events[2].type == EventType::escalated);
    CHECK(c.events[2].payload == R"({"level":1,"to":"city"})");
    CHECK(c.events[0].payload == "{}");

    const std::string out = to_json(c);
    const Complaint back = complaint_from_json(out);
    CHECK(back == c);
    CHECK(to_json(back) == out);  // a fixed point
    const Complaint pretty = complaint_from_json(to_json(c, true));
    CHECK(pretty == c);
    CHECK(to_json(c, true).find("\n  \"received_at\": \"2024-07-01T10:05:00+08:00\"") != std::string::npos);
}

TEST_CASE("integers stay integers and numbers stay numbers", "[json]") {
    const Complaint c = complaint_from_json(with(R"("attributes":{"a":3,"b":3.0,"c":-0.25,"d":1e300})"));
    CHECK(std::holds_alternative<std::int64_t>(c.attributes.at("a")));
    CHECK(std::holds_alternative<double>(c.attributes.at("b")));
    const Complaint back = complaint_from_json(to_json(c));
    CHECK(back == c);
    CHECK(std::holds_alternative<double>(back.attributes.at("b")));
    CHECK(std::get<double>(back.attributes.at("d")) == 1e300);
}

TEST_CASE("a minimal complaint", "[json]") {
    const Complaint c = complaint_from_json(R"({"id":"M1","received_at":"2024-01-01"})");
    CHECK(c.channel == Channel::unknown);
    CHECK(c.text.empty());
    CHECK(c.facets.empty());
    CHECK(to_json(c) == R"({"id":"M1","received_at":"2024-01-01T00:00:00Z"})");
}

TEST_CASE("malformed JSON names line and column", "[json][bad-input]") {
    auto msg = error_of("{\"id\": \"X\",\n \"received_at\": }", ErrorCode::parse, "");
    CHECK_THAT(msg, Catch::StartsWith("malformed JSON at line 2, column"));
    CHECK_THAT(error_of("", ErrorCode::parse, ""), Catch::Contains("empty input"));
    CHECK_THAT(error_of("{} {}", ErrorCode::parse, ""), Catch::Contains("malformed JSON"));
    CHECK_THAT(error_of("[1,2]", ErrorCode::invalid_value, ""), Catch::Contains("expected an object, got an array"));
}

TEST_CASE("bad values are reported at their JSON pointer", "[json][bad-input]") {
    CHECK(error_of(R"({"received_at":"2024-01-01"})", ErrorCode::missing_field, "/id") ==
          "/id: required field is missing");
    CHECK(error_of(R"({"id":"","received_at":"2024-01-01"})", ErrorCode::invalid_value, "/id") ==
          "/id: must not be empty");
    CHECK(error_of(R"({"id":"X"})", ErrorCode::missing_field, "/received_at") ==
          "/received_at: required field is missing");
    CHECK(error_of(with(R"("channel":"telephone")"), ErrorCode::unknown_code, "/channel") ==
          R"(/channel: unknown channel code "telephone")");
    CHECK(error_of(with(R"("channel":3)"), ErrorCode::invalid_value, "/channel") ==
          "/channel: expected a string, got a number");
    CHECK(error_of(with(R"("customer":{"tier":"gold"})"), ErrorCode::unknown_code, "/customer/tier") ==
          R"(/customer/tier: unknown tier code "gold")");
    CHECK(error_of(with(R"("facets":{"severity":"catastrophic"})"), ErrorCode::unknown_code, "/facets/severity") ==
          R"(/facets/severity: unknown severity code "catastrophic")");
    CHECK(error_of(with(R"("remedy_sought":{"types":["apology","money_back"]})"), ErrorCode::unknown_code,
                   "/remedy_sought/types/1") == R"(/remedy_sought/types/1: unknown remedy_type code "money_back")");
    CHECK(error_of(with(R"("amounts":{"paid":{"minor":-100,"currency":"CNY"}})"), ErrorCode::invalid_value,
                   "/amounts/paid/minor") == "/amounts/paid/minor: money must not be negative");
    CHECK(error_of(with(R"("amounts":{"paid":{"minor":1.5,"currency":"CNY"}})"), ErrorCode::invalid_value,
                   "/amounts/paid/minor") == "/amounts/paid/minor: expected an integer, got a fractional number");
    CHECK(error_of(with(R"("amounts":{"paid":{"minor":100,"currency":"rmb"}})"), ErrorCode::invalid_value,
                   "/amounts/paid/currency") == R"(/amounts/paid/currency: not an ISO 4217 currency code: "rmb")");
    CHECK(error_of(with(R"("amounts":{"Paid":{"minor":100,"currency":"CNY"}})"), ErrorCode::invalid_value,
                   "/amounts/Paid") == "/amounts/Paid: amount kind must be lower_snake_case");
    CHECK(error_of(with(R"("amounts":{"paid":{"minor":100}})"), ErrorCode::missing_field,
                   "/amounts/paid/currency") == "/amounts/paid/currency: required field is missing");
    CHECK(error_of(with(R"("language":"Chinese")"), ErrorCode::invalid_value, "/language") ==
          R"(/language: not a BCP-47 language tag: "Chinese")");
    CHECK(error_of(with(R"("attributes":{"x":[1,2]})"), ErrorCode::invalid_value, "/attributes/x") ==
          "/attributes/x: an attribute must be a boolean, number, string, time or money, got an array");
    CHECK(error_of(with(R"("attributes":{"t":{"time":"2024-02-30T00:00Z"}})"), ErrorCode::invalid_value,
                   "/attributes/t/time") ==
          R"(/attributes/t/time: not an ISO-8601 timestamp: "2024-02-30T00:00Z" (no such day))");
    CHECK(error_of(with(R"("attributes":{"a/b":{"foo":1}})"), ErrorCode::invalid_value, "/attributes/a~1b") !=
          "");
    CHECK(error_of(with(R"("colour":"red")"), ErrorCode::invalid_value, "/colour") == "/colour: unknown field");
    CHECK(error_of(with(R"("customer":{"vip":true})"), ErrorCode::invalid_value, "/customer/vip") ==
          "/customer/vip: unknown field");
    CHECK(error_of(with(R"("facets":{"category":"logistics","subcategory":"defect"})"), ErrorCode::invalid_value,
                   "/facets/subcategory") ==
          R"(/facets/subcategory: subcategory "defect" does not belong to category "logistics")");
    CHECK(error_of(with(R"("facets":{"cause":"price","sub_cause":"poor_attitude"})"), ErrorCode::invalid_value,
                   "/facets/sub_cause") ==
          R"(/facets/sub_cause: sub_cause "poor_attitude" does not belong to cause "price")");
    CHECK(error_of(with(R"("region":["广东省",7])"), ErrorCode::invalid_value, "/region/1") ==
          "/region/1: expected a string, got a number");
}

TEST_CASE("event errors: bad timestamps, unknown types, out of time order", "[json][bad-input]") {
    const std::string ok = R"({"at":"2024-01-01T10:00:00Z","type":"received"})";
    CHECK(error_of(with(R"("events":[)" + ok + "," + ok + R"(,{"at":"2024-13-01T00:00Z","type":"note"}])"),
                   ErrorCode::invalid_value, "/events/2/at") ==
          R"(/events/2/at: not an ISO-8601 timestamp: "2024-13-01T00:00Z" (month 13))");
    CHECK(error_of(with(R"("events":[{"at":"2024-01-01T10:00:00Z","type":"teleported"}])"),
                   ErrorCode::unknown_code, "/events/0/type") ==
          R"(/events/0/type: unknown event_type code "teleported")");
    CHECK(error_of(with(R"("events":[{"type":"note"}])"), ErrorCode::missing_field, "/events/0/at") ==
          "/events/0/at: required field is missing");
    CHECK(error_of(with(R"("events":[)" + ok + R"(,{"at":"2024-01-01T17:59:00+08:00","type":"note"}])"),
                   ErrorCode::out_of_order, "/events/1/at") ==
          "/events/1/at: event is earlier than the previous event (2024-01-01T10:00:00Z)");
    // the same instant written in another zone is not out of order
    CHECK_NOTHROW(complaint_from_json(with(R"("events":[)" + ok +
                                           R"(,{"at":"2024-01-01T18:00:00+08:00","type":"note"}])")));
    CHECK(error_of(with(R"("events":[{"at":"2024-01-01T10:00:00Z","type":"note","payload":[1]}])"),
                   ErrorCode::invalid_value, "/events/0/payload") == "/events/0/payload: expected an object, got an array");
}

TEST_CASE("invalid UTF-8 is reported at the string that holds it", "[json][bad-input][utf8]") {
    std::string bad = with("\"text\":\"\xe6\x80\x81\xe5\xba\xa6\xff\"");
    CHECK(error_of(bad, ErrorCode::invalid_utf8, "/text") == "/text: invalid UTF-8 at byte 6");
    std::string bad_event =
        with("\"events\":[{\"at\":\"2024-01-01T00:00Z\",\"type\":\"note\",\"payload\":{\"who\":[\"a\\u0041\",\"\xc0\xaf\"]}}]");
    CHECK(error_of(bad_event, ErrorCode::invalid_utf8, "/events/0/payload/who/1") ==
          "/events/0/payload/who/1: invalid UTF-8 at byte 0");
    std::string bad_key = with("\"attributes\":{\"\xff\":1}");
    CHECK(error_of(bad_key, ErrorCode::invalid_utf8, "/attributes/(key)") == "/attributes/(key): invalid UTF-8 at byte 0");
}

TEST_CASE("unknown fields are rejected or preserved by explicit option", "[json]") {
    const std::string j = with(R"("crm_ref":{"sys":"sf","n":12},"text":"t")");
    CHECK_THROWS_AS(complaint_from_json(j), Error);
    ParseOptions keep;
    keep.preserve_unknown = true;
    const Complaint c = complaint_from_json(j, keep);
    CHECK(c.extensions == R"({"crm_ref":{"sys":"sf","n":12}})");
    const std::string out = to_json(c);
    CHECK(out.find(R"("crm_ref":{"sys":"sf","n":12})") != std::string::npos);
    CHECK(complaint_from_json(out, keep) == c);
}

TEST_CASE("append keeps the history append-only and ordered", "[model]") {
    Complaint c = complaint_from_json(kFull);
    const auto before = c;
    Event late{parse_timestamp("2024-07-01T08:00:00Z"), EventType::note, "x", "t", "{}"};
    c.append(late);
    CHECK(c.events.size() == before.events.size() + 1);
    Event early{parse_timestamp("2024-07-01T00:00:00Z"), EventType::note, "x", "t", "{}"};
    try {
        c.append(early);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::out_of_order);
        CHECK(e.path() == "/events/5/at");
    }
    CHECK(c.events.size() == before.events.size() + 1);  // unchanged
}

TEST_CASE("JSON Lines: good lines kept, bad lines reported with their number", "[json][bad-input]") {
    const std::string text = R"({"id":"A","received_at":"2024-01-01"})"
                             "\n\n"
                             R"({"id":"B","received_at":"2024-01-02","channel":"pigeon"})"
                             "\r\n"
                             R"({"id":"C","received_at":"2024-01-03"})"
                             "\n";
    std::vector<std::string> ids;
    std::vector<std::string> errors;
    const auto n = read_jsonl(
        text, [&](Complaint&& c) { ids.push_back(c.id); },
        [&](std::size_t line, const Error& e) { errors.push_back(std::to_string(line) + " " + e.what()); });
    CHECK(n == 2);
    CHECK(ids == std::vector<std::string>{"A", "C"});
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == R"(3 /channel: unknown channel code "pigeon")");
    try {
        complaints_from_jsonl(text);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == R"(line 3: /channel: unknown channel code "pigeon")");
        CHECK(e.path() == "/channel");
    }
}

TEST_CASE("the bundled sample complaints parse and round-trip", "[json][data]") {
    std::ifstream in(CK_SOURCE_DIR "/examples/data/complaints.jsonl", std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto all = complaints_from_jsonl(ss.str());
    CHECK(all.size() >= 60);
    std::set<Category> cats;
    std::set<std::string> langs;
    for (const auto& c : all) {
        INFO(c.id);
        CHECK(complaint_from_json(to_json(c)) == c);
        cats.insert(c.facets.category);
        langs.insert(c.language);
    }
    for (auto cat : {Category::product_quality, Category::service_quality, Category::logistics,
                     Category::communication, Category::after_sales, Category::other})
        CHECK(cats.count(cat) == 1);
    CHECK(langs.count("zh-Hans") == 1);
    CHECK(langs.count("zh-Hant") == 1);
    CHECK(langs.count("en") == 1);
}

TEST_CASE("object_without_member cuts a top-level member out of validated JSON text", "[json]") {
    auto cut = [](std::string_view text) {
        std::string out = "stale";
        const bool ok = detail::object_without_member(text, "events", out);
        return ok ? out : std::string("<declined>");
    };
    // Members are kept as written (inner spacing included), joined by single commas.
    CHECK(cut(R"({"id":"A","events":[1,2],"text":"x"})") == R"({"id":"A","text":"x"})");
    CHECK(cut(R"(  {"events":[] , "id" : "A"}  )") == R"({"id" : "A"})");
    CHECK(cut("{\"id\" : \"A\" ,\n \"events\":[] ,\"t\":1\t}") == R"({"id" : "A","t":1})");  // spaces around commas go
    CHECK(cut(R"({"id":"A","events":{"a":[{"b":"]}"}]}})") == R"({"id":"A"})");
    CHECK(cut(R"({"events":1,"events":[2]})") == "{}");  // every member of that name
    CHECK(cut("{}") == "{}");
    CHECK(cut(R"({"id":"A"})") == R"({"id":"A"})");
    // Escapes inside strings: a quote, a backslash right before the closing quote, \u.
    CHECK(cut(R"({"t":"a\"b","events":[],"u":"c\\"})") == R"({"t":"a\"b","u":"c\\"})");
    CHECK(cut(R"({"t":"\\\"events\\\":[","events":["\"]"],"n":-1.5e3})") == R"({"t":"\\\"events\\\":[","n":-1.5e3})");
    CHECK(cut(R"({"t":"\u76d2","x":true,"y":null,"z":false,"events":[]})") == R"({"t":"\u76d2","x":true,"y":null,"z":false})");
    // Look-alikes: nested "events" members and the name inside strings stay.
    CHECK(cut(R"({"x":{"events":[1]},"t":"\"events\":1","eventsX":2})") == R"({"x":{"events":[1]},"t":"\"events\":1","eventsX":2})");
    // Long values cross the 16-byte blocks of the scanner at every offset.
    for (std::size_t pad = 0; pad < 40; ++pad) {
        const std::string filler(pad, 'a');
        const std::string cjk = "盒上写[5]个，{里面}只有\\\"4\\\"个" + filler;
        const std::string in = "{\"a\":\"" + cjk + "\",\"events\":[{\"t\":\"" + filler + "}\\\\\"},[[" + filler.substr(0, pad % 3) +
                               "]]],\"b\":[\"" + filler + "\"]}";
        INFO(in);
        CHECK(cut(in) == "{\"a\":\"" + cjk + "\",\"b\":[\"" + filler + "\"]}");
    }
    // Declined: a key spelled with an escape (only a parsed document can compare it), not an object.
    CHECK(cut(R"({"\u0065vents":[1],"id":"A"})") == "<declined>");
    CHECK(cut("[1,2]") == "<declined>");
    CHECK(cut("") == "<declined>");
}

TEST_CASE("append_json_string escapes as Boost.JSON's serializer does", "[json]") {
    std::vector<std::string> inputs = {"", "态度差 \"退款\" \\ é 😀\n", std::string(1, '\0')};
    inputs.emplace_back();
    for (int c = 1; c < 0x80; ++c) inputs.back() += static_cast<char>(c);  // every ASCII byte
    for (const std::string& s : inputs) {
        std::string out = "x";
        detail::append_json_string(out, s);
        std::string want = "x";
        want += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
        CHECK(out == want);
    }
}
