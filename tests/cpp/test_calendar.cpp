// Business calendars: hand-checked DST / 国庆 cases, bad input, and property tests against
// an independent minute-by-minute reference that reads local time from the C library
// (glibc localtime_r with TZ set), not from complaintkit's own zone code.
#include <complaintkit/calendar.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/time.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using ck::Calendar;
using ck::parse_timestamp;

namespace {

std::string fmt(ck::Timestamp t) { return ck::format_timestamp(t); }

const char* kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string hours_json(const std::vector<std::pair<int, int>>& iv) {
    std::string s = "[";
    for (std::size_t i = 0; i < iv.size(); ++i) {
        char b[64];
        std::snprintf(b, sizeof b, "[\"%02d:%02d\",\"%02d:%02d\"]", iv[i].first / 60, iv[i].first % 60,
                      iv[i].second / 60, iv[i].second % 60);
        if (i) s += ",";
        s += b;
    }
    return s + "]";
}

std::string require_error(const std::string& json) {
    try {
        (void)Calendar::from_json(json);
    } catch (const ck::Error& e) {
        return e.what();
    }
    FAIL("no error for " << json);
    return {};
}

// ------------------------------------------------------------------ the reference
struct RefHoliday {
    bool full = true;
    std::vector<std::pair<int, int>> closed;
};
struct Spec {
    std::string zone;       // for complaintkit
    std::string glibc_tz;   // for the reference
    std::array<std::vector<std::pair<int, int>>, 7> week;
    std::map<std::int64_t, RefHoliday> one_off;  // days since epoch
    std::map<std::pair<int, int>, RefHoliday> recurring;
    std::map<std::int64_t, std::vector<std::pair<int, int>>> working;
    int first_year = 2019, last_year = 2032;

    std::string json() const {
        std::string s = "{\"zone\":\"" + zone + "\",\"years\":[" + std::to_string(first_year) + "," +
                        std::to_string(last_year) + "],\"hours\":{";
        for (int d = 0; d < 7; ++d) {
            if (d) s += ",";
            s += "\"";
            s += kWeekdays[d];
            s += "\":";
            s += hours_json(week[d]);
        }
        s += "},\"holidays\":[";
        bool first = true;
        auto hol = [&](const std::string& key, const RefHoliday& h) {
            if (!first) s += ",";
            s += "{";
            s += key;
            if (!h.full) s += ",\"closed\":" + hours_json(h.closed);
            s += ",\"name\":\"h\"}";
            first = false;
        };
        for (const auto& [d, h] : one_off) {
            const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(d))};
            char b[64];
            std::snprintf(b, sizeof b, "\"date\":\"%04d-%02u-%02u\"", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
            hol(b, h);
        }
        for (const auto& [md, h] : recurring) {
            char b[64];
            std::snprintf(b, sizeof b, "\"month_day\":\"%02d-%02d\"", md.first, md.second);
            hol(b, h);
        }
        s += "],\"working_days\":[";
        first = true;
        for (const auto& [d, hours] : working) {
            const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(d))};
            char b[64];
            std::snprintf(b, sizeof b, "\"date\":\"%04d-%02u-%02u\"", int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()));
            if (!first) s += ",";
            s += "{";
            s += b;
            s += ",\"hours\":";
            s += hours_json(hours);
            s += "}";
            first = false;
        }
        return s + "]}";
    }
};

bool in(const std::vector<std::pair<int, int>>& iv, int m) {
    for (auto [a, b] : iv)
        if (a <= m && m < b) return true;
    return false;
}

/// Open minutes of a window, minute by minute, from the C library's local time.
struct Reference {
    std::int64_t t0;             // Unix seconds of the first minute
    std::vector<bool> open;      // per minute

    Reference(const Spec& spec, std::int64_t start, std::int64_t minutes) : t0(start), open(static_cast<std::size_t>(minutes)) {
        ::setenv("TZ", spec.glibc_tz.c_str(), 1);
        ::tzset();
        for (std::int64_t i = 0; i < minutes; ++i) {
            const std::time_t t = static_cast<std::time_t>(start + i * 60);
            std::tm tm{};
            ::localtime_r(&t, &tm);
            const std::int64_t days =
                std::chrono::sys_days(std::chrono::year{tm.tm_year + 1900} / (tm.tm_mon + 1) / tm.tm_mday).time_since_epoch().count();
            const int wd = (tm.tm_wday + 6) % 7;
            const int m = tm.tm_hour * 60 + tm.tm_min;
            bool o;
            if (auto w = spec.working.find(days); w != spec.working.end()) {
                o = in(w->second, m);
            } else {
                const RefHoliday* h = nullptr;
                if (auto x = spec.one_off.find(days); x != spec.one_off.end()) h = &x->second;
                else if (auto y = spec.recurring.find({tm.tm_mon + 1, tm.tm_mday}); y != spec.recurring.end()) h = &y->second;
                o = in(spec.week[static_cast<std::size_t>(wd)], m);
                if (h) o = o && !h->full && !in(h->closed, m);
            }
            open[static_cast<std::size_t>(i)] = o;
        }
        ::unsetenv("TZ");
        ::tzset();
    }
    bool is_open(std::int64_t s) const { return open[static_cast<std::size_t>((s - t0) / 60)]; }
    std::int64_t between(std::int64_t a, std::int64_t b) const {  // minutes
        std::int64_t n = 0;
        for (std::int64_t s = a; s < b; s += 60) n += is_open(s);
        return n;
    }
    /// Steps minute by minute; -1 if the window ends first.
    std::int64_t add(std::int64_t s, std::int64_t minutes) const {
        std::int64_t end = t0 + static_cast<std::int64_t>(open.size()) * 60;
        while (minutes > 0) {
            if (s >= end) return -1;
            if (is_open(s)) --minutes;
            s += 60;
        }
        return s;
    }
    std::int64_t next_open(std::int64_t s) const {
        std::int64_t end = t0 + static_cast<std::int64_t>(open.size()) * 60;
        while (s < end && !is_open(s)) s += 60;
        return s < end ? s : -1;
    }
};

std::vector<std::pair<int, int>> random_intervals(std::mt19937_64& rng, int max_count) {
    std::uniform_int_distribution<int> cnt(0, max_count);
    const int n = cnt(rng);
    std::vector<int> points;
    std::uniform_int_distribution<int> minute(0, 1440);
    std::uniform_int_distribution<int> coin(0, 5);
    while (static_cast<int>(points.size()) < 2 * n) {
        int p = minute(rng);
        const int c = coin(rng);
        if (c == 0) p = 0;  // midnight edges, and the DST hours 01:00–03:00
        if (c == 1) p = 1440;
        if (c == 2) p = 60 * std::uniform_int_distribution<int>(1, 3)(rng);
        if (std::find(points.begin(), points.end(), p) == points.end()) points.push_back(p);
    }
    std::sort(points.begin(), points.end());
    std::vector<std::pair<int, int>> out;
    for (int i = 0; i + 1 < static_cast<int>(points.size()); i += 2) out.emplace_back(points[i], points[i + 1]);
    return out;
}

bool have_zone(const std::string& z) { return std::filesystem::exists("/usr/share/zoneinfo/" + z); }

}  // namespace

TEST_CASE("calendar: New York spring-forward and fall-back, hand-checked", "[calendar]") {
    for (const std::string zone : {"America/New_York", "EST5EDT,M3.2.0,M11.1.0"}) {
        if (zone[0] == 'A' && !have_zone(zone)) continue;
        INFO(zone);
        const auto all_day = Calendar::from_json(R"({"zone":")" + zone + R"(","hours":{"mon":[["00:00","24:00"]],)"
                                                 R"("tue":[["00:00","24:00"]],"wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],)"
                                                 R"("fri":[["00:00","24:00"]],"sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]}})");
        // 2024-03-10 has 23 hours, 2024-11-03 has 25.
        CHECK(all_day.business_between(parse_timestamp("2024-03-10T00:00-05:00"), parse_timestamp("2024-03-11T00:00-04:00")) == 23h);
        CHECK(all_day.business_between(parse_timestamp("2024-11-03T00:00-04:00"), parse_timestamp("2024-11-04T00:00-05:00")) == 25h);
        CHECK(fmt(all_day.add(parse_timestamp("2024-03-10T01:30-05:00"), 60min)) == "2024-03-10T03:30:00-04:00");
        CHECK(fmt(all_day.add(parse_timestamp("2024-11-03T01:30-04:00"), 60min)) == "2024-11-03T01:30:00-05:00");

        // A night shift 01:00–03:00 on Sundays: 60 min on spring-forward day (02:xx does not
        // exist), 180 min on fall-back day (01:xx happens twice).
        const auto night = Calendar::from_json(R"({"zone":")" + zone + R"(","hours":{"sun":[["01:00","03:00"]]}})");
        CHECK(night.business_between(parse_timestamp("2024-03-10T00:00-05:00"), parse_timestamp("2024-03-11T00:00-04:00")) == 60min);
        CHECK(night.business_between(parse_timestamp("2024-11-03T00:00-04:00"), parse_timestamp("2024-11-04T00:00-05:00")) == 180min);
        CHECK_FALSE(night.is_open(parse_timestamp("2024-03-10T03:30-04:00")));
        CHECK(night.is_open(parse_timestamp("2024-03-10T01:59-05:00")));
        CHECK(fmt(night.add(parse_timestamp("2024-03-10T01:30-05:00"), 31min)) == "2024-03-17T01:01:00-04:00");
        CHECK(fmt(night.next_open(parse_timestamp("2024-03-10T03:00-04:00"))) == "2024-03-17T01:00:00-04:00");

        // Office hours 09:00–17:00 across the change: Friday 16:00 + 2 h = Monday 10:00 EDT.
        const auto office = Calendar::from_json(R"({"zone":")" + zone + R"(","hours":{"mon":[["09:00","17:00"]],)"
                                                R"("tue":[["09:00","17:00"]],"wed":[["09:00","17:00"]],"thu":[["09:00","17:00"]],)"
                                                R"("fri":[["09:00","17:00"]]}})");
        CHECK(fmt(office.add(parse_timestamp("2024-03-08T16:00-05:00"), 2h)) == "2024-03-11T10:00:00-04:00");
        CHECK(office.business_between(parse_timestamp("2024-03-08T16:00-05:00"), parse_timestamp("2024-03-11T10:00-04:00")) == 2h);
        CHECK(fmt(office.add(parse_timestamp("2024-11-01T16:00-04:00"), 2h)) == "2024-11-04T10:00:00-05:00");
    }
}

TEST_CASE("calendar: Asia/Shanghai 国庆 2024 with 调休 make-up days", "[calendar]") {
    for (const std::string zone : {"Asia/Shanghai", "CST-8", "+08:00"}) {
        if (zone == "Asia/Shanghai" && !have_zone(zone)) continue;
        INFO(zone);
        const auto cal = Calendar::from_json(R"({"zone":")" + zone + R"(",
          "hours":{"mon":[["09:00","12:00"],["13:00","18:00"]],"tue":[["09:00","12:00"],["13:00","18:00"]],
                   "wed":[["09:00","12:00"],["13:00","18:00"]],"thu":[["09:00","12:00"],["13:00","18:00"]],
                   "fri":[["09:00","12:00"],["13:00","18:00"]]},
          "holidays":[{"date":"2024-10-01","name":"国庆节"},{"date":"2024-10-02","name":"国庆节"},
                      {"date":"2024-10-03","name":"国庆节"},{"date":"2024-10-04","name":"国庆节"},
                      {"date":"2024-10-07","name":"国庆节"},{"month_day":"01-01","name":"元旦"},
                      {"date":"2024-12-31","closed":[["12:00","24:00"]],"name":"除夕下午"}],
          "working_days":[{"date":"2024-09-29","name":"国庆调休","as":"mon"},
                          {"date":"2024-10-12","name":"国庆调休","hours":[["09:00","12:00"],["13:00","18:00"]]}]})");
        // Monday 30 Sep 17:00 + 8 h: 1 h that day, the holiday week skipped, Tuesday 8 Oct 17:00.
        CHECK(fmt(cal.add(parse_timestamp("2024-09-30T17:00+08:00"), 8h)) == "2024-10-08T17:00:00+08:00");
        // Friday 11 Oct 17:00 + 2 h ends on the make-up Saturday.
        CHECK(fmt(cal.add(parse_timestamp("2024-10-11T17:00+08:00"), 2h)) == "2024-10-12T10:00:00+08:00");
        CHECK(fmt(cal.next_open(parse_timestamp("2024-09-28T10:00+08:00"))) == "2024-09-29T09:00:00+08:00");
        CHECK(cal.is_open(parse_timestamp("2024-10-12T09:30+08:00")));
        CHECK_FALSE(cal.is_open(parse_timestamp("2024-10-12T12:30+08:00")));
        CHECK_FALSE(cal.is_open(parse_timestamp("2024-10-05T10:00+08:00")));
        CHECK(fmt(cal.end_of_business_day(parse_timestamp("2024-09-30T17:00+08:00"))) == "2024-09-30T18:00:00+08:00");
        CHECK(fmt(cal.end_of_business_day(parse_timestamp("2024-09-30T18:30+08:00"))) == "2024-10-08T18:00:00+08:00");
        CHECK(fmt(cal.end_of_business_day(parse_timestamp("2024-09-30T10:00+08:00"), 1)) == "2024-10-08T18:00:00+08:00");
        // Partial closure on 31 Dec, recurring 元旦 on 1 Jan 2025 (a Wednesday).
        CHECK(cal.business_between(parse_timestamp("2024-12-31T00:00+08:00"), parse_timestamp("2025-01-03T00:00+08:00")) == 3h + 8h);
        std::string name;
        CHECK(cal.day_kind(2024, 10, 12, &name) == Calendar::DayKind::make_up);
        CHECK(name == "国庆调休");
        CHECK(cal.day_kind(2025, 1, 1, &name) == Calendar::DayKind::holiday);
        CHECK(name == "元旦");
        CHECK(cal.day_kind(2024, 10, 5) == Calendar::DayKind::weekly_closed);
        CHECK(cal.day_kind(2024, 12, 31) == Calendar::DayKind::partial_holiday);
        const auto steps = cal.explain_add(parse_timestamp("2024-09-30T17:00+08:00"), 8h);
        REQUIRE(steps.size() >= 4);
        CHECK(steps.front().find("480 business minutes") != std::string::npos);
        CHECK(steps.back() == "deadline 2024-10-08T17:00:00+08:00");
        bool saw_holiday = false;
        for (const auto& s : steps) saw_holiday |= s.find("skip 2024-10-01 (tue): holiday 国庆节") != std::string::npos;
        CHECK(saw_holiday);
    }
}

TEST_CASE("calendar: defaults, fixed offsets and zone forms", "[calendar]") {
    const Calendar def;
    CHECK(def.is_open(parse_timestamp("2024-03-05T10:00+08:00")));
    CHECK_FALSE(def.is_open(parse_timestamp("2024-03-05T12:30+08:00")));
    CHECK(fmt(def.add(parse_timestamp("2024-03-05T11:00+08:00"), 2h)) == "2024-03-05T14:00:00+08:00");
    CHECK(def.add(parse_timestamp("2024-03-05T11:00+08:00"), 0min) == parse_timestamp("2024-03-05T11:00+08:00"));
    CHECK(ck::TimeZone::from_spec("+05:30").offset_at(0) == 19800);
    CHECK(ck::TimeZone::from_spec("UTC-03:30").offset_at(0) == -12600);
    CHECK(ck::TimeZone::from_spec("<+0330>-3:30").offset_at(0) == 12600);
    const auto ny = ck::TimeZone::from_spec("EST5EDT,M3.2.0,M11.1.0");
    CHECK(ny.offset_at(parse_timestamp("2024-07-01T00:00Z").unix_seconds()) == -4 * 3600);
    CHECK(ny.offset_at(parse_timestamp("2024-01-01T00:00Z").unix_seconds()) == -5 * 3600);
    if (have_zone("Australia/Sydney")) {
        const auto syd = ck::TimeZone::from_spec("Australia/Sydney");
        CHECK(syd.offset_at(parse_timestamp("2024-01-15T00:00Z").unix_seconds()) == 11 * 3600);
        CHECK(syd.offset_at(parse_timestamp("2024-07-15T00:00Z").unix_seconds()) == 10 * 3600);
        // Far beyond the file's explicit transitions: the footer rule.
        CHECK(syd.offset_at(parse_timestamp("2090-01-15T00:00Z").unix_seconds()) == 11 * 3600);
    }
    CHECK_THROWS_WITH(def.add(parse_timestamp("2024-03-05T11:00+08:00"), -1min), Catch::Contains("must not be negative"));
    CHECK_THROWS_WITH(def.is_open(parse_timestamp("2150-01-01T00:00Z")), Catch::Contains("outside the calendar's years"));
}

TEST_CASE("calendar: bad input is a clear error naming the place", "[calendar][errors]") {
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"mon":[["09:00","12:00"],["11:00","13:00"]]}})"),
               Catch::Equals("/hours/mon/1: interval 11:00–13:00 overlaps 09:00–12:00"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"tue":[["12:00","09:00"]]}})"),
               Catch::Equals("/hours/tue/0: interval end 09:00 is not after its start 12:00 (inverted or empty)"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"tue":[["09:00","09:00"]]}})"), Catch::Contains("inverted or empty"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"tue":[["09:00","25:00"]]}})"),
               Catch::Equals("/hours/tue/0/1: invalid time of day \"25:00\" (expected hh:mm, 00:00–24:00)"));
    CHECK_THAT(require_error(R"({"zone":"Mars/Olympus_Mons","hours":{}})"),
               Catch::Equals("/zone: unknown time zone \"Mars/Olympus_Mons\" (no such zone in the platform's zone data)"));
    CHECK_THAT(require_error(R"({"zone":"Nowhere","hours":{}})"), Catch::Equals("/zone: unknown time zone \"Nowhere\""));
    CHECK_THAT(require_error(R"({"zone":"XQZ","hours":{}})"), Catch::Equals("/zone: unknown time zone \"XQZ\""));
    CHECK_THAT(require_error(R"({"zone":"../../etc/passwd","hours":{}})"), Catch::Contains("unknown time zone"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"holidays":[{"date":"2023-02-29"}]})"),
               Catch::Equals("/holidays/0/date: invalid date 2023-02-29 (no such day)"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"holidays":[{"date":"2024-13-01"}]})"),
               Catch::Contains("/holidays/0/date: invalid date"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"holidays":[{"month_day":"02-30"}]})"),
               Catch::Equals("/holidays/0/month_day: invalid month-day \"02-30\" (expected MM-DD of a real date)"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"holidays":[{"name":"x"}]})"),
               Catch::Equals("/holidays/0: a holiday needs date or month_day"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"mon":[["09:00","17:00"]]},"holidays":[{"date":"2024-10-12"}],)"
                             R"("working_days":[{"date":"2024-10-12"}]})"),
               Catch::Equals("/working_days/0/date: 2024-10-12 is both a holiday and a working day"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"working_days":[{"date":"2024-10-12","as":"caturday"}]})"),
               Catch::Equals("/working_days/0/as: unknown weekday \"caturday\" (mon, tue, … sun)"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"monday":[]}})"), Catch::Equals("/hours/monday: unknown field"));
    CHECK_THAT(require_error(R"({"hours":{}})"), Catch::Contains("zone"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{},"years":[2100,2000]})"), Catch::Contains("/years"));
    CHECK_THAT(require_error(R"({"zone":"UTC","hours":{"mon":[["9:00","12:00"]]}})"), Catch::Contains("invalid time of day"));
}

TEST_CASE("calendar: property test against the minute-stepping reference", "[calendar][property]") {
    struct Z { std::string ours, glibc; };
    std::vector<Z> zones = {{"EST5EDT,M3.2.0,M11.1.0", "EST5EDT,M3.2.0,M11.1.0"},
                            {"CET-1CEST,M3.5.0,M10.5.0/3", "CET-1CEST,M3.5.0,M10.5.0/3"},
                            {"AEST-10AEDT,M10.1.0,M4.1.0/3", "AEST-10AEDT,M10.1.0,M4.1.0/3"},
                            {"+05:30", "XXX-05:30"},
                            {"UTC-03:00", "XXX03:00"}};
    for (const char* iana : {"America/New_York", "Europe/London", "Australia/Sydney", "Asia/Shanghai", "America/Santiago",
                             "Asia/Kathmandu", "Pacific/Chatham"})
        if (have_zone(iana)) zones.push_back({iana, std::string(":") + iana});

    std::mt19937_64 rng(20241001);
    int checks = 0;
    for (int round = 0; round < 36; ++round) {
        Spec spec;
        const Z& z = zones[static_cast<std::size_t>(round) % zones.size()];
        spec.zone = z.ours;
        spec.glibc_tz = z.glibc;
        for (auto& d : spec.week) d = random_intervals(rng, 3);
        if (std::all_of(spec.week.begin(), spec.week.end(), [](auto& v) { return v.empty(); }))
            spec.week[0] = {{540, 1020}};
        // Window: 50 days around a DST change (March / April / October / November) or any month.
        static const int months[] = {3, 4, 10, 11, 1, 7, 9};
        const int year = std::uniform_int_distribution<int>(2021, 2026)(rng);
        const int month = months[std::uniform_int_distribution<int>(0, 6)(rng)];
        const std::int64_t day0 = std::chrono::sys_days(std::chrono::year{year} / month / 1).time_since_epoch().count() - 10;
        const std::int64_t ndays = 50;
        std::uniform_int_distribution<std::int64_t> dayd(day0, day0 + ndays);
        for (int i = 0; i < 6; ++i) {
            RefHoliday h;
            if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
                h.full = false;
                h.closed = random_intervals(rng, 2);
                if (h.closed.empty()) h.closed = {{720, 1440}};
            }
            spec.one_off[dayd(rng)] = h;
        }
        for (int i = 0; i < 2; ++i) {
            const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(dayd(rng)))};
            spec.recurring[{int(unsigned(ymd.month())), int(unsigned(ymd.day()))}] = RefHoliday{};
        }
        for (int i = 0; i < 4; ++i) {
            const auto d = dayd(rng);
            if (spec.one_off.count(d)) continue;
            auto hours = random_intervals(rng, 2);
            if (hours.empty()) hours = {{480, 720}};
            spec.working[d] = hours;
        }
        INFO("calendar " << spec.json());
        const auto cal = Calendar::from_json(spec.json());
        const std::int64_t t0 = (day0 - 2) * 86400;  // UTC midnight two days before, covers any offset
        const std::int64_t minutes = (ndays + 4) * 1440;
        const Reference ref(spec, t0, minutes);

        // is_open on every minute of the window; business_between against counted minutes.
        std::int64_t open_total = 0;
        for (std::int64_t i = 0; i < minutes; ++i) {
            const auto t = ck::Timestamp::from_unix_seconds(t0 + i * 60);
            const bool o = cal.is_open(t);
            if (o != ref.open[static_cast<std::size_t>(i)]) {
                FAIL_CHECK("is_open mismatch at " << fmt(t) << ": ours " << o);
                break;
            }
            open_total += o;
        }
        CHECK(cal.business_between(ck::Timestamp::from_unix_seconds(t0), ck::Timestamp::from_unix_seconds(t0 + minutes * 60)) ==
              std::chrono::minutes(open_total));
        std::uniform_int_distribution<std::int64_t> inst(0, minutes / 2);
        std::uniform_int_distribution<std::int64_t> dur(0, 3000);
        for (int k = 0; k < 150; ++k) {
            const std::int64_t a = t0 + inst(rng) * 60;
            const std::int64_t d = k % 10 == 0 ? 1 : dur(rng);
            const auto ta = ck::Timestamp::from_unix_seconds(a);
            const std::int64_t r = ref.add(a, d);
            if (r >= 0) {
                const auto got = cal.add(ta, std::chrono::minutes(d));
                INFO("add " << fmt(ta) << " + " << d << " min");
                CHECK(got.unix_seconds() == r);
                CHECK(cal.business_between(ta, got) == std::chrono::minutes(d));
            }
            const std::int64_t b = a + inst(rng) * 60;
            CHECK(cal.business_between(ta, ck::Timestamp::from_unix_seconds(b)) == std::chrono::minutes(ref.between(a, b)));
            CHECK(cal.business_between(ck::Timestamp::from_unix_seconds(b), ta) == -std::chrono::minutes(ref.between(a, b)));
            const std::int64_t n = ref.next_open(a);
            if (n >= 0) CHECK(cal.next_open(ta).unix_seconds() == n);
            ++checks;
        }
    }
    CHECK(checks == 36 * 150);
}

TEST_CASE("calendar: the bundled mainland China 2024–2025 calendar (holidays and 调休)", "[calendar]") {
    std::ifstream in(std::string(CK_SOURCE_DIR) + "/examples/data/calendar-cn-2024-2025.json");
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!have_zone("Asia/Shanghai")) text.replace(text.find("Asia/Shanghai"), 13, "CST-8");
    const auto cal = Calendar::from_json(text);
    // Spring Festival 2025: 28 Jan – 4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked.
    CHECK(cal.is_open(parse_timestamp("2025-01-26T10:00+08:00")));
    CHECK_FALSE(cal.is_open(parse_timestamp("2025-01-28T10:00+08:00")));
    CHECK(cal.is_open(parse_timestamp("2025-02-08T10:00+08:00")));
    // Received Monday 27 Jan 17:30, one business day (480 min): 30 min that day, then Wednesday 5 Feb.
    CHECK(fmt(cal.add(parse_timestamp("2025-01-27T17:30+08:00"), 480min)) == "2025-02-05T17:30:00+08:00");
    // National Day 2024: Sunday 29 Sep worked, 1–7 Oct off, Saturday 12 Oct worked.
    CHECK(fmt(cal.end_of_business_day(parse_timestamp("2024-09-28T15:00+08:00"))) == "2024-09-29T18:00:00+08:00");
    CHECK(cal.business_between(parse_timestamp("2024-09-28T00:00+08:00"), parse_timestamp("2024-10-14T00:00+08:00")) ==
          std::chrono::hours(7 * 8));  // 29 Sep, 30 Sep, 8–11 Oct, 12 Oct
}
