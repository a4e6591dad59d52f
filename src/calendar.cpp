// complaintkit — business calendars (see calendar.hpp).
//
// The calendar is compiled once into a sorted list of business intervals in UTC
// microseconds, one list entry per (local date, opening interval) piece, with a prefix
// sum of business time. Every operation is then a binary search: is_open, next_open,
// add and business_between are O(log n) whatever the distance. The semantics are those
// of wall time: an instant is open when its local time (in the zone, at that instant)
// lies inside an opening interval of its local date. So on a spring-forward day the
// skipped hour is never open, and on a fall-back day a repeated open hour counts twice.
#include <complaintkit/calendar.hpp>
#include <complaintkit/error.hpp>

#include "json_internal.hpp"

#include <boost/date_time/local_time/local_time.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>

namespace ck {

namespace {

constexpr std::int64_t kUsPerSec = 1'000'000;
constexpr std::int64_t kUsPerMin = 60 * kUsPerSec;
constexpr std::int64_t kSecPerDay = 86'400;

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
    using namespace std::chrono;
    return sys_days(year{y} / month{m} / day{d}).time_since_epoch().count();
}
std::chrono::year_month_day civil_from_days(std::int64_t z) {
    return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(z)));
}
bool valid_date(int y, unsigned m, unsigned d) {
    return std::chrono::year_month_day(std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}).ok();
}
/// 0 = Monday … 6 = Sunday.
int weekday_of(std::int64_t days) {
    const std::int64_t w = (days + 3) % 7;  // 1970-01-01 was a Thursday (3)
    return static_cast<int>(w < 0 ? w + 7 : w);
}
constexpr std::array<const char*, 7> kWeekdays{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string two(int v) {
    char b[16];
    std::snprintf(b, sizeof b, "%02d", v);
    return b;
}
std::string hhmm(int minutes) { return two(minutes / 60) + ":" + two(minutes % 60); }
std::string date_text(std::int64_t days) {
    const auto ymd = civil_from_days(days);
    char b[16];
    std::snprintf(b, sizeof b, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return b;
}

// ---------------------------------------------------------------- time zones

std::int32_t parse_fixed_offset(std::string_view s, bool& ok) {
    // "+08:00", "-0530", "+8", "+08"
    ok = false;
    if (s.empty() || (s[0] != '+' && s[0] != '-')) return 0;
    const int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int h = 0, m = 0;
    std::size_t i = 0;
    auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    if (!digit(0)) return 0;
    h = s[i++] - '0';
    if (digit(i)) h = h * 10 + (s[i++] - '0');
    if (i < s.size()) {
        if (s[i] == ':') ++i;
        if (!(digit(i) && digit(i + 1)) || i + 2 != s.size()) return 0;
        m = (s[i] - '0') * 10 + (s[i + 1] - '0');
    }
    if (h > 18 || m > 59) return 0;
    ok = true;
    return sign * (h * 3600 + m * 60);
}

std::uint32_t be32(const unsigned char* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::int64_t be64(const unsigned char* p) {
    return static_cast<std::int64_t>((std::uint64_t(be32(p)) << 32) | be32(p + 4));
}

}  // namespace

struct TimeZoneBuilder {
    static void posix_rules(TimeZone& z, const std::string& spec, int first_year, int last_year,
                            std::int64_t after = INT64_MIN) {
        // POSIX grammar check first: Boost accepts a name without an offset ("EST") as UTC.
        if (!looks_posix(spec)) throw Error(ErrorCode::invalid_value, "unknown time zone \"" + spec + "\"");
        // Boost does not read quoted names (<+0330>): substitute plain letters for them.
        std::string plain;
        int quoted = 0;
        for (std::size_t i = 0; i < spec.size(); ++i) {
            if (spec[i] == '<') {
                const auto j = spec.find('>', i);
                plain += quoted++ ? "QQB" : "QQA";
                i = j;
            } else {
                plain += spec[i];
            }
        }
        return posix_plain(z, spec, plain, first_year, last_year, after);
    }

    static bool looks_posix(const std::string& spec) {
        static const std::regex re(
            R"(^([A-Za-z]{3,}|<[A-Za-z0-9+-]{1,}>)[+-]?\d{1,2}(:\d{2}){0,2}(([A-Za-z]{3,}|<[A-Za-z0-9+-]{1,}>)([+-]?\d{1,2}(:\d{2}){0,2})?(,(M\d{1,2}\.\d\.\d|J?\d{1,3})(/[+-]?\d{1,3}(:\d{2}){0,2})?,(M\d{1,2}\.\d\.\d|J?\d{1,3})(/[+-]?\d{1,3}(:\d{2}){0,2})?)?)?$)");
        return std::regex_match(spec, re);
    }

    static void posix_plain(TimeZone& z, const std::string& spec, const std::string& plain, int first_year, int last_year,
                            std::int64_t after) {
        std::unique_ptr<boost::local_time::posix_time_zone> tz;
        try {
            tz = std::make_unique<boost::local_time::posix_time_zone>(plain);
        } catch (const std::exception& e) {
            throw Error(ErrorCode::invalid_value, "unknown time zone \"" + spec + "\" (" + e.what() + ")");
        }
        // Boost keeps the POSIX sign (hours west); offsets here are seconds east.
        const std::int32_t std_off = -static_cast<std::int32_t>(tz->base_utc_offset().total_seconds());
        if (after == INT64_MIN) z.initial_ = std_off;
        if (!tz->has_dst()) return;
        const std::int32_t dst_off = std_off + static_cast<std::int32_t>(tz->dst_offset().total_seconds());
        const boost::posix_time::ptime epoch(boost::gregorian::date(1970, 1, 1));
        std::vector<std::pair<std::int64_t, std::int32_t>> tr;
        for (int y = first_year; y <= last_year; ++y) {
            const auto s = tz->dst_local_start_time(static_cast<unsigned short>(y));
            const auto e = tz->dst_local_end_time(static_cast<unsigned short>(y));
            // Local start is in standard time, local end in daylight time.
            tr.emplace_back((s - epoch).total_seconds() - std_off, dst_off);
            tr.emplace_back((e - epoch).total_seconds() - dst_off, std_off);
        }
        std::sort(tr.begin(), tr.end());
        for (const auto& [t, o] : tr) {
            if (t <= after) continue;
            const std::int32_t prev = z.off_.empty() ? z.initial_ : z.off_.back();
            if (o == prev) continue;
            z.at_.push_back(t);
            z.off_.push_back(o);
        }
    }

    static bool tzif(TimeZone& z, const std::string& name, int first_year, int last_year) {
        // Only plain relative names below the zone directory.
        static const std::regex re(R"(^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$)");
        if (!std::regex_match(name, re)) return false;
        const char* dir = std::getenv("TZDIR");
        const std::string path = std::string(dir && *dir ? dir : "/usr/share/zoneinfo") + "/" + name;
        std::ifstream in(path, std::ios::binary);
        if (!in) return false;
        std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto bad = [&]() -> bool {
            throw Error(ErrorCode::invalid_value, "time zone \"" + name + "\": " + path + " is not a valid TZif file");
        };
        if (data.size() < 44 || std::string_view(reinterpret_cast<const char*>(data.data()), 4) != "TZif") return bad();
        const unsigned char version = data[4];
        std::size_t pos = 0;
        auto counts = [&](std::size_t p, std::array<std::uint32_t, 6>& c) {
            if (p + 44 > data.size()) bad();
            for (int i = 0; i < 6; ++i) c[static_cast<std::size_t>(i)] = be32(&data[p + 20 + 4 * static_cast<std::size_t>(i)]);
        };
        std::array<std::uint32_t, 6> c{};  // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        counts(0, c);
        int tsize = 4;
        if (version >= '2') {
            pos = 44 + c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
            counts(pos, c);
            tsize = 8;
        }
        std::size_t p = pos + 44;
        const std::size_t need = c[3] * (tsize + 1) + c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
        if (p + need > data.size() || c[4] == 0) return bad();
        std::vector<std::int64_t> times(c[3]);
        for (std::size_t i = 0; i < c[3]; ++i)
            times[i] = tsize == 8 ? be64(&data[p + i * 8]) : static_cast<std::int32_t>(be32(&data[p + i * 4]));
        p += c[3] * tsize;
        std::vector<unsigned char> idx(data.begin() + static_cast<std::ptrdiff_t>(p),
                                       data.begin() + static_cast<std::ptrdiff_t>(p + c[3]));
        p += c[3];
        std::vector<std::int32_t> utoff(c[4]);
        std::vector<bool> isdst(c[4]);
        for (std::size_t i = 0; i < c[4]; ++i) {
            utoff[i] = static_cast<std::int32_t>(be32(&data[p + i * 6]));
            isdst[i] = data[p + i * 6 + 4] != 0;
        }
        p += c[4] * 6 + c[5] + c[2] * (tsize + 4) + c[1] + c[0];
        for (unsigned char k : idx)
            if (k >= c[4]) return bad();
        // Initial offset: the first standard-time type (RFC 8536 §3.2), else type 0.
        z.initial_ = utoff[0];
        for (std::size_t i = 0; i < c[4]; ++i)
            if (!isdst[i]) { z.initial_ = utoff[i]; break; }
        for (std::size_t i = 0; i < times.size(); ++i) {
            const std::int32_t o = utoff[idx[i]];
            const std::int32_t prev = z.off_.empty() ? z.initial_ : z.off_.back();
            if (o == prev) continue;
            z.at_.push_back(times[i]);
            z.off_.push_back(o);
        }
        // Footer (v2+): "\nPOSIX-TZ\n" for instants after the last transition.
        if (tsize == 8 && p < data.size() && data[p] == '\n') {
            const auto end = std::find(data.begin() + static_cast<std::ptrdiff_t>(p) + 1, data.end(), '\n');
            const std::string footer(data.begin() + static_cast<std::ptrdiff_t>(p) + 1, end);
            if (!footer.empty()) {
                const std::int64_t last = times.empty() ? INT64_MIN + 1 : times.back();
                TimeZone f;
                try {
                    posix_rules(f, footer, first_year, last_year);
                } catch (const Error&) {
                    return true;  // a footer Boost cannot read: keep the explicit transitions
                }
                if (times.empty()) z.initial_ = f.initial_;
                for (std::size_t i = 0; i < f.at_.size(); ++i) {
                    if (f.at_[i] <= last) continue;
                    const std::int32_t prev = z.off_.empty() ? z.initial_ : z.off_.back();
                    if (f.off_[i] == prev) continue;
                    z.at_.push_back(f.at_[i]);
                    z.off_.push_back(f.off_[i]);
                }
            }
        }
        return true;
    }
};

TimeZone::TimeZone() : spec_("UTC") {}

TimeZone TimeZone::from_spec(std::string_view spec_in, int first_year, int last_year) {
    TimeZone z;
    const std::string spec(spec_in);
    z.spec_ = spec;
    if (spec.empty()) throw Error(ErrorCode::invalid_value, "time zone must not be empty");
    if (spec == "UTC" || spec == "Z" || spec == "GMT" || spec == "Etc/UTC") return z;
    bool ok = false;
    std::string_view off = spec;
    if (off.starts_with("UTC") || off.starts_with("GMT")) off.remove_prefix(3);
    const std::int32_t fixed = parse_fixed_offset(off, ok);
    if (ok) {
        z.initial_ = fixed;
        return z;
    }
    if (TimeZoneBuilder::tzif(z, spec, first_year - 1, last_year + 1)) return z;
    if (spec.find('/') != std::string::npos && !TimeZoneBuilder::looks_posix(spec))
        throw Error(ErrorCode::invalid_value, "unknown time zone \"" + spec + "\" (no such zone in the platform's zone data)");
    TimeZoneBuilder::posix_rules(z, spec, first_year - 1, last_year + 1);
    return z;
}

std::int32_t TimeZone::offset_at(std::int64_t utc_seconds) const noexcept {
    const auto it = std::upper_bound(at_.begin(), at_.end(), utc_seconds);
    if (it == at_.begin()) return initial_;
    return off_[static_cast<std::size_t>(it - at_.begin() - 1)];
}

// ---------------------------------------------------------------- calendar

struct Calendar::Impl {
    TimeZone zone;
    int first_year = 1970, last_year = 2100;
    std::int64_t first_day = 0;  ///< days since epoch of first_year-01-01
    // Business intervals in UTC microseconds, sorted, disjoint.
    std::vector<std::int64_t> start, end, cum_end;  ///< cum_end[i] = business time up to end[i]
    std::vector<std::int32_t> day;                   ///< local day index of each interval
    std::vector<DayKind> kind;                       ///< per local day
    std::vector<std::int16_t> name_of_day;           ///< index into names or -1
    std::vector<std::string> names;
    std::int64_t lo_us = 0, hi_us = 0;               ///< covered instants [lo, hi)

    [[nodiscard]] std::int64_t us(Timestamp t) const {
        const std::int64_t v = t.utc.time_since_epoch().count();
        if (v < lo_us || v >= hi_us)
            throw Error(ErrorCode::invalid_value, format_timestamp(t) + " is outside the calendar's years " +
                                                      std::to_string(first_year) + "–" + std::to_string(last_year));
        return v;
    }
    [[nodiscard]] Timestamp ts(std::int64_t v) const {
        const auto off = zone.offset_at(v >= 0 ? v / kUsPerSec : -((-v + kUsPerSec - 1) / kUsPerSec));
        return Timestamp(Micros(std::chrono::microseconds(v)), static_cast<std::int16_t>(off / 60));
    }
    /// Index of the last interval starting at or before v, or -1.
    [[nodiscard]] std::ptrdiff_t at_or_before(std::int64_t v) const {
        return std::upper_bound(start.begin(), start.end(), v) - start.begin() - 1;
    }
    /// Business time from the calendar's start up to v.
    [[nodiscard]] std::int64_t cum(std::int64_t v) const {
        const auto i = at_or_before(v);
        if (i < 0) return 0;
        const auto k = static_cast<std::size_t>(i);
        const std::int64_t before = cum_end[k] - (end[k] - start[k]);
        return before + std::min(v, end[k]) - start[k];
    }
};

namespace {

struct Holiday {
    bool full = true;
    std::vector<std::pair<int, int>> closed;  ///< minutes, when partial
    std::int16_t name = -1;
};
struct WorkingDay {
    std::vector<std::pair<int, int>> hours;
    std::int16_t name = -1;
};

int parse_clock(const detail::Node& n) {
    const std::string s = n.str();
    if (s.size() == 5 && s[2] == ':' && std::isdigit(static_cast<unsigned char>(s[0])) &&
        std::isdigit(static_cast<unsigned char>(s[1])) && std::isdigit(static_cast<unsigned char>(s[3])) &&
        std::isdigit(static_cast<unsigned char>(s[4]))) {
        const int h = (s[0] - '0') * 10 + (s[1] - '0');
        const int m = (s[3] - '0') * 10 + (s[4] - '0');
        if ((h < 24 && m < 60) || (h == 24 && m == 0)) return h * 60 + m;
    }
    n.fail(ErrorCode::invalid_value, "invalid time of day \"" + s + "\" (expected hh:mm, 00:00–24:00)");
}

std::vector<std::pair<int, int>> parse_intervals(const detail::Node& n) {
    std::vector<std::pair<int, int>> out;
    const auto& a = n.array();
    for (std::size_t i = 0; i < a.size(); ++i) {
        const detail::Node item = n.at(i);
        const auto& pair = item.array();
        if (pair.size() != 2) item.fail(ErrorCode::invalid_value, "an interval is [\"hh:mm\", \"hh:mm\"]");
        const int s = parse_clock(item.at(0)), e = parse_clock(item.at(1));
        if (e <= s)
            item.fail(ErrorCode::invalid_value,
                      "interval end " + hhmm(e) + " is not after its start " + hhmm(s) + " (inverted or empty)");
        for (const auto& [ps, pe] : out)
            if (s < pe && ps < e)
                item.fail(ErrorCode::invalid_value, "interval " + hhmm(s) + "–" + hhmm(e) + " overlaps " + hhmm(ps) + "–" +
                                                        hhmm(pe));
        out.emplace_back(s, e);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::int64_t parse_date(const detail::Node& n, int& y, unsigned& m, unsigned& d) {
    const std::string s = n.str();
    int yy = 0;
    unsigned mm = 0, dd = 0;
    char tail = 0;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &yy, &mm, &dd, &tail) != 3)
        n.fail(ErrorCode::invalid_value, "invalid date \"" + s + "\" (expected YYYY-MM-DD)");
    if (!valid_date(yy, mm, dd)) n.fail(ErrorCode::invalid_value, "invalid date " + s + " (no such day)");
    y = yy;
    m = mm;
    d = dd;
    return days_from_civil(yy, mm, dd);
}

}  // namespace

Calendar::Calendar()
    : Calendar(from_json(R"({"zone":"CST-8","hours":{"mon":[["09:00","12:00"],["13:00","18:00"]],)"
                         R"("tue":[["09:00","12:00"],["13:00","18:00"]],"wed":[["09:00","12:00"],["13:00","18:00"]],)"
                         R"("thu":[["09:00","12:00"],["13:00","18:00"]],"fri":[["09:00","12:00"],["13:00","18:00"]]}})")) {}

Calendar Calendar::from_json(std::string_view text) {
    const auto v = detail::parse_json(text);
    detail::Node root{&v, ""};
    if (!v.is_object()) root.fail(ErrorCode::invalid_value, "a calendar is a JSON object");
    detail::ObjectIn o(root);
    auto impl = std::make_shared<Impl>();

    if (auto y = o.opt("years")) {
        const auto& a = y->array();
        if (a.size() != 2) y->fail(ErrorCode::invalid_value, "years is [first, last]");
        const auto f = y->at(0).int64(), l = y->at(1).int64();
        if (f < 1900 || l > 2200 || f > l) y->fail(ErrorCode::invalid_value, "years must satisfy 1900 ≤ first ≤ last ≤ 2200");
        impl->first_year = static_cast<int>(f);
        impl->last_year = static_cast<int>(l);
    }
    {
        const auto zn = o.req("zone");
        try {
            impl->zone = TimeZone::from_spec(zn.str(), impl->first_year, impl->last_year);
        } catch (const Error& e) {
            if (!e.path().empty()) throw;
            throw Error(e.code(), e.message(), zn.path);
        }
    }
    std::array<std::vector<std::pair<int, int>>, 7> week;
    {
        const auto h = o.req("hours");
        if (!(*h).is_object()) h.fail(ErrorCode::invalid_value, "hours is an object keyed mon … sun");
        detail::ObjectIn ho(h);
        for (std::size_t i = 0; i < 7; ++i)
            if (auto d = ho.opt(kWeekdays[i])) week[i] = parse_intervals(*d);
        ho.reject_unknown();
    }
    auto add_name = [&](detail::ObjectIn& x) -> std::int16_t {
        if (auto n = x.opt("name")) {
            impl->names.push_back(n->str());
            return static_cast<std::int16_t>(impl->names.size() - 1);
        }
        return -1;
    };
    std::map<std::int64_t, Holiday> one_off;
    std::map<std::pair<unsigned, unsigned>, Holiday> recurring;
    std::map<std::int64_t, WorkingDay> working;
    if (auto hs = o.opt("holidays")) {
        const auto& a = hs->array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto item = hs->at(i);
            if (!(*item).is_object()) item.fail(ErrorCode::invalid_value, "a holiday is an object");
            detail::ObjectIn ho(item);
            Holiday h;
            h.name = add_name(ho);
            auto date = ho.opt("date");
            auto md = ho.opt("month_day");
            if (auto cl = ho.opt("closed")) {
                h.full = false;
                h.closed = parse_intervals(*cl);
                if (h.closed.empty()) cl->fail(ErrorCode::invalid_value, "closed lists at least one interval");
            }
            ho.reject_unknown();
            if (date && md) item.fail(ErrorCode::invalid_value, "a holiday has either date or month_day, not both");
            if (date) {
                int y;
                unsigned m, d;
                const auto days = parse_date(*date, y, m, d);
                if (!one_off.emplace(days, h).second)
                    date->fail(ErrorCode::invalid_value, "holiday " + date->str() + " is listed twice");
            } else if (md) {
                const std::string s = md->str();
                unsigned m = 0, d = 0;
                char tail = 0;
                if (s.size() != 5 || s[2] != '-' || std::sscanf(s.c_str(), "%2u-%2u%c", &m, &d, &tail) != 2 ||
                    !valid_date(2000, m, d))  // 2000 is a leap year: 02-29 is allowed
                    md->fail(ErrorCode::invalid_value, "invalid month-day \"" + s + "\" (expected MM-DD of a real date)");
                if (!recurring.emplace(std::make_pair(m, d), h).second)
                    md->fail(ErrorCode::invalid_value, "recurring holiday " + s + " is listed twice");
            } else {
                item.fail(ErrorCode::missing_field, "a holiday needs date or month_day");
            }
        }
    }
    if (auto ws = o.opt("working_days")) {
        const auto& a = ws->array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            const auto item = ws->at(i);
            if (!(*item).is_object()) item.fail(ErrorCode::invalid_value, "a working day is an object");
            detail::ObjectIn wo(item);
            WorkingDay w;
            w.name = add_name(wo);
            const auto date = wo.req("date");
            int y;
            unsigned m, d;
            const auto days = parse_date(date, y, m, d);
            auto hours = wo.opt("hours");
            auto as = wo.opt("as");
            if (hours && as) item.fail(ErrorCode::invalid_value, "a working day has either hours or as, not both");
            if (hours) {
                w.hours = parse_intervals(*hours);
                if (w.hours.empty()) hours->fail(ErrorCode::invalid_value, "a working day needs at least one interval");
            } else {
                std::string wd = as ? as->str() : "mon";
                const auto it = std::find(kWeekdays.begin(), kWeekdays.end(), wd);
                if (it == kWeekdays.end())
                    as->fail(ErrorCode::invalid_value, "unknown weekday \"" + wd + "\" (mon, tue, … sun)");
                w.hours = week[static_cast<std::size_t>(it - kWeekdays.begin())];
                if (w.hours.empty())
                    (as ? *as : item).fail(ErrorCode::invalid_value, "the working day takes the hours of " + wd +
                                                                          ", which has none");
            }
            wo.reject_unknown();
            if (auto h = one_off.find(days); h != one_off.end())
                date.fail(ErrorCode::invalid_value, date.str() + " is both a holiday and a working day");
            if (!working.emplace(days, w).second) date.fail(ErrorCode::invalid_value, "working day " + date.str() + " is listed twice");
        }
    }
    o.reject_unknown();

    // ---- compile: per local day, open local intervals → UTC pieces.
    Impl& c = *impl;
    c.first_day = days_from_civil(c.first_year, 1, 1);
    const std::int64_t last_day = days_from_civil(c.last_year + 1, 1, 1);
    c.kind.assign(static_cast<std::size_t>(last_day - c.first_day), DayKind::working);
    c.name_of_day.assign(c.kind.size(), -1);
    const auto& tr = c.zone.transitions();
    const auto& offs = c.zone.offsets_after();
    std::vector<std::pair<int, int>> open;
    std::int64_t total = 0;
    for (std::int64_t dd = c.first_day; dd < last_day; ++dd) {
        const auto idx = static_cast<std::size_t>(dd - c.first_day);
        const auto ymd = civil_from_days(dd);
        const int wd = weekday_of(dd);
        const Holiday* hol = nullptr;
        if (auto it = one_off.find(dd); it != one_off.end()) hol = &it->second;
        const WorkingDay* wk = nullptr;
        if (auto it = working.find(dd); it != working.end()) wk = &it->second;
        if (!hol && !wk) {
            if (auto it = recurring.find({static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())});
                it != recurring.end())
                hol = &it->second;
        }
        if (wk) {
            open = wk->hours;
            c.kind[idx] = DayKind::make_up;
            c.name_of_day[idx] = wk->name;
        } else {
            open = week[static_cast<std::size_t>(wd)];
            if (open.empty()) c.kind[idx] = DayKind::weekly_closed;
        }
        if (hol) {
            c.name_of_day[idx] = hol->name;
            if (hol->full) {
                open.clear();
                c.kind[idx] = DayKind::holiday;
            } else {
                c.kind[idx] = DayKind::partial_holiday;
                std::vector<std::pair<int, int>> rest;
                for (auto [s, e] : open) {
                    for (const auto& [cs, ce] : hol->closed) {
                        if (ce <= s || cs >= e) continue;
                        if (cs > s) rest.emplace_back(s, cs);
                        s = std::max(s, ce);
                        if (s >= e) break;
                    }
                    if (s < e) rest.emplace_back(s, e);
                }
                open = std::move(rest);
            }
        }
        const std::int64_t local0 = dd * kSecPerDay;
        for (const auto& [s, e] : open) {
            const std::int64_t L0 = local0 + s * 60, L1 = local0 + e * 60;
            // UTC window wide enough for any offset (±26 h).
            const std::int64_t wa = L0 - 26 * 3600, wb = L1 + 26 * 3600;
            std::size_t k = static_cast<std::size_t>(std::upper_bound(tr.begin(), tr.end(), wa) - tr.begin());
            std::int64_t seg_a = wa;
            std::int32_t off = k == 0 ? c.zone.initial_offset() : offs[k - 1];
            while (seg_a < wb) {
                const std::int64_t seg_b = k < tr.size() ? std::min(tr[k], wb) : wb;
                const std::int64_t lo = std::max(seg_a, L0 - off), hi = std::min(seg_b, L1 - off);
                if (lo < hi) {
                    const std::int64_t a_us = lo * kUsPerSec, b_us = hi * kUsPerSec;
                    if (!c.start.empty() && c.day.back() == static_cast<std::int32_t>(idx) && c.end.back() == a_us) {
                        c.end.back() = b_us;
                    } else {
                        c.start.push_back(a_us);
                        c.end.push_back(b_us);
                        c.day.push_back(static_cast<std::int32_t>(idx));
                    }
                }
                if (k >= tr.size() || tr[k] >= wb) break;
                seg_a = tr[k];
                off = offs[k];
                ++k;
            }
        }
    }
    // Pieces are disjoint by construction; a zone whose offset jumps back across local
    // midnight can emit them out of order: sort by start.
    if (!std::is_sorted(c.start.begin(), c.start.end())) {
        std::vector<std::size_t> order(c.start.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return c.start[a] < c.start[b]; });
        auto permute = [&](auto& vec) {
            auto copy = vec;
            for (std::size_t i = 0; i < order.size(); ++i) vec[i] = copy[order[i]];
        };
        permute(c.start);
        permute(c.end);
        permute(c.day);
    }
    c.cum_end.resize(c.start.size());
    for (std::size_t i = 0; i < c.start.size(); ++i) {
        total += c.end[i] - c.start[i];
        c.cum_end[i] = total;
    }
    // Covered instants: local first_year-01-01 to last_year+1-01-01, with a day's margin for offsets.
    c.lo_us = (c.first_day + 1) * kSecPerDay * kUsPerSec;
    c.hi_us = (last_day - 1) * kSecPerDay * kUsPerSec;
    return Calendar(std::move(impl));
}

bool Calendar::is_open(Timestamp t) const {
    const Impl& c = *impl_;
    const auto v = c.us(t);
    const auto i = c.at_or_before(v);
    return i >= 0 && v < c.end[static_cast<std::size_t>(i)];
}

Timestamp Calendar::next_open(Timestamp t) const {
    const Impl& c = *impl_;
    const auto v = c.us(t);
    const auto i = c.at_or_before(v);
    if (i >= 0 && v < c.end[static_cast<std::size_t>(i)]) return t;
    const auto n = static_cast<std::size_t>(i + 1);
    if (n >= c.start.size()) throw Error(ErrorCode::invalid_value, "no business hours after " + format_timestamp(t) + " within the calendar's years");
    return c.ts(c.start[n]);
}

Timestamp Calendar::add(Timestamp t, Duration d) const {
    const Impl& c = *impl_;
    const auto v = c.us(t);
    if (d.count() < 0) throw Error(ErrorCode::invalid_argument, "business duration must not be negative");
    if (d.count() == 0) return t;
    const std::int64_t target = c.cum(v) + d.count();
    const auto j = static_cast<std::size_t>(std::lower_bound(c.cum_end.begin(), c.cum_end.end(), target) - c.cum_end.begin());
    if (j >= c.start.size())
        throw Error(ErrorCode::invalid_value, "adding " + std::to_string(d.count() / kUsPerMin) + " business minutes to " +
                                                  format_timestamp(t) + " goes past the calendar's last year");
    return c.ts(c.end[j] - (c.cum_end[j] - target));
}

Calendar::Duration Calendar::business_between(Timestamp a, Timestamp b) const {
    const Impl& c = *impl_;
    return Duration(c.cum(c.us(b)) - c.cum(c.us(a)));
}

Timestamp Calendar::end_of_business_day(Timestamp t, int days_after) const {
    const Impl& c = *impl_;
    if (days_after < 0) throw Error(ErrorCode::invalid_argument, "days_after must not be negative");
    const auto v = next_open(t).utc.time_since_epoch().count();
    auto i = static_cast<std::size_t>(c.at_or_before(v));
    for (int k = 0;; ++k) {
        const auto dayi = c.day[i];
        while (i + 1 < c.start.size() && c.day[i + 1] == dayi) ++i;
        if (k == days_after) return c.ts(c.end[i]);
        if (++i >= c.start.size()) throw Error(ErrorCode::invalid_value, "no further business day within the calendar's years");
    }
}

std::vector<std::string> Calendar::explain_add(Timestamp t, Duration d) const {
    const Impl& c = *impl_;
    std::vector<std::string> out;
    const auto result = add(t, d);
    const auto v = c.us(t), r = result.utc.time_since_epoch().count();
    auto local_text = [&](std::int64_t us) {
        const auto ts = c.ts(us);
        return format_timestamp(ts);
    };
    out.push_back("start " + local_text(v) + " in zone " + c.zone.spec() + "; " + std::to_string(d.count() / kUsPerMin) +
                  " business minutes to add");
    std::int64_t remaining = d.count();
    auto i = c.at_or_before(v);
    if (i < 0 || v >= c.end[static_cast<std::size_t>(i)]) ++i;
    auto day_of = [&](std::int64_t us) {
        const std::int64_t s = us / kUsPerSec;
        const std::int64_t local = s + c.zone.offset_at(s);
        return (local >= 0 ? local : local - kSecPerDay + 1) / kSecPerDay;
    };
    std::int64_t cursor_day = day_of(v);
    static const char* kinds[] = {"working day", "closed (no weekly hours)", "holiday", "partial holiday",
                                  "make-up working day"};
    auto describe_day = [&](std::int64_t dd) {
        const auto idx = static_cast<std::size_t>(dd - c.first_day);
        std::string s = date_text(dd) + " (" + kWeekdays[static_cast<std::size_t>(weekday_of(dd))] + "): " +
                        kinds[static_cast<int>(c.kind[idx])];
        if (c.name_of_day[idx] >= 0) s += " " + c.names[static_cast<std::size_t>(c.name_of_day[idx])];
        return s;
    };
    bool described_first = false;
    while (remaining > 0 && i >= 0 && static_cast<std::size_t>(i) < c.start.size()) {
        const auto k = static_cast<std::size_t>(i);
        const std::int64_t a = std::max(v, c.start[k]);
        const std::int64_t dd = c.first_day + c.day[k];
        for (std::int64_t x = described_first ? cursor_day + 1 : cursor_day; x < dd; ++x)
            out.push_back("skip " + describe_day(x));
        if (!described_first || dd != cursor_day) out.push_back("day " + describe_day(dd));
        described_first = true;
        cursor_day = dd;
        const std::int64_t take = std::min(remaining, c.end[k] - a);
        remaining -= take;
        out.push_back("  " + local_text(a) + " – " + local_text(a + take) + ": " + std::to_string(take / kUsPerMin) +
                      " min used, " + std::to_string(remaining / kUsPerMin) + " min left");
        ++i;
    }
    out.push_back("deadline " + local_text(r));
    return out;
}

Calendar::DayKind Calendar::day_kind(int year, int month, int day, std::string* name) const {
    const Impl& c = *impl_;
    if (!valid_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day)))
        throw Error(ErrorCode::invalid_value, "invalid date");
    const auto dd = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    if (dd < c.first_day || dd - c.first_day >= static_cast<std::int64_t>(c.kind.size()))
        throw Error(ErrorCode::invalid_value, "date outside the calendar's years");
    const auto idx = static_cast<std::size_t>(dd - c.first_day);
    if (name) *name = c.name_of_day[idx] >= 0 ? c.names[static_cast<std::size_t>(c.name_of_day[idx])] : std::string();
    return c.kind[idx];
}

const TimeZone& Calendar::zone() const { return impl_->zone; }
std::int16_t Calendar::offset_minutes(Timestamp t) const {
    return static_cast<std::int16_t>(impl_->zone.offset_at(t.unix_seconds()) / 60);
}
Timestamp Calendar::local(Timestamp t) const { return Timestamp(t.utc, offset_minutes(t)); }
int Calendar::first_year() const { return impl_->first_year; }
int Calendar::last_year() const { return impl_->last_year; }

}  // namespace ck
