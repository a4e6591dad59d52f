// complaintkit — a thin RAII layer over the SQLite C API for the archive. Not installed.
#pragma once

#include <complaintkit/error.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ck::detail {

/// Throws ck::Error(io) naming what failed and SQLite's message.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what);

class Statement {
public:
    Statement() = default;
    Statement(sqlite3* db, std::string_view sql, bool persistent = true);
    Statement(Statement&& o) noexcept : db_(o.db_), st_(std::exchange(o.st_, nullptr)) {}
    Statement& operator=(Statement&& o) noexcept {
        if (this != &o) {
            if (st_) sqlite3_finalize(st_);
            db_ = o.db_;
            st_ = std::exchange(o.st_, nullptr);
        }
        return *this;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement() {
        if (st_) sqlite3_finalize(st_);
    }

    Statement& bind(int i, std::int64_t v) {
        check(sqlite3_bind_int64(st_, i, v));
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, std::string_view v) {
        check(sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    /// Binds text without copying it: `v` must stay alive and unchanged until the statement
    /// is reset (run() resets).
    Statement& bind_static(int i, std::string_view v) {
        check(sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
        return *this;
    }
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind_null(int i) {
        check(sqlite3_bind_null(st_, i));
        return *this;
    }
    Statement& bind(int i, const std::optional<std::int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }

    /// Steps once: true if a row is available, false when done. Throws on error.
    bool step();
    /// Steps to completion (for statements without rows) and resets.
    void run() {
        while (step()) {
        }
        reset();
    }
    void reset() {
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }
    /// As run(), but keeps the bindings: for a hot statement whose every parameter is bound
    /// again before each run (clearing 58 parameters costs more than binding them). The
    /// statically bound strings it keeps pointing to are never read before they are rebound.
    void run_rebinding_all() {
        while (step()) {
        }
        sqlite3_reset(st_);
    }

    [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(st_, col); }
    [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
    [[nodiscard]] std::optional<std::int64_t> opt_int64(int col) const {
        if (is_null(col)) return std::nullopt;
        return int64(col);
    }
    [[nodiscard]] std::string_view text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col))) : std::string_view{};
    }
    [[nodiscard]] sqlite3_stmt* get() const noexcept { return st_; }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
    }
    sqlite3* db_ = nullptr;
    sqlite3_stmt* st_ = nullptr;
};

/// Resets a cached statement when the scope ends, also when reading its rows throws: the
/// next use starts from a clean statement.
class ResetOnExit {
public:
    explicit ResetOnExit(Statement& st) noexcept : st_(st) {}
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;
    ~ResetOnExit() { st_.reset(); }

private:
    Statement& st_;
};

class Connection {
public:
    Connection() = default;
    Connection(const std::string& path, int flags);
    Connection(Connection&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
    Connection& operator=(Connection&& o) noexcept {
        if (this != &o) {
            close();
            db_ = std::exchange(o.db_, nullptr);
        }
        return *this;
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection() { close(); }

    void close() noexcept {
        if (db_) sqlite3_close_v2(db_);
        db_ = nullptr;
    }
    [[nodiscard]] sqlite3* get() const noexcept { return db_; }
    /// Runs one or more statements without results.
    void exec(std::string_view sql, std::string_view what = "");
    /// The first column of the first row as an integer (0 when there is no row).
    [[nodiscard]] std::int64_t scalar(std::string_view sql) const;

private:
    sqlite3* db_ = nullptr;
};

/// RAII transaction: BEGIN IMMEDIATE on construction, ROLLBACK unless commit() was called.
class Transaction {
public:
    explicit Transaction(Connection& c) : c_(&c) { c_->exec("BEGIN IMMEDIATE", "begin transaction"); }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        c_->exec("COMMIT", "commit");
        done_ = true;
    }
    ~Transaction() {
        if (!done_ && sqlite3_get_autocommit(c_->get()) == 0) sqlite3_exec(c_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }

private:
    Connection* c_;
    bool done_ = false;
};

}  // namespace ck::detail
