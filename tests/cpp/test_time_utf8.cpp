#include <catch2/catch.hpp>

#include <cstdio>

#include <complaintkit/error.hpp>
#include <complaintkit/time.hpp>
#include <complaintkit/utf8.hpp>

using namespace ck;

static std::string err_of(std::string_view s) {
    try {
        parse_timestamp(s);
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_value);
        return e.what();
    }
    return "no error";
}

TEST_CASE("ISO-8601 timestamps parse to the right instant and keep their offset", "[time]") {
    auto t = parse_timestamp("2024-03-05T17:12:00+08:00");
    CHECK(t.unix_seconds() == 1709629920);
    CHECK(t.offset_minutes == 480);
    CHECK(format_timestamp(t) == "2024-03-05T17:12:00+08:00");
    CHECK(parse_timestamp("2024-03-05T09:12:00Z").utc == t.utc);
    CHECK(parse_timestamp("2024-03-05T09:12:00Z") < parse_timestamp("2024-03-05T17:12:01+08:00"));
    CHECK(format_timestamp(parse_timestamp("2024-03-05T09:12Z")) == "2024-03-05T09:12:00Z");
    CHECK(format_timestamp(parse_timestamp("2024-03-05")) == "2024-03-05T00:00:00Z");
    CHECK(format_timestamp(parse_timestamp("2024-03-05T09:12:00.5Z")) == "2024-03-05T09:12:00.500Z");
    CHECK(format_timestamp(parse_timestamp("2024-03-05T09:12:00.123456-05:00")) == "2024-03-05T09:12:00.123456-05:00");
    CHECK(format_timestamp(parse_timestamp("1999-12-31T23:59:59-0330")) == "1999-12-31T23:59:59-03:30");
    CHECK(parse_timestamp("2024-02-29T00:00Z").unix_seconds() == 1709164800);
    CHECK(parse_timestamp("1969-12-31T23:59:59Z").unix_seconds() == -1);
    CHECK(format_timestamp(parse_timestamp("1969-12-31T23:59:59.25Z")) == "1969-12-31T23:59:59.250Z");
    CHECK(format_timestamp(Timestamp::from_unix_seconds(0)) == "1970-01-01T00:00:00Z");
}

TEST_CASE("format_timestamp writes what printf writes, for every kind of instant and offset", "[time]") {
    using namespace std::chrono;
    // The reference: the same fields through printf.
    const auto printf_str = [](const char* format, auto... args) {
        char buf[96];
        return std::string(buf, static_cast<std::size_t>(std::snprintf(buf, sizeof buf, format, args...)));
    };
    const auto reference = [&](const Timestamp& t) {
        const auto local = t.utc + minutes(t.offset_minutes);
        const auto day = floor<days>(local);
        const year_month_day ymd{day};
        const long long us = duration_cast<microseconds>(local - day).count();
        const long long secs = us / 1000000, frac = us % 1000000;
        std::string out = printf_str("%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(ymd.year()),
                                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), secs / 3600,
                                     (secs / 60) % 60, secs % 60);
        if (frac && frac % 1000 == 0) out += printf_str(".%03lld", frac / 1000);
        else if (frac) out += printf_str(".%06lld", frac);
        const int o = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
        if (t.offset_minutes == 0) out += 'Z';
        else out += printf_str("%c%02d:%02d", t.offset_minutes < 0 ? '-' : '+', o / 60, o % 60);
        return out;
    };
    std::uint64_t x = 0x9E3779B97F4A7C15ull;
    const auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    // From before year 0 to after year 9999 (those two take the general path), in µs.
    const std::int64_t lo = -62198755200LL * 1000000 - 86400LL * 400 * 1000000, hi = 253402300800LL * 1000000 + 86400LL * 400 * 1000000;
    for (int i = 0; i < 200000; ++i) {
        std::int64_t us = lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo));
        switch (i % 4) {  // whole seconds, whole milliseconds, microseconds, and anything
        case 0: us -= us % 1000000; break;
        case 1: us -= us % 1000; break;
        default: break;
        }
        const auto off = static_cast<std::int16_t>(static_cast<int>(next() % 2879) - 1439);
        const Timestamp t(Micros(microseconds(us)), i % 5 == 0 ? std::int16_t{0} : off);
        INFO(us << " " << t.offset_minutes);
        REQUIRE(format_timestamp(t) == reference(t));
    }
    for (const char* s : {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999+14:00", "2000-02-29T12:00:00.010-00:01"})
        CHECK(format_timestamp(parse_timestamp(s)) == s);
}

TEST_CASE("impossible and malformed timestamps are clear errors", "[time][bad-input]") {
    CHECK_THAT(err_of("2023-02-29T10:00Z"), Catch::Contains("no such day"));
    CHECK_THAT(err_of("2024-13-01T00:00Z"), Catch::Contains("month 13"));
    CHECK_THAT(err_of("2024-04-31"), Catch::Contains("no such day"));
    CHECK_THAT(err_of("2024-01-01T24:00Z"), Catch::Contains("hour 24"));
    CHECK_THAT(err_of("2024-01-01T10:60Z"), Catch::Contains("minute 60"));
    CHECK_THAT(err_of("2024-01-01T10:00:61Z"), Catch::Contains("second 61"));
    CHECK_THAT(err_of("2024-01-01T10:00"), Catch::Contains("missing zone designator"));
    CHECK_THAT(err_of("2024-01-01T10:00+25:00"), Catch::Contains("offset"));
    CHECK_THAT(err_of("yesterday"), Catch::Contains("expected YYYY-MM-DD"));
    CHECK_THAT(err_of(""), Catch::Contains("not an ISO-8601 timestamp"));
    CHECK_THAT(err_of("2024-01-01T10:00Zjunk"), Catch::Contains("trailing"));
    CHECK_THAT(err_of("2024-01-01T10:00:00.Z"), Catch::Contains("empty fraction"));
}

TEST_CASE("UTF-8 validation", "[utf8][bad-input]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii text that is longer than eight bytes"));
    CHECK(is_valid_utf8("態度差 态度差 ｆｅｅ 🙂"));
    CHECK(utf8_invalid_offset("abc\xff") == 3u);
    CHECK(utf8_invalid_offset("abcdefghij\xc0\xaf") == 10u);        // overlong '/'
    CHECK(utf8_invalid_offset("\xed\xa0\x80") == 0u);               // surrogate
    CHECK(utf8_invalid_offset("\xf4\x90\x80\x80") == 0u);           // > U+10FFFF
    CHECK(utf8_invalid_offset("\xe6\x80") == 0u);                   // truncated
    CHECK(utf8_invalid_offset("ok\xe6\x80\x81\x80") == 5u);         // stray continuation
    std::size_t n = 0;
    CHECK(utf8_sanitize("a\xffz\xe6\x80", &n) == "a\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(n == 3);
    try {
        require_utf8("ab\x80", "/text");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_utf8);
        CHECK(std::string(e.what()) == "/text: invalid UTF-8 at byte 2");
    }
}

TEST_CASE("UTF-8 validation: every 3-byte sequence inside a run of CJK text", "[utf8][bad-input]") {
    // Reference: decode the code point and apply RFC 3629 (no overlong forms, no surrogates).
    const auto valid3 = [](unsigned b0, unsigned b1, unsigned b2) {
        if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return false;
        const unsigned cp = ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
        return cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
    };
    const std::string run = "态度很差态度很差";  // 3-byte sequences before and after the probe
    std::size_t checked = 0;
    for (unsigned b0 = 0xE0; b0 <= 0xEF; ++b0)
        for (unsigned b1 = 0x00; b1 <= 0xFF; b1 += 0x11)
            for (unsigned b2 : {0x00u, 0x7Fu, 0x80u, 0x9Fu, 0xA0u, 0xBFu, 0xC0u, 0xFFu}) {
                const std::string probe{static_cast<char>(b0), static_cast<char>(b1), static_cast<char>(b2)};
                const std::string text = run + probe + run;
                const auto bad = utf8_invalid_offset(text);
                INFO(std::hex << b0 << ' ' << b1 << ' ' << b2);
                if (valid3(b0, b1, b2)) CHECK_FALSE(bad);
                else CHECK(bad == run.size());
                ++checked;
            }
    CHECK(checked == 16 * 16 * 8);
    // A sequence cut off by the end of the text, after a run.
    CHECK(utf8_invalid_offset(run + "\xe6\x80") == run.size());
    CHECK(utf8_invalid_offset(run + "\xe6") == run.size());
}
