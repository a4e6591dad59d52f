// complaintkit — instants in time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ck {

using Micros = std::chrono::sys_time<std::chrono::microseconds>;

/// An instant (UTC, microsecond precision) plus the UTC offset it was written with, so a
/// timestamp read as "2024-03-05T17:12:00+08:00" is written back exactly so. Comparison
/// is by instant only.
struct Timestamp {
    Micros utc{};
    std::int16_t offset_minutes = 0;  ///< offset of the original local time, −1439…1439

    Timestamp() = default;
    explicit Timestamp(Micros t, std::int16_t offset = 0) : utc(t), offset_minutes(offset) {}

    friend bool operator==(const Timestamp& a, const Timestamp& b) noexcept {
        return a.utc == b.utc && a.offset_minutes == b.offset_minutes;
    }
    friend auto operator<=>(const Timestamp& a, const Timestamp& b) noexcept { return a.utc <=> b.utc; }

    /// Seconds since the Unix epoch (UTC), fractional part dropped toward −∞.
    [[nodiscard]] std::int64_t unix_seconds() const noexcept {
        return std::chrono::floor<std::chrono::seconds>(utc).time_since_epoch().count();
    }
    static Timestamp from_unix_seconds(std::int64_t s, std::int16_t offset = 0) {
        return Timestamp(Micros(std::chrono::seconds(s)), offset);
    }
};

/// Parses an ISO-8601 / RFC 3339 timestamp: "YYYY-MM-DDThh:mm[:ss[.ffffff]](Z|±hh:mm)".
/// A date without time ("YYYY-MM-DD") is midnight UTC. The zone designator is required
/// otherwise. Validates the calendar date (no 2023-02-29) and ranges. Throws ck::Error
/// (ErrorCode::invalid_value) with a message saying what is wrong.
Timestamp parse_timestamp(std::string_view text);
/// Writes "YYYY-MM-DDThh:mm:ss[.fff[fff]](Z|±hh:mm)" in the timestamp's own offset.
std::string format_timestamp(const Timestamp& t);

}  // namespace ck
