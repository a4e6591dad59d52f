// complaintkit — the Scanner on Hyperscan (hs.h: compile once, scan many, scratch per thread).
#include "scanner.hpp"

#include <complaintkit/error.hpp>

#include <hs/hs.h>

#include <atomic>
#include <climits>
#include <cstdio>

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

// Per-thread scratch, grown for every database the thread scans with.
struct ThreadScratch {
    hs_scratch_t* scratch = nullptr;
    std::vector<std::uint64_t> sized_for;
    ~ThreadScratch() {
        if (scratch) hs_free_scratch(scratch);
    }
    hs_scratch_t* get(const hs_database_t* db, std::uint64_t serial) {
        for (auto s : sized_for)
            if (s == serial) return scratch;
        if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) throw std::bad_alloc();
        if (sized_for.size() >= 64) sized_for.clear();
        sized_for.push_back(serial);
        return scratch;
    }
};

struct Sink {
    std::vector<ScanMatch>* out;
    const std::vector<std::uint32_t>* lengths;
};

int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned, void* ctx) {
    auto* sink = static_cast<Sink*>(ctx);
    const std::uint32_t len = (*sink->lengths)[id];
    const auto end = static_cast<std::uint32_t>(to);
    const std::uint32_t start = len == UINT32_MAX ? static_cast<std::uint32_t>(from) : end - len;
    sink->out->push_back(ScanMatch{id, start, end});
    return 0;
}

}  // namespace

struct Scanner::Database {
    hs_database_t* db = nullptr;
    ~Database() {
        if (db) hs_free_database(db);
    }
};

Scanner::Scanner(const std::vector<ScanPattern>& patterns) : db_(std::make_unique<Database>()) {
    require_platform();
    serial_ = next_serial.fetch_add(1);
    lengths_.reserve(patterns.size());
    if (patterns.empty()) return;
    std::vector<std::string> expressions;
    std::vector<const char*> expr_ptrs;
    std::vector<unsigned> flags, ids;
    expressions.reserve(patterns.size());
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        const auto& p = patterns[i];
        if (p.regex) {
            expressions.push_back(p.text);
            flags.push_back(kRegexFlags);
            lengths_.push_back(UINT32_MAX);
        } else {
            if (p.text.empty()) throw Error(ErrorCode::compile, "pattern " + std::to_string(i) + " is empty");
            expressions.push_back(escape_literal(p.text));
            flags.push_back(0);
            lengths_.push_back(static_cast<std::uint32_t>(p.text.size()));
        }
        ids.push_back(static_cast<unsigned>(i));
    }
    for (const auto& e : expressions) expr_ptrs.push_back(e.c_str());
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(expr_ptrs.data(), flags.data(), ids.data(), static_cast<unsigned>(expr_ptrs.size()),
                         HS_MODE_BLOCK, nullptr, &db_->db, &err) != HS_SUCCESS) {
        std::string msg = err && err->message ? err->message : "unknown error";
        const int at = err ? err->expression : -1;
        if (err) hs_free_compile_error(err);
        throw Error(ErrorCode::compile,
                    at >= 0 ? "pattern " + std::to_string(at) + " (" + patterns[static_cast<std::size_t>(at)].text +
                                  "): " + msg
                            : msg);
    }
}

Scanner::~Scanner() = default;

void Scanner::scan(std::string_view text, std::vector<ScanMatch>& out) const {
    if (!db_->db || text.empty()) return;
    thread_local ThreadScratch scratch;
    hs_scratch_t* s = scratch.get(db_->db, serial_);
    Sink sink{&out, &lengths_};
    const hs_error_t rc =
        hs_scan(db_->db, text.data(), static_cast<unsigned>(text.size()), 0, s, on_match, &sink);
    if (rc != HS_SUCCESS) throw Error(ErrorCode::internal, "Hyperscan scan failed with status " + std::to_string(rc));
}

std::size_t Scanner::database_bytes() const noexcept {
    std::size_t n = 0;
    if (db_->db) hs_database_size(db_->db, &n);
    return n;
}

std::optional<std::string> Scanner::regex_error(std::string_view regex) {
    require_platform();
    const std::string expr(regex);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile(expr.c_str(), kRegexFlags, HS_MODE_BLOCK, nullptr, &db, &err) == HS_SUCCESS) {
        hs_free_database(db);
        return std::nullopt;
    }
    std::string msg = err && err->message ? err->message : "does not compile";
    if (err) hs_free_compile_error(err);
    return msg;
}

std::string Scanner::engine_version() { return std::string("Hyperscan ") + hs_version(); }

}  // namespace ck::detail
