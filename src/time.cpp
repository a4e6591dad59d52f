#include <complaintkit/error.hpp>
#include <complaintkit/time.hpp>

#include <cstdio>

namespace ck {
namespace {

using namespace std::chrono;

struct Cursor {
    std::string_view s;
    std::size_t i = 0;
    [[nodiscard]] bool done() const { return i >= s.size(); }
    [[nodiscard]] char peek() const { return done() ? '\0' : s[i]; }
    bool digits(int n, int& out) {
        if (i + static_cast<std::size_t>(n) > s.size()) return false;
        int v = 0;
        for (int k = 0; k < n; ++k) {
            char c = s[i + static_cast<std::size_t>(k)];
            if (c < '0' || c > '9') return false;
            v = v * 10 + (c - '0');
        }
        i += static_cast<std::size_t>(n);
        out = v;
        return true;
    }
    bool lit(char c) {
        if (peek() != c) return false;
        ++i;
        return true;
    }
};

[[noreturn]] void bad(std::string_view text, const std::string& why) {
    std::string shown(text.substr(0, 64));
    throw Error(ErrorCode::invalid_value,
                "not an ISO-8601 timestamp: \"" + shown + "\"" + (why.empty() ? "" : " (" + why + ")"));
}

}  // namespace

Timestamp parse_timestamp(std::string_view text) {
    Cursor c{text};
    int Y, M, D;
    if (!c.digits(4, Y) || !c.lit('-') || !c.digits(2, M) || !c.lit('-') || !c.digits(2, D))
        bad(text, "expected YYYY-MM-DD");
    if (M < 1 || M > 12) bad(text, "month " + std::to_string(M));
    const year_month_day ymd{year{Y}, month{static_cast<unsigned>(M)}, day{static_cast<unsigned>(D)}};
    if (!ymd.ok()) bad(text, "no such day");
    if (c.done()) return Timestamp(Micros(sys_days(ymd)), 0);
    if (!(c.lit('T') || c.lit('t') || c.lit(' '))) bad(text, "expected 'T' after the date");
    int h, m, sec = 0;
    if (!c.digits(2, h) || !c.lit(':') || !c.digits(2, m)) bad(text, "expected hh:mm");
    if (h > 23) bad(text, "hour " + std::to_string(h));
    if (m > 59) bad(text, "minute " + std::to_string(m));
    long long frac_us = 0;
    if (c.lit(':')) {
        if (!c.digits(2, sec)) bad(text, "expected seconds");
        if (sec > 59) bad(text, "second " + std::to_string(sec));  // leap seconds are not represented
        if (c.lit('.') || c.lit(',')) {
            int ndig = 0;
            long long scale = 100000;
            while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
                if (ndig < 6) frac_us += (c.peek() - '0') * scale;
                scale /= 10;
                ++ndig;
                ++c.i;
            }
            if (ndig == 0) bad(text, "empty fraction of a second");
            if (ndig > 9) bad(text, "more than nanosecond precision");
            // Only microsecond precision is kept: a finer fraction must be zero beyond it
            // for the round-trip to be exact.
        }
    }
    int offset = 0;
    if (c.lit('Z') || c.lit('z')) {
        offset = 0;
    } else if (c.peek() == '+' || c.peek() == '-') {
        const int sign = c.peek() == '-' ? -1 : 1;
        ++c.i;
        int oh, om = 0;
        if (!c.digits(2, oh)) bad(text, "bad UTC offset");
        if (c.lit(':')) {
            if (!c.digits(2, om)) bad(text, "bad UTC offset");
        } else if (!c.done()) {
            if (!c.digits(2, om)) bad(text, "bad UTC offset");
        }
        if (oh > 23 || om > 59) bad(text, "UTC offset out of range");
        offset = sign * (oh * 60 + om);
    } else {
        bad(text, c.done() ? "missing zone designator (Z or ±hh:mm)" : "unexpected character");
    }
    if (!c.done()) bad(text, "trailing characters");
    const auto local = sys_days(ymd) + hours(h) + minutes(m) + seconds(sec) + microseconds(frac_us);
    return Timestamp(Micros(local - minutes(offset)), static_cast<std::int16_t>(offset));
}

namespace {

/// The general formatter (any year, any offset): printf.
std::string format_timestamp_printf(const Timestamp& t) {
    const auto local = t.utc + minutes(t.offset_minutes);
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const auto tod = local - day;
    const long long us = duration_cast<microseconds>(tod).count();
    const long long secs = us / 1000000, frac = us % 1000000;
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                          (secs / 60) % 60, secs % 60);
    std::string out(buf, static_cast<std::size_t>(n));
    if (frac != 0) {
        if (frac % 1000 == 0)
            n = std::snprintf(buf, sizeof buf, ".%03lld", frac / 1000);
        else
            n = std::snprintf(buf, sizeof buf, ".%06lld", frac);
        out.append(buf, static_cast<std::size_t>(n));
    }
    if (t.offset_minutes == 0) {
        out += 'Z';
    } else {
        const int o = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
        n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", t.offset_minutes < 0 ? '-' : '+', o / 60, o % 60);
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

}  // namespace

// Timestamps are written for every event and deadline an archive stores (an SLA snapshot
// holds several): digits are written directly, about a twentieth of printf's cost; years
// outside 0000–9999 and offsets of 100 hours or more take the printf path.
std::string format_timestamp(const Timestamp& t) {
    const auto local = t.utc + minutes(t.offset_minutes);
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    const int off = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
    if (year < 0 || year > 9999 || off >= 100 * 60) return format_timestamp_printf(t);
    const auto us = static_cast<unsigned long long>(duration_cast<microseconds>(local - day).count());
    const unsigned secs = static_cast<unsigned>(us / 1000000);
    unsigned frac = static_cast<unsigned>(us % 1000000);
    char buf[40];
    char* p = buf;
    const auto two = [&p](unsigned v) {
        *p++ = static_cast<char>('0' + v / 10);
        *p++ = static_cast<char>('0' + v % 10);
    };
    two(static_cast<unsigned>(year) / 100);
    two(static_cast<unsigned>(year) % 100);
    *p++ = '-';
    two(static_cast<unsigned>(ymd.month()));
    *p++ = '-';
    two(static_cast<unsigned>(ymd.day()));
    *p++ = 'T';
    two(secs / 3600);
    *p++ = ':';
    two(secs / 60 % 60);
    *p++ = ':';
    two(secs % 60);
    if (frac != 0) {
        int digits = 6;
        if (frac % 1000 == 0) {
            frac /= 1000;
            digits = 3;
        }
        *p++ = '.';
        for (int i = digits - 1; i >= 0; --i, frac /= 10) p[i] = static_cast<char>('0' + frac % 10);
        p += digits;
    }
    if (t.offset_minutes == 0) {
        *p++ = 'Z';
    } else {
        *p++ = t.offset_minutes < 0 ? '-' : '+';
        two(static_cast<unsigned>(off) / 60);
        *p++ = ':';
        two(static_cast<unsigned>(off) % 60);
    }
    return std::string(buf, static_cast<std::size_t>(p - buf));
}

}  // namespace ck
