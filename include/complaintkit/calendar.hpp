// complaintkit — business calendars: opening hours, time zones, holidays, make-up working
// days (调休), and business-time arithmetic exact to the minute across DST changes.
//
// A Calendar is immutable once built and safe to share between threads. No Boost in this
// header (time zones are read with Boost.Date_Time in src/calendar.cpp).
#pragma once

#include <complaintkit/time.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// A time zone: the UTC offset as a step function of the instant.
/// Accepted specifications:
///  - "UTC", "Z", fixed offsets "+08:00", "-0530", "UTC+8", "UTC-03:30";
///  - POSIX TZ rule strings, e.g. "EST5EDT,M3.2.0,M11.1.0", "CST-8",
///    "<+0330>-3:30" (POSIX signs: hours *west* of Greenwich);
///  - IANA names ("America/New_York", "Asia/Shanghai") read from the platform's TZif
///    files (TZDIR or /usr/share/zoneinfo); the file's POSIX footer extends the rules
///    past its last transition.
/// Anything else is ck::Error(invalid_value, "unknown time zone …").
class TimeZone {
public:
    TimeZone();  ///< UTC
    static TimeZone from_spec(std::string_view spec, int first_year = 1970, int last_year = 2100);

    [[nodiscard]] const std::string& spec() const noexcept { return spec_; }
    /// Offset east of UTC, in seconds, in force at the instant (Unix seconds).
    [[nodiscard]] std::int32_t offset_at(std::int64_t utc_seconds) const noexcept;
    /// Transitions (Unix seconds at which a new offset starts) and the offsets after them.
    [[nodiscard]] const std::vector<std::int64_t>& transitions() const noexcept { return at_; }
    [[nodiscard]] const std::vector<std::int32_t>& offsets_after() const noexcept { return off_; }
    [[nodiscard]] std::int32_t initial_offset() const noexcept { return initial_; }

private:
    std::string spec_;
    std::int32_t initial_ = 0;
    std::vector<std::int64_t> at_;
    std::vector<std::int32_t> off_;
    friend struct TimeZoneBuilder;
};

/// Business-time calendar. JSON (see docs/workflow.md):
/// {"zone": "Asia/Shanghai",
///  "hours": {"mon": [["09:00","12:00"],["13:00","18:00"]], …, "sun": []},
///  "holidays": [{"date": "2024-10-01", "name": "国庆节"},
///               {"month_day": "12-25", "name": "Christmas"},
///               {"date": "2024-12-24", "closed": [["12:00","24:00"]]}],
///  "working_days": [{"date": "2024-10-12", "name": "国庆调休", "as": "mon"}],
///  "years": [1970, 2100]}
class Calendar {
public:
    using Duration = std::chrono::microseconds;

    /// Kind of a local date, as the calendar sees it.
    enum class DayKind : std::uint8_t { working = 0, weekly_closed = 1, holiday = 2, partial_holiday = 3, make_up = 4 };

    /// Mon–Fri 09:00–12:00 and 13:00–18:00 in China Standard Time ("CST-8"), no holidays.
    Calendar();
    /// Parses and compiles a calendar; errors name the JSON pointer of the bad value.
    static Calendar from_json(std::string_view json);

    /// Whether the instant falls in business hours (by its local wall time and date).
    [[nodiscard]] bool is_open(Timestamp t) const;
    /// t if open, otherwise the start of the next business interval.
    [[nodiscard]] Timestamp next_open(Timestamp t) const;
    /// The earliest instant u ≥ t with business_between(t, u) == d (d ≥ 0). add(t, 0) == t.
    [[nodiscard]] Timestamp add(Timestamp t, Duration d) const;
    /// Business time in [a, b); negative when b < a.
    [[nodiscard]] Duration business_between(Timestamp a, Timestamp b) const;
    /// End of the business day on which next_open(t) falls, moved `days_after` further
    /// business days ahead ("answer the same day": days_after = 0).
    [[nodiscard]] Timestamp end_of_business_day(Timestamp t, int days_after = 0) const;
    /// A readable timeline of add(t, d), one line per step (osTicket-style explain).
    [[nodiscard]] std::vector<std::string> explain_add(Timestamp t, Duration d) const;

    /// Kind of a local date (year, month, day) and the holiday / working-day name.
    [[nodiscard]] DayKind day_kind(int year, int month, int day, std::string* name = nullptr) const;
    [[nodiscard]] const TimeZone& zone() const;
    /// The instant's UTC offset in minutes in the calendar's zone (for writing local times).
    [[nodiscard]] std::int16_t offset_minutes(Timestamp t) const;
    /// The instant written in the calendar's local time.
    [[nodiscard]] Timestamp local(Timestamp t) const;
    /// The first and last year the calendar covers; instants outside are errors.
    [[nodiscard]] int first_year() const;
    [[nodiscard]] int last_year() const;

    struct Impl;

private:
    explicit Calendar(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<const Impl> impl_;
};

}  // namespace ck
