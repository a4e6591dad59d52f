// complaintkit — the Scanner on Hyperscan (hs.h: compile once, scan many, scratch per thread).
#include "scanner.hpp"

#include "thread_pool.hpp"

#include <complaintkit/error.hpp>

#include <hs/hs.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

namespace ck::detail {
namespace {

std::atomic<std::uint64_t> next_serial{1};

void require_platform() {
    if (hs_valid_platform() != HS_SUCCESS)
        throw Error(ErrorCode::unsupported,
                    "the multi-pattern scanner (Hyperscan) needs a CPU with SSSE3; this one has none");
}

// A literal as a Hyperscan expression: every byte escaped, so any byte sequence is exact.
std::string escape_literal(std::string_view s) {
    std::string out;
    out.reserve(s.size() * 4);
    char buf[8];
    for (unsigned char c : s) {
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
    }
    return out;
}

constexpr unsigned kRegexFlags = HS_FLAG_UTF8 | HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;

// The id Hyperscan reports carries what the match callback needs, so that it reads no
// table per match: bits 0–19 the pattern index, bits 20–30 a literal's byte length
// (kLongLiteral: look it up), bit 31 set for a regular expression.
constexpr unsigned kIndexBits = 20;
constexpr unsigned kIndexMask = (1u << kIndexBits) - 1;
constexpr unsigned kLongLiteral = 0x7FF;
constexpr unsigned kRegexBit = 1u << 31;
constexpr unsigned literal_id(std::size_t index, std::size_t length) {
    return static_cast<unsigned>(index) |
           (static_cast<unsigned>(length < kLongLiteral ? length : kLongLiteral) << kIndexBits);
}

// Per-thread scratch, grown for every database the thread scans with.
struct ThreadScratch {
    hs_scratch_t* scratch = nullptr;
    std::vector<std::uint64_t> sized_for;
    ~ThreadScratch() {
        if (scratch) hs_free_scratch(scratch);
    }
    /// Scratch sized for every non-null database of `dbs` (the databases of one Scanner).
    hs_scratch_t* get(std::initializer_list<const hs_database_t*> dbs, std::uint64_t serial) {
        for (auto s : sized_for)
            if (s == serial) return scratch;
        for (const auto* db : dbs)
            if (db && hs_alloc_scratch(db, &scratch) != HS_SUCCESS) throw std::bad_alloc();
        if (sized_for.size() >= 64) sized_for.clear();
        sized_for.push_back(serial);
        return scratch;
    }
};

struct Sink {
    std::vector<ScanMatch>* out;
    const std::vector<std::uint32_t>* lengths;
    bool regex_matched = false;  ///< the combined scan saw a regex (without its start)
};

/// The SOM database (regular expressions only): the start comes with the match.
int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx) {
    auto* sink = static_cast<Sink*>(ctx);
    sink->out->push_back(ScanMatch{id & kIndexMask, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to)});
    return 0;
}

/// The combined database: literals are recorded; a regex only notes that the text needs
/// the SOM scan (its matches come from there, as from a database of regexes alone).
int on_combined_match(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
    auto* sink = static_cast<Sink*>(ctx);
    if (id & kRegexBit) {
        sink->regex_matched = true;
        return 0;
    }
    const unsigned index = id & kIndexMask;
    std::uint32_t len = (id >> kIndexBits) & kLongLiteral;
    if (len == kLongLiteral) len = (*sink->lengths)[index];
    const auto end = static_cast<std::uint32_t>(to);
    sink->out->push_back(ScanMatch{index, end - len, end});
    return 0;
}

/// The message of a compile error (`fallback` when it has none), and the error freed.
std::string take_message(hs_compile_error_t* err, const char* fallback) {
    std::string msg = err && err->message ? err->message : fallback;
    if (err) hs_free_compile_error(err);
    return msg;
}

hs_database_t* compile(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                       const std::vector<unsigned>& ids, const std::vector<ScanPattern>& patterns) {
    if (expressions.empty()) return nullptr;
    std::vector<const char*> expr_ptrs;
    for (const auto& e : expressions) expr_ptrs.push_back(e.c_str());
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(expr_ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(expr_ptrs.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
        const int at = err && err->expression >= 0
                           ? static_cast<int>(ids[static_cast<std::size_t>(err->expression)] & kIndexMask)
                           : -1;
        const std::string msg = take_message(err, "unknown error");
        throw Error(ErrorCode::compile,
                    at >= 0 ? "pattern " + std::to_string(at) + " (" + patterns[static_cast<std::size_t>(at)].text +
                                  "): " + msg
                            : msg);
    }
    return db;
}

}  // namespace

// Two databases: the literals together with the regular expressions without start of
// match (each reported once at most: enough to learn that the text needs the second one),
// and the regular expressions with leftmost start of match (SOM), which is expensive to
// track. Most texts match no regex, so they pay for one scan; a text that does is scanned
// again with the SOM database. The matches are exactly those of one database of literals
// and SOM regexes (SOM does not change which ends match): literals in end order, then the
// regexes' matches.
struct Scanner::Database {
    hs_database_t* combined = nullptr;
    hs_database_t* regex_som = nullptr;
    ~Database() {
        for (auto* db : {combined, regex_som})
            if (db) hs_free_database(db);
    }
};

Scanner::Scanner(const std::vector<ScanPattern>& patterns) : db_(std::make_unique<Database>()) {
    require_platform();
    serial_ = next_serial.fetch_add(1);
    lengths_.reserve(patterns.size());
    if (patterns.empty()) return;
    if (patterns.size() > kIndexMask)
        throw Error(ErrorCode::compile, "too many patterns: " + std::to_string(patterns.size()) + " (at most " +
                                            std::to_string(kIndexMask) + " keywords and regular expressions)");
    std::vector<std::string> lit_expr, rx_expr;
    std::vector<unsigned> lit_flags, rx_flags, lit_ids, rx_ids;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        const auto& p = patterns[i];
        if (p.regex) {
            rx_expr.push_back(p.text);
            rx_flags.push_back(kRegexFlags);
            rx_ids.push_back(static_cast<unsigned>(i) | kRegexBit);
            lengths_.push_back(UINT32_MAX);
        } else {
            if (p.text.empty()) throw Error(ErrorCode::compile, "pattern " + std::to_string(i) + " is empty");
            lit_expr.push_back(escape_literal(p.text));
            lit_flags.push_back(0);
            lit_ids.push_back(literal_id(i, p.text.size()));
            lengths_.push_back(static_cast<std::uint32_t>(p.text.size()));
        }
    }
    for (std::size_t i = 0; i < rx_expr.size(); ++i) {
        lit_expr.push_back(rx_expr[i]);
        lit_flags.push_back((rx_flags[i] & ~static_cast<unsigned>(HS_FLAG_SOM_LEFTMOST)) | HS_FLAG_SINGLEMATCH);
        lit_ids.push_back(rx_ids[i]);
    }
    // The two databases are independent builds (Hyperscan's compile calls are reentrant, as
    // hosts that compile packs on several threads at once rely on): with regexes, the SOM
    // one (a fifth to a third of the time) is built on a pool thread beside the combined one
    // when a helper is free; otherwise one after the other.
    const unsigned jobs = rx_expr.empty() ? 1 : 2;
    std::atomic<unsigned> next{0};
    run_parallel(jobs, [&](unsigned) {
        for (unsigned j; (j = next.fetch_add(1)) < jobs;) {
            if (j == 0) db_->combined = compile(lit_expr, lit_flags, lit_ids, patterns);
            else db_->regex_som = compile(rx_expr, rx_flags, rx_ids, patterns);
        }
    });
}

Scanner::~Scanner() = default;

void Scanner::scan(std::string_view text, std::vector<ScanMatch>& out) const {
    if (text.empty() || !db_->combined) return;
    thread_local ThreadScratch scratch;
    hs_scratch_t* s = scratch.get({db_->combined, db_->regex_som}, serial_);
    const auto n = static_cast<unsigned>(text.size());
    auto check = [](hs_error_t rc) {
        if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
            throw Error(ErrorCode::internal, "Hyperscan scan failed with status " + std::to_string(rc));
    };
    Sink sink{&out, &lengths_};
    check(hs_scan(db_->combined, text.data(), n, 0, s, on_combined_match, &sink));
    if (sink.regex_matched) check(hs_scan(db_->regex_som, text.data(), n, 0, s, on_match, &sink));
}

std::size_t Scanner::database_bytes() const noexcept {
    std::size_t total = 0;
    for (const auto* db : {db_->combined, db_->regex_som}) {
        std::size_t n = 0;
        if (db && hs_database_size(db, &n) == HS_SUCCESS) total += n;
    }
    return total;
}

std::optional<std::string> Scanner::regex_error(std::string_view regex) {
    require_platform();
    const std::string expr(regex);
    hs_expr_info_t* info = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_expression_info(expr.c_str(), kRegexFlags, &info, &err) == HS_SUCCESS) {
        std::free(info);  // (allocated with Hyperscan's misc allocator: malloc by default)
        return std::nullopt;
    }
    return take_message(err, "does not compile");
}

std::optional<std::string> Scanner::regex_build_error(std::string_view regex) {
    require_platform();
    const std::string expr(regex);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile(expr.c_str(), kRegexFlags, HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS) {
        hs_free_database(db);
        return std::nullopt;
    }
    return take_message(err, "does not compile");
}

std::string Scanner::engine_version() { return std::string("Hyperscan ") + hs_version(); }

}  // namespace ck::detail
