// complaintkit — the multi-pattern scanner behind the rule engine. Not installed.
//
// One small interface so the engine can change (Hyperscan today; Vectorscan on ARM is
// API-compatible). Patterns are matched against folded text (normalize.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ck::detail {

struct ScanPattern {
    std::string text;   ///< literal bytes, or a regular expression when `regex`
    bool regex = false;
};

struct ScanMatch {
    std::uint32_t id;    ///< index of the pattern
    std::uint32_t from;  ///< byte offsets in the scanned text
    std::uint32_t to;
};

/// A compiled, immutable set of patterns; scan() is safe from many threads at once
/// (each thread gets its own scratch space).
class Scanner {
public:
    /// Throws Error(compile) naming the pattern index when the set does not compile, and
    /// Error(unsupported) when the CPU cannot run the engine.
    explicit Scanner(const std::vector<ScanPattern>& patterns);
    ~Scanner();
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    /// Appends every match (overlapping ones included) to `out`: each pattern's matches in
    /// end-offset order (all literal matches come before all regex matches).
    void scan(std::string_view text, std::vector<ScanMatch>& out) const;

    [[nodiscard]] std::size_t pattern_count() const noexcept { return lengths_.size(); }
    [[nodiscard]] std::size_t database_bytes() const noexcept;

    /// Why a regular expression cannot be used, or nullopt when it can: its syntax and the
    /// constructs the engine supports, checked by parsing it (no database is built, so this
    /// is cheap). Limits that only building a database meets ("Pattern is too large") make
    /// the Scanner's constructor throw; regex_build_error then tells which regex it was.
    static std::optional<std::string> regex_error(std::string_view regex);
    /// Why a database of this regular expression alone cannot be built, or nullopt (slow:
    /// milliseconds to tens of milliseconds a regex).
    static std::optional<std::string> regex_build_error(std::string_view regex);
    /// The engine's name and version ("Hyperscan 5.4.0 …").
    static std::string engine_version();

private:
    struct Database;
    std::unique_ptr<Database> db_;
    std::vector<std::uint32_t> lengths_;  ///< literal length, or UINT32_MAX for regexes
    std::uint64_t serial_ = 0;            ///< identifies the database for per-thread scratch
};

}  // namespace ck::detail
