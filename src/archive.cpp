// complaintkit — the complaint archive on SQLite (docs/archive.md).
#include <complaintkit/archive.hpp>

#include "archive_schema.hpp"
#include "json_internal.hpp"
#include "sqlite_connection.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

namespace ck {

// ------------------------------------------------------------------ SQLite layer

namespace detail {

void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
    std::string msg(what);
    if (!msg.empty()) msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int primary = rc & 0xff;
    ErrorCode code = ErrorCode::io;
    if (primary == SQLITE_NOTADB) code = ErrorCode::unsupported;
    if (primary == SQLITE_CONSTRAINT) code = ErrorCode::invalid_value;
    throw Error(code, msg);
}

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st_, nullptr);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, "prepare");
}

bool Statement::step() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(st_);
    throw_sqlite(db_, rc, "");
}

Connection::Connection(const std::string& path, int flags) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open archive " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        close();
        throw Error(ErrorCode::io, msg);
    }
    sqlite3_extended_result_codes(db_, 1);
}

void Connection::exec(std::string_view sql, std::string_view what) {
    char* err = nullptr;
    const std::string s(sql);
    const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg(what.empty() ? std::string_view("sql") : what);
        msg += ": ";
        msg += err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        const int primary = rc & 0xff;
        throw Error(primary == SQLITE_NOTADB ? ErrorCode::unsupported : ErrorCode::io, msg);
    }
}

std::int64_t Connection::scalar(std::string_view sql) const {
    Statement st(db_, sql, false);
    return st.step() ? st.int64(0) : 0;
}

}  // namespace detail

using detail::Connection;
using detail::Statement;
using detail::Transaction;

// ------------------------------------------------------------------ derivation

Status status_after(std::span<const Event> events) noexcept {
    Status s = Status::received;
    for (const auto& e : events) {
        switch (e.type) {
        case EventType::received: s = Status::received; break;
        case EventType::acknowledged: s = Status::acknowledged; break;
        case EventType::investigation_started: s = Status::investigating; break;
        case EventType::awaiting_customer: s = Status::awaiting_customer; break;
        case EventType::customer_replied:
            if (s == Status::awaiting_customer) s = Status::investigating;
            break;
        case EventType::remedy_proposed: s = Status::remedy_proposed; break;
        case EventType::remedy_rejected: s = Status::investigating; break;
        case EventType::resolved: s = Status::resolved; break;
        case EventType::follow_up: s = Status::follow_up_done; break;
        case EventType::closed: s = Status::closed; break;
        case EventType::reopened: s = Status::reopened; break;
        case EventType::withdrawn: s = Status::withdrawn; break;
        default: break;
        }
    }
    return s;
}

Facets facets_after(const Complaint& c) {
    Facets f = c.facets;
    for (auto it = c.events.rbegin(); it != c.events.rend(); ++it) {
        if (it->type != EventType::classified || it->payload.empty() || it->payload == "{}") continue;
        const auto v = detail::parse_json(it->payload);
        const auto* obj = v.if_object();
        if (!obj) break;
        const auto* fv = obj->if_contains("facets");
        if (!fv) break;
        const Facets g = detail::facets_from_node(detail::Node{fv, "/payload/facets"});
        auto over = [](auto& dst, auto src) {
            if (src != decltype(src){}) dst = src;
        };
        over(f.kind, g.kind);
        over(f.category, g.category);
        over(f.subcategory, g.subcategory);
        over(f.cause, g.cause);
        over(f.sub_cause, g.sub_cause);
        over(f.attribution, g.attribution);
        over(f.dimension, g.dimension);
        over(f.severity, g.severity);
        over(f.personality, g.personality);
        over(f.motive, g.motive);
        if (g.reasonable) f.reasonable = g.reasonable;
        for (const auto& t : g.tags)
            if (std::find(f.tags.begin(), f.tags.end(), t) == f.tags.end()) f.tags.push_back(t);
        break;
    }
    return f;
}

Snapshot default_snapshot(const Complaint& c) {
    Snapshot s;
    s.status = status_after(c.events);
    s.facets = facets_after(c);
    if (!c.events.empty()) s.last_event_at = c.events.back().at;
    return s;
}

std::string place_of(const Complaint& c) {
    std::string p;
    for (const auto& r : c.region) {
        p += r;
        p += '/';
    }
    if (!c.branch.empty()) p += c.branch + '/';
    return p;
}

std::string RowError::describe() const {
    std::string s = source.empty() ? std::string("-") : source;
    if (line) s += ":" + std::to_string(line);
    s += ": ";
    if (!column.empty()) s += "column \"" + column + "\": ";
    s += message;
    return s;
}

// ------------------------------------------------------------------ the archive

namespace {

std::int64_t micros(const Timestamp& t) { return t.utc.time_since_epoch().count(); }
Timestamp from_micros(std::int64_t us, std::int64_t offset = 0) {
    return Timestamp(Micros(std::chrono::microseconds(us)), static_cast<std::int16_t>(offset));
}
std::optional<std::int64_t> opt_micros(const std::optional<Timestamp>& t) {
    if (!t) return std::nullopt;
    return micros(*t);
}
std::int64_t wall_clock_micros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

constexpr std::array<std::string_view, 6> open_states = {"received", "acknowledged", "investigating",
                                                         "awaiting_customer", "remedy_proposed", "reopened"};

/// Calls put(name, value) for each coded facet (an enum) that is set, in FacetId order.
template <class F> void each_coded_facet(const Facets& f, F&& put) {
    auto code = [&](std::string_view name, auto v) {
        if (v != decltype(v){}) put(name, v);
    };
    code("kind", f.kind);
    code("category", f.category);
    code("subcategory", f.subcategory);
    code("cause", f.cause);
    code("sub_cause", f.sub_cause);
    code("attribution", f.attribution);
    code("dimension", f.dimension);
    code("severity", f.severity);
    code("personality", f.personality);
    code("motive", f.motive);
}

/// Calls put(tag) for each distinct tag (tag_index rows).
template <class F> void each_tag(const Facets& f, F&& put) {
    for (std::size_t i = 0; i < f.tags.size(); ++i)
        if (std::find(f.tags.begin(), f.tags.begin() + static_cast<std::ptrdiff_t>(i), f.tags[i]) ==
            f.tags.begin() + static_cast<std::ptrdiff_t>(i))
            put(std::string_view(f.tags[i]));
}

/// Calls put(facet name, value) for each facet value that is set (the snapshot's facets
/// JSON): the coded facets, "reasonable", and each distinct tag.
template <class F> void each_facet(const Facets& f, F&& put) {
    each_coded_facet(f, [&](std::string_view name, auto v) { put(name, to_code(v)); });
    if (f.reasonable) put("reasonable", std::string_view(*f.reasonable ? "true" : "false"));
    each_tag(f, [&](std::string_view tag) { put("tag", tag); });
}

/// Calls put(key) for each coded facet value that is set (facet_index rows; the keys are
/// detail::facet_key's, shared with the migration to schema 4).
template <class F> void each_facet_key(const Facets& f, F&& put) {
    each_coded_facet(f, [&](std::string_view, auto v) {
        put(detail::facet_key(taxonomy_traits<decltype(v)>::id, static_cast<int>(v)));
    });
    if (f.reasonable) put(detail::reasonable_key(*f.reasonable));
}

/// Facets as the JSON object to_json(Facets) writes, without building a JSON value.
std::string facets_json(const Facets& f) {
    if (f.empty()) return "{}";
    std::string out = "{";
    each_facet(f, [&](std::string_view name, std::string_view value) {
        if (name == "tag") return;
        if (out.size() > 1) out += ',';
        out += '"';
        out += name;
        out += name == "reasonable" ? "\":" : "\":\"";
        out += value;
        if (name != "reasonable") out += '"';
    });
    if (!f.tags.empty()) {
        if (out.size() > 1) out += ',';
        out += "\"tags\":[";
        for (std::size_t i = 0; i < f.tags.size(); ++i) {
            if (i) out += ',';
            detail::append_json_string(out, f.tags[i]);
        }
        out += ']';
    }
    out += '}';
    return out;
}

constexpr std::array<std::string_view, 12> facet_names = {"kind",        "category",  "subcategory", "cause",
                                                          "sub_cause",   "attribution", "dimension", "severity",
                                                          "personality", "motive",    "reasonable",  "tag"};

/// The facet_index key of a query's coded facet value; a value outside the facet's taxonomy
/// is an error naming the facet (the facet name itself is checked by the caller).
std::int64_t query_facet_key(const std::string& facet, const std::string& value) {
    if (facet == "reasonable") {
        if (value == "true" || value == "false") return detail::reasonable_key(value == "true");
        throw Error(ErrorCode::invalid_argument, "facet \"reasonable\" is \"true\" or \"false\", not \"" + value + "\"");
    }
    const auto id = taxonomy_from_name(facet);
    const TaxonomyEntry* e = id ? taxonomy_find(*id, value) : nullptr;
    if (!e)
        throw Error(ErrorCode::invalid_argument,
                    "unknown value \"" + value + "\" of facet \"" + facet + "\" (see the taxonomy's codes)");
    return detail::facet_key(*id, e->value);
}

/// Reads complaint JSON lines for ingest. Each line's document lives in one arena that is
/// reset per line (no allocation per JSON node), and the validated document minus its
/// events is kept as the stored record instead of serialising the parsed complaint again.
/// Errors are exactly complaint_from_json's: a line the fast path cannot read is read again
/// by complaint_from_json, which reports it.
class LineParser {
public:
    LineParser() : mr_(buf_.data(), buf_.size()), parser_(detail::json::storage_ptr(), options()) {}
    LineParser(const LineParser&) = delete;
    LineParser& operator=(const LineParser&) = delete;

    /// Reads one line into `out` (assigned once: a Complaint is large to move); `record`
    /// receives its record JSON (empty if not available).
    void parse(std::string_view line, const ParseOptions& po, std::string& record, std::optional<Complaint>& out) {
        namespace json = detail::json;
        record.clear();
        mr_.release();
        parser_.reset(json::storage_ptr(&mr_));
        boost::system::error_code ec;
        const std::size_t n = parser_.write_some(line.data(), line.size(), ec);
        if (!ec && line.substr(n).find_first_not_of(" \t\r\n") == std::string_view::npos) parser_.finish(ec);
        else if (!ec) ec = json::error::extra_data;
        if (ec) {
            out = complaint_from_json(line, po);  // throws the syntax error
            return;
        }
        json::value v = parser_.release();
        {
            const detail::Utf8AlreadyValid valid;          // the parser checked every string and key
            out.emplace(detail::complaint_from_value(v, po));  // validation errors: the canonical ones
        }
        if (!detail::object_without_member(line, "events", record)) {
            v.as_object().erase("events");  // an object: validated above
            record = json::serialize(v);
        }
    }

private:
    static detail::json::parse_options options() {
        detail::json::parse_options o;  // as detail::parse_json, but the parser checks UTF-8:
        o.allow_invalid_utf8 = false;   // a line it rejects is read again by complaint_from_json,
        o.max_depth = 64;               // which reports the error with its JSON pointer
        return o;
    }
    std::array<unsigned char, 16384> buf_{};
    detail::json::monotonic_resource mr_;
    detail::json::stream_parser parser_;
};

bool is_file_nonempty(const std::string& path, std::uintmax_t& size) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return false;
    size = std::filesystem::file_size(path, ec);
    if (ec) size = 0;
    return true;
}

}  // namespace

struct Archive::Impl {
    std::string path;
    ArchiveOptions options;
    Connection db;
    int opened_version = 0;
    SnapshotDeriver deriver = default_snapshot;

    // Prepared statements of the write path, made on first use.
    std::optional<Statement> find_rid, insert_complaint, update_complaint, update_snapshot, old_facets, delete_facet,
        delete_tag, insert_tag;
    /// Multi-row inserts, by row count − 1 (write_events, write_snapshot).
    static constexpr std::size_t max_rows_per_insert = 8;
    static constexpr std::size_t max_facet_keys = 11;  // the ten coded facets and "reasonable"
    std::array<std::optional<Statement>, max_rows_per_insert> insert_events;
    std::array<std::optional<Statement>, max_facet_keys> insert_facets;

    Statement& stmt(std::optional<Statement>& s, std::string_view sql) {
        if (!s) s.emplace(db.get(), sql);
        return *s;
    }
    /// As stmt, for SQL that is built only when the statement is first prepared.
    template <class MakeSql> Statement& stmt_built(std::optional<Statement>& s, MakeSql&& make_sql) {
        if (!s) s.emplace(db.get(), make_sql());
        return *s;
    }

    void require_writable(std::string_view what) const {
        if (options.read_only)
            throw Error(ErrorCode::io, std::string(what) + ": the archive " + path + " is opened read-only");
    }

    std::optional<std::int64_t> rid_of(std::string_view id) {
        auto& st = stmt(find_rid, "SELECT rid FROM complaints WHERE id = ?1");
        st.bind(1, id);
        std::optional<std::int64_t> r;
        if (st.step()) r = st.int64(0);
        st.reset();
        return r;
    }

    /// The record: the complaint JSON without its events (they live in the events table).
    static std::string record_json(Complaint& c) {
        std::vector<Event> events = std::move(c.events);
        c.events.clear();
        std::string s;
        try {
            s = detail::serialize(detail::to_value(c));
        } catch (...) {
            c.events = std::move(events);
            throw;
        }
        c.events = std::move(events);
        return s;
    }

    /// Binds the complaint row; `record` is the record JSON when the caller already has it
    /// (empty: serialised here). The strings bound stay alive until the statement runs.
    void bind_complaint(Statement& st, Complaint& c, std::string_view record) {
        place_buf = place_of(c);
        if (record.empty()) {
            record_buf = record_json(c);
            record = record_buf;
        }
        st.bind_static(1, c.id)
            .bind(2, micros(c.received_at))
            .bind(3, static_cast<std::int64_t>(c.received_at.offset_minutes))
            .bind_static(4, to_code(c.channel))
            .bind_static(5, c.customer.id)
            .bind_static(6, place_buf)
            .bind_static(7, record);
    }
    std::string place_buf, record_buf;
    /// The record JSON of the row being ingested, when its reader had it (ingest_jsonl).
    std::string row_record;
    /// The input line of the row being ingested, when its reader keeps it alive for the whole
    /// ingest (ingest_jsonl): copied into a RowError only if the row is rejected.
    std::string_view row_line;

    /// Appends events[i] as history entry first + i, for every i. Up to max_rows_per_insert
    /// rows go in one multi-row INSERT: SQLite's cost per statement (cursor set-up, its
    /// allocations, halt and reset) is most of what one event row costs.
    void write_events(std::int64_t rid, std::size_t first, std::span<const Event> events, std::int64_t now) {
        while (!events.empty()) {
            const std::size_t k = std::min(events.size(), max_rows_per_insert);
            auto& st = stmt_built(insert_events[k - 1], [k] { return events_insert_sql(k); });
            st.bind(1, rid).bind(2, now);
            for (std::size_t j = 0; j < k; ++j) {
                const Event& e = events[j];
                const int p = 3 + 7 * static_cast<int>(j);
                st.bind(p, static_cast<std::int64_t>(first + j))
                    .bind(p + 1, micros(e.at))
                    .bind(p + 2, static_cast<std::int64_t>(e.at.offset_minutes))
                    .bind_static(p + 3, to_code(e.type))
                    .bind_static(p + 4, e.actor)
                    .bind_static(p + 5, e.text)
                    .bind_static(p + 6, e.payload.empty() ? std::string_view("{}") : std::string_view(e.payload));
            }
            st.run_rebinding_all();
            events = events.subspan(k);
            first += k;
        }
    }
    /// INSERT of k event rows: ?1 rid, ?2 recorded_at, then seven parameters per row.
    static std::string events_insert_sql(std::size_t k) {
        std::string sql = "INSERT OR FAIL INTO events(rid, n, at, at_offset, type, actor, text, payload, recorded_at) VALUES ";
        for (std::size_t j = 0; j < k; ++j) {
            const std::size_t p = 3 + 7 * j;
            sql += j ? ", (?1" : "(?1";
            for (std::size_t q = 0; q < 7; ++q) sql += ", ?" + std::to_string(p + q);
            sql += ", ?2)";
        }
        return sql;
    }

    /// INSERT of k facet_index rows: ?1 received_at, ?2 rid, ?3 … the keys.
    static std::string facets_insert_sql(std::size_t k) {
        std::string sql = "INSERT OR FAIL INTO facet_index(code, received_at, rid) VALUES ";
        for (std::size_t j = 0; j < k; ++j) sql += (j ? ", (?" : "(?") + std::to_string(3 + j) + ", ?1, ?2)";
        return sql;
    }

    /// What a stored snapshot's facet_index and tag_index rows were written with (to delete them by key).
    struct IndexedFacets {
        Facets facets;
        std::int64_t received_at = 0;
    };
    std::optional<IndexedFacets> indexed_facets(std::int64_t rid) {
        auto& of = stmt(old_facets,
                        "SELECT facets, received_at FROM complaints WHERE rid = ?1");
        of.bind(1, rid);
        const detail::ResetOnExit reset(of);
        if (!of.step()) return std::nullopt;
        return IndexedFacets{facets_from_json(of.text(0)), of.int64(1)};
    }

    /// Binds a snapshot's columns from parameter `first` on (status, last_event_at, due_at,
    /// at_risk_at, next_wakeup, facets, sla). `facets` is its facets JSON, kept alive by the caller.
    static void bind_snapshot(Statement& st, int first, const Snapshot& s, const std::string& facets) {
        st.bind_static(first, to_code(s.status))
            .bind(first + 1, opt_micros(s.last_event_at))
            .bind(first + 2, opt_micros(s.due_at))
            .bind(first + 3, opt_micros(s.at_risk_at))
            .bind(first + 4, opt_micros(s.next_wakeup))
            .bind_static(first + 5, facets)
            .bind_static(first + 6, s.sla.empty() ? std::string_view("{}") : std::string_view(s.sla));
    }

    /// Writes a snapshot: `fresh` when the complaint's row was just inserted with it (only
    /// the index rows are written), else the row's snapshot columns are replaced, keeping
    /// facet_index and tag_index in step with complaints.facets (`old`: the rows to remove).
    /// `received_at` is the complaint's, copied into the index rows (their order).
    void write_snapshot(std::int64_t rid, std::int64_t received_at, const Snapshot& s, bool fresh,
                        const std::optional<IndexedFacets>& old = std::nullopt) {
        if (!fresh && old) {
            auto& d = stmt(delete_facet, "DELETE FROM facet_index WHERE code = ?1 AND received_at = ?2 AND rid = ?3");
            each_facet_key(old->facets, [&](std::int64_t key) {
                d.bind(1, key).bind(2, old->received_at).bind(3, rid);
                d.run();
            });
            auto& dt = stmt(delete_tag, "DELETE FROM tag_index WHERE tag = ?1 AND received_at = ?2 AND rid = ?3");
            each_tag(old->facets, [&](std::string_view tag) {
                dt.bind_static(1, tag).bind(2, old->received_at).bind(3, rid);
                dt.run();
            });
        }
        if (!fresh) {
            auto& st = stmt(update_snapshot,
                            "UPDATE complaints SET status = ?1, last_event_at = ?2, due_at = ?3, at_risk_at = ?4, "
                            "next_wakeup = ?5, facets = ?6, sla = ?7 WHERE rid = ?8");
            const std::string facets = facets_json(s.facets);
            bind_snapshot(st, 1, s, facets);
            st.bind(8, rid);
            st.run();
        }
        // One multi-row INSERT for all of the snapshot's facet_index rows (at most one per
        // coded facet and "reasonable"); see write_events for why.
        std::array<std::int64_t, max_facet_keys> keys{};
        std::size_t nkeys = 0;
        each_facet_key(s.facets, [&](std::int64_t key) { keys[nkeys++] = key; });
        if (nkeys) {
            auto& fi = stmt_built(insert_facets[nkeys - 1], [nkeys] { return facets_insert_sql(nkeys); });
            fi.bind(1, received_at).bind(2, rid);
            for (std::size_t j = 0; j < nkeys; ++j) fi.bind(3 + static_cast<int>(j), keys[j]);
            fi.run_rebinding_all();
        }
        if (s.facets.tags.empty()) return;
        auto& ti = stmt(insert_tag, "INSERT INTO tag_index(tag, received_at, rid) VALUES (?1, ?2, ?3)");
        each_tag(s.facets, [&](std::string_view tag) {
            ti.bind_static(1, tag).bind(2, received_at).bind(3, rid);
            ti.run();
        });
    }

    /// The deriver's snapshot, with times in UTC as they are stored.
    Snapshot derive(const Complaint& c) const {
        try {
            Snapshot s = deriver(c);
            for (auto* t : {&s.last_event_at, &s.due_at, &s.at_risk_at, &s.next_wakeup})
                if (*t) (*t)->offset_minutes = 0;
            // Facets merged from several sources may pair a subcategory with another category:
            // keep the coarser facet, drop the finer one that contradicts it.
            if (s.facets.subcategory != Subcategory::unknown && parent_of(s.facets.subcategory) != s.facets.category)
                s.facets.subcategory = Subcategory::unknown;
            if (s.facets.sub_cause != SubCause::unknown && parent_of(s.facets.sub_cause) != s.facets.cause)
                s.facets.sub_cause = SubCause::unknown;
            if (s.sla.empty()) s.sla = "{}";
            return s;
        } catch (const Error& e) {
            throw e.with_context("deriving the snapshot of complaint " + c.id);
        }
    }

    /// Prepared once: for_each and export read one history per complaint.
    mutable std::optional<Statement> history;
    std::vector<Event> load_events(std::int64_t rid) const {
        if (!history)
            history.emplace(db.get(), "SELECT at, at_offset, type, actor, text, payload FROM events WHERE rid = ?1 ORDER BY n");
        Statement& st = *history;
        st.bind(1, rid);
        const detail::ResetOnExit reset(st);
        std::vector<Event> out;
        while (st.step()) out.push_back(event_of(st, 0));
        return out;
    }

    static Event event_of(const Statement& st, int col) {
        Event e;
        e.at = from_micros(st.int64(col), st.int64(col + 1));
        e.type = from_code<EventType>(st.text(col + 2)).value_or(EventType::other);
        e.actor = std::string(st.text(col + 3));
        e.text = std::string(st.text(col + 4));
        e.payload = std::string(st.text(col + 5));
        return e;
    }

    static Complaint complaint_of_record(std::string_view record) {
        ParseOptions po;
        po.preserve_unknown = true;
        return complaint_from_json(record, po);
    }

    static Snapshot snapshot_of(const Statement& st, int col) {
        Snapshot s;
        s.status = from_code<Status>(st.text(col)).value_or(Status::received);
        if (auto v = st.opt_int64(col + 1)) s.last_event_at = from_micros(*v);
        s.facets = facets_from_json(st.text(col + 2));
        if (auto v = st.opt_int64(col + 3)) s.due_at = from_micros(*v);
        if (auto v = st.opt_int64(col + 4)) s.at_risk_at = from_micros(*v);
        if (auto v = st.opt_int64(col + 5)) s.next_wakeup = from_micros(*v);
        s.sla = std::string(st.text(col + 6));
        return s;
    }

    /// Stores one complaint; returns 1 inserted, 2 updated, 3 skipped. Throws RowError-worthy
    /// ck::Error for a duplicate under reject, or out-of-order events under upsert.
    /// `record`: the complaint's record JSON if the caller has it (see record_json), else empty.
    int store(Complaint& c, DuplicatePolicy dup, std::int64_t now, std::string_view record = {}) {
        auto& ins = stmt(insert_complaint,
                         "INSERT INTO complaints(id, received_at, received_offset, channel, customer_id, place, "
                         "record, status, last_event_at, due_at, at_risk_at, next_wakeup, facets, sla) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT(id) DO NOTHING");
        // Everything that can fail for this row's own reasons happens before its first write,
        // so a rejected row never leaves a part of itself in the batch.
        const Snapshot snap = derive(c);
        const std::string snap_facets = facets_json(snap.facets);
        bind_complaint(ins, c, record);
        bind_snapshot(ins, 8, snap, snap_facets);  // all 14 parameters
        ins.run_rebinding_all();
        if (sqlite3_changes(db.get()) == 1) {
            const std::int64_t rid = sqlite3_last_insert_rowid(db.get());
            write_events(rid, 0, c.events, now);
            write_snapshot(rid, micros(c.received_at), snap, true);
            return 1;
        }
        if (dup == DuplicatePolicy::skip) return 3;
        if (dup == DuplicatePolicy::reject)
            throw Error(ErrorCode::invalid_value,
                        "duplicate complaint id \"" + c.id +
                            "\": already in the archive (choose the duplicate policy upsert or skip to accept it)",
                        "/id");
        // upsert: new record, events appended after the stored history.
        const std::int64_t rid = *rid_of(c.id);
        std::vector<Event> stored = load_events(rid);
        std::vector<const Event*> fresh;
        for (std::size_t i = 0; i < c.events.size(); ++i) {
            const Event& e = c.events[i];
            if (!stored.empty() && e.at <= stored.back().at) {
                if (std::find(stored.begin(), stored.end(), e) == stored.end())
                    throw Error(ErrorCode::out_of_order,
                                "event is not in the archived history and not later than its last event (" +
                                    format_timestamp(stored.back().at) + "): history is append-only",
                                "/events/" + std::to_string(i) + "/at");
                continue;
            }
            fresh.push_back(&e);
        }
        Complaint merged = c;
        merged.events = stored;
        for (const Event* e : fresh) merged.events.push_back(*e);
        const Snapshot upsnap = derive(merged);
        const auto old = indexed_facets(rid);
        auto& st = stmt(update_complaint,
                        "UPDATE complaints SET id = ?1, received_at = ?2, received_offset = ?3, channel = ?4, "
                        "customer_id = ?5, place = ?6, record = ?7 WHERE rid = ?8");
        bind_complaint(st, c, record);
        st.bind(8, rid);
        st.run();
        write_events(rid, stored.size(), std::span<const Event>(merged.events).subspan(stored.size()), now);
        write_snapshot(rid, micros(c.received_at), upsnap, false, old);
        return 2;
    }

    void rebuild_in_transaction() {
        db.exec("DELETE FROM facet_index; DELETE FROM tag_index;", "clear the facet index");
        Statement recs(db.get(), "SELECT rid, record, received_at FROM complaints ORDER BY rid", false);
        Statement evs(db.get(),
                      "SELECT rid, at, at_offset, type, actor, text, payload FROM events ORDER BY rid, n", false);
        bool ev_row = evs.step();
        while (recs.step()) {
            const std::int64_t rid = recs.int64(0);
            Complaint c = complaint_of_record(recs.text(1));
            while (ev_row && evs.int64(0) < rid) ev_row = evs.step();
            while (ev_row && evs.int64(0) == rid) {
                c.events.push_back(event_of(evs, 1));
                ev_row = evs.step();
            }
            write_snapshot(rid, recs.int64(2), derive(c), false);
        }
    }

    /// WHERE clause and parameters for a query.
    struct Sql {
        std::string from = " FROM complaints c";
        std::string order = " ORDER BY c.received_at, c.rid";
        std::string where;
        std::vector<std::variant<std::int64_t, std::string>> params;
        void add(const std::string& cond) { where += (where.empty() ? " WHERE " : " AND ") + cond; }
        std::string p(std::variant<std::int64_t, std::string> v) {
            params.push_back(std::move(v));
            return "?" + std::to_string(params.size());
        }
    };

    static Sql where_of(const Query& q) {
        Sql s;
        if (q.status) s.add("c.status = " + s.p(std::string(to_code(*q.status))));
        if (q.open_only) {
            std::string in;
            for (auto st : open_states) in += (in.empty() ? "" : ", ") + s.p(std::string(st));
            s.add("c.status IN (" + in + ")");
        }
        if (q.overdue_at) s.add("c.due_at <= " + s.p(micros(*q.overdue_at)));
        // Without statistics SQLite would rather walk complaints_received in result order than
        // search a deadline index and sort; the unary + takes that order away from it.
        if ((q.overdue_at || q.at_risk_at) && q.facets.empty()) s.order = " ORDER BY +c.received_at, c.rid";
        if (q.at_risk_at) {
            const std::string t = s.p(micros(*q.at_risk_at));
            s.add("c.at_risk_at <= " + t + " AND c.due_at > " + t);
        }
        if (q.received_from) s.add("c.received_at >= " + s.p(micros(*q.received_from)));
        if (q.received_to) s.add("c.received_at < " + s.p(micros(*q.received_to)));
        if (!q.customer_id.empty()) s.add("c.customer_id = " + s.p(q.customer_id));
        if (!q.place_prefix.empty()) {
            std::string pre = q.place_prefix;
            while (!pre.empty() && pre.back() == '/') pre.pop_back();
            pre += '/';
            // Every place under the prefix sorts in [pre, pre + U+10FFFF).
            s.add("c.place >= " + s.p(pre) + " AND c.place < " + s.p(pre + "\xF4\x8F\xBF\xBF"));
        }
        for (const auto& [facet, value] : q.facets) {
            if (std::find(facet_names.begin(), facet_names.end(), facet) == facet_names.end())
                throw Error(ErrorCode::invalid_argument,
                            "unknown facet \"" + facet +
                                "\" (kind, category, subcategory, cause, sub_cause, attribution, dimension, "
                                "severity, personality, motive, reasonable, tag)");
            const bool tag = facet == "tag";
            const std::string table = tag ? "tag_index" : "facet_index";
            const std::string match = tag ? "tag = " + s.p(value) : "code = " + s.p(query_facet_key(facet, value));
            if (&facet == &q.facets.front().first) {
                // The first facet drives the query: its index rows are in receipt order, so the
                // result needs no sort and a LIMIT stops after `limit` matches.
                s.from = " FROM " + table +
                         " f JOIN complaints c ON c.rid = f.rid AND c.received_at = f.received_at";
                s.order = " ORDER BY f.received_at, f.rid";
                s.add("f." + match);
            } else {
                // One primary-key lookup per candidate row (not a list of every match).
                s.add("EXISTS (SELECT 1 FROM " + table + " g WHERE g." + match +
                      " AND g.received_at = c.received_at AND g.rid = c.rid)");
            }
        }
        return s;
    }

    Statement prepare(const Sql& s, const std::string& sql) const {
        Statement st(db.get(), sql, false);
        for (std::size_t i = 0; i < s.params.size(); ++i) {
            const int idx = static_cast<int>(i + 1);
            if (const auto* n = std::get_if<std::int64_t>(&s.params[i]))
                st.bind(idx, *n);
            else
                st.bind(idx, std::get<std::string>(s.params[i]));
        }
        return st;
    }

    static std::string select_sql(const Query& q, const Sql& s, std::string_view columns) {
        std::string sql = "SELECT ";
        sql += columns;
        sql += s.from + s.where + s.order;
        if (q.limit || q.offset)
            sql += " LIMIT " + (q.limit ? std::to_string(q.limit) : std::string("-1")) + " OFFSET " +
                   std::to_string(q.offset);
        return sql;
    }
};

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::Archive(Archive&&) noexcept = default;
Archive& Archive::operator=(Archive&&) noexcept = default;
Archive::~Archive() = default;

const std::string& Archive::path() const noexcept { return impl_->path; }
int Archive::opened_schema_version() const noexcept { return impl_->opened_version; }
int Archive::schema_version() const { return static_cast<int>(impl_->db.scalar("PRAGMA user_version")); }
void Archive::set_snapshot_deriver(SnapshotDeriver deriver) {
    impl_->deriver = deriver ? std::move(deriver) : SnapshotDeriver(default_snapshot);
}

Archive Archive::open(const std::string& path, const ArchiveOptions& options) {
    if (path.empty()) throw Error(ErrorCode::invalid_argument, "archive path must not be empty");
    std::uintmax_t size = 0;
    const bool exists = is_file_nonempty(path, size);
    if (!exists && (options.read_only || !options.create))
        throw Error(ErrorCode::not_found, "no archive at " + path);

    int version = 0;
    if (exists && size > 0) {
        // Inspect without writing: the header first, then a read-only connection.
        std::ifstream in(path, std::ios::binary);
        char header[16] = {};
        in.read(header, sizeof header);
        if (in.gcount() < 16 || std::memcmp(header, "SQLite format 3", 16) != 0)
            throw Error(ErrorCode::unsupported,
                        "refusing to open " + path + ": not a SQLite database, so not a complaintkit archive; "
                        "the file was left untouched");
        Connection probe(path, SQLITE_OPEN_READONLY);
        sqlite3_busy_timeout(probe.get(), options.busy_timeout_ms);
        std::int64_t app = 0, objects = 0;
        try {
            app = probe.scalar("PRAGMA application_id");
            version = static_cast<int>(probe.scalar("PRAGMA user_version"));
            objects = probe.scalar("SELECT count(*) FROM sqlite_master");
        } catch (const Error& e) {
            throw Error(ErrorCode::unsupported, "refusing to open " + path + ": " + e.what());
        }
        if (app != archive_application_id && !(app == 0 && version == 0 && objects == 0)) {
            std::ostringstream m;
            m << "refusing to open " << path << ": not a complaintkit archive (SQLite application_id 0x" << std::hex
              << app << std::dec << ", expected 0x" << std::hex << archive_application_id << std::dec << ", "
              << objects << " schema objects); the file was left untouched";
            throw Error(ErrorCode::unsupported, m.str());
        }
        if (version > archive_schema_version)
            throw Error(ErrorCode::unsupported,
                        "refusing to open " + path + ": archive schema version " + std::to_string(version) +
                            " is newer than this complaintkit supports (" + std::to_string(archive_schema_version) +
                            "); upgrade complaintkit. The file was left untouched");
        if (options.read_only && version < archive_schema_version)
            throw Error(ErrorCode::unsupported, "archive " + path + " has schema version " + std::to_string(version) +
                                                    " and needs migrating to " +
                                                    std::to_string(archive_schema_version) +
                                                    ": open it once with write access");
    }

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->options = options;
    impl->opened_version = version;
    if (options.workflow) impl->deriver = sla_snapshot_deriver(options.workflow);
    const int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    impl->db = Connection(path, flags);
    Connection& db = impl->db;
    sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
    if (!options.read_only) {
        // A new archive gets 16 KiB pages (SQLite's default is 4 KiB): a batch ingest then
        // writes a quarter of the WAL frames and B-tree splits, and runs ≈ 1.2× faster
        // (benchmarks/archive/README.md, round 5). Only an empty file takes it, and it must
        // precede WAL mode; an existing archive keeps the page size it was created with.
        if (version == 0 && !(exists && size > 0)) db.exec("PRAGMA page_size = " + std::to_string(archive_page_size));
        db.exec("PRAGMA journal_mode = WAL", "set WAL mode");
        db.exec(options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY");
        if (options.max_size_bytes > 0) {
            const std::int64_t page = db.scalar("PRAGMA page_size");
            const std::int64_t pages = std::max<std::int64_t>(options.max_size_bytes / (page ? page : 4096), 8);
            db.exec("PRAGMA max_page_count = " + std::to_string(pages), "limit the archive size");
        }
        Transaction t(db);
        const int before = detail::migrate_schema(db, archive_schema_version);
        if (before > 0 && before < 2) impl->rebuild_in_transaction();  // v2 added facets and deadlines
        t.commit();
        if (before == 0) impl->opened_version = 0;
    }
    return Archive(std::move(impl));
}

IngestReport Archive::ingest(const std::function<bool(IncomingRow&)>& next, const IngestOptions& options) {
    Impl& m = *impl_;
    m.require_writable("ingest");
    IngestReport rep;
    std::size_t committed = 0, in_batch = 0;
    std::optional<Transaction> tx;
    const std::int64_t now = wall_clock_micros();
    auto commit = [&] {
        if (!tx) return;
        tx->commit();
        tx.reset();
        committed += in_batch;
        in_batch = 0;
        ++rep.batches;
        if (options.on_commit) options.on_commit(committed);
    };
    auto reject = [&](RowError err) {
        if (options.stop_on_error) {
            tx.reset();  // rolls back the open batch
            throw Error(err.code, err.describe() + " (" + std::to_string(committed) +
                                      " complaints committed before; the open batch was rolled back)");
        }
        ++rep.rejected;
        if (options.on_reject) options.on_reject(err);
        rep.errors.push_back(std::move(err));
    };
    IncomingRow row;
    try {
        while (true) {
            row = IncomingRow{};
            m.row_record.clear();
            m.row_line = {};
            if (!next(row)) break;
            ++rep.rows;
            if (row.error) {
                if (row.error->raw.empty()) row.error->raw = row.raw;
                if (row.error->source.empty()) row.error->source = options.source;
                if (!row.error->line) row.error->line = row.line;
                reject(std::move(*row.error));
                continue;
            }
            if (!row.complaint) continue;
            if (!tx) tx.emplace(m.db);
            // A savepoint per row would cost; a failing row only ever fails before its first write
            // (duplicate / order checks come first), so the batch stays consistent.
            try {
                switch (m.store(*row.complaint, options.duplicates, now, m.row_record)) {
                case 1: ++rep.inserted; break;
                case 2: ++rep.updated; break;
                default: ++rep.skipped; break;
                }
                ++in_batch;
            } catch (const Error& e) {
                if (e.code() == ErrorCode::io || e.code() == ErrorCode::internal) throw;
                RowError err;
                err.source = options.source;
                err.line = row.line;
                err.id = row.complaint->id;
                err.code = e.code();
                err.message = e.message();
                err.column = e.path();
                err.raw = row.raw.empty() ? std::string(m.row_line) : row.raw;
                reject(std::move(err));
                continue;
            }
            if (options.batch_size && in_batch >= options.batch_size) commit();
            if (options.on_progress && rep.rows % 4096 == 0) options.on_progress(IngestProgress{rep.rows, committed, 0, 0});
        }
        commit();
    } catch (const Error& e) {
        tx.reset();
        if (e.code() != ErrorCode::io && e.code() != ErrorCode::internal) throw;
        throw Error(e.code(), std::string(e.what()) + " — ingest stopped at row " + std::to_string(rep.rows) +
                                  "; the open batch was rolled back, " + std::to_string(committed) +
                                  " complaints committed before");
    }
    if (options.on_progress) options.on_progress(IngestProgress{rep.rows, committed, 0, 0});
    return rep;
}

IngestReport Archive::ingest(std::span<const Complaint> complaints, const IngestOptions& options) {
    std::size_t i = 0;
    return ingest(
        [&](IncomingRow& r) {
            if (i == complaints.size()) return false;
            r.line = i + 1;
            r.complaint = complaints[i++];
            return true;
        },
        options);
}

IngestReport Archive::ingest_jsonl(std::string_view text, std::string_view source, const IngestOptions& options,
                                   const ParseOptions& parse) {
    detail::JsonLines lines(text);
    const std::string src(source);
    auto parser = std::make_unique<LineParser>();
    Impl& m = *impl_;
    return ingest(
        [&](IncomingRow& r) {
            std::string_view line;
            std::size_t line_no = 0;
            if (lines.next(line, line_no)) {
                r.line = line_no;
                try {
                    parser->parse(line, parse, m.row_record, r.complaint);
                } catch (const Error& e) {
                    r.raw = std::string(line);
                    r.error = RowError{src, line_no, e.path(), "", e.code(), e.message(), r.raw};
                }
                if (r.complaint) m.row_line = line;  // `text` outlives the ingest
                return true;
            }
            return false;
        },
        [&] {
            IngestOptions o = options;
            o.source = src;
            if (options.on_progress)  // with the bytes read, for a rate and an ETA
                o.on_progress = [&lines, total = text.size(), user = options.on_progress](const IngestProgress& p) {
                    IngestProgress q = p;
                    q.bytes = lines.position();
                    q.total_bytes = total;
                    user(q);
                };
            return o;
        }());
}

std::optional<Complaint> Archive::get(std::string_view id) const {
    Statement st(impl_->db.get(), "SELECT rid, record FROM complaints WHERE id = ?1", false);
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    Complaint c = Impl::complaint_of_record(st.text(1));
    c.events = impl_->load_events(st.int64(0));
    return c;
}

std::optional<Snapshot> Archive::snapshot(std::string_view id) const {
    Statement st(impl_->db.get(),
                 "SELECT status, last_event_at, facets, due_at, at_risk_at, next_wakeup, sla "
                 "FROM complaints WHERE id = ?1",
                 false);
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    return Impl::snapshot_of(st, 0);
}

std::vector<Event> Archive::events(std::string_view id) const {
    const auto rid = const_cast<Impl&>(*impl_).rid_of(id);
    if (!rid) throw Error(ErrorCode::not_found, "no complaint \"" + std::string(id) + "\" in the archive");
    return impl_->load_events(*rid);
}

std::size_t Archive::count() const {
    return static_cast<std::size_t>(impl_->db.scalar("SELECT count(*) FROM complaints"));
}
std::size_t Archive::event_count() const {
    return static_cast<std::size_t>(impl_->db.scalar("SELECT count(*) FROM events"));
}

std::size_t Archive::count(const Query& q) const {
    const auto s = Impl::where_of(q);
    Query unlimited = q;
    unlimited.limit = unlimited.offset = 0;
    auto st = impl_->prepare(s, "SELECT count(*)" + s.from + s.where);
    st.step();
    return static_cast<std::size_t>(st.int64(0));
}

std::vector<Summary> Archive::query(const Query& q) const {
    const auto s = Impl::where_of(q);
    auto st = impl_->prepare(
        s, Impl::select_sql(q, s,
                            "c.id, c.received_at, c.received_offset, c.channel, c.customer_id, c.place, c.status, "
                            "c.last_event_at, c.facets, c.due_at, c.at_risk_at, c.next_wakeup, c.sla"));
    std::vector<Summary> out;
    while (st.step()) {
        Summary r;
        r.id = std::string(st.text(0));
        r.received_at = from_micros(st.int64(1), st.int64(2));
        r.channel = from_code<Channel>(st.text(3)).value_or(Channel::unknown);
        r.customer_id = std::string(st.text(4));
        r.place = std::string(st.text(5));
        if (!r.place.empty()) r.place.pop_back();
        r.snapshot = Impl::snapshot_of(st, 6);
        out.push_back(std::move(r));
    }
    return out;
}

void Archive::for_each(const Query& q, const std::function<void(const Complaint&)>& f) const {
    const auto s = Impl::where_of(q);
    auto st = impl_->prepare(s, Impl::select_sql(q, s, "c.rid, c.record"));
    while (st.step()) {
        Complaint c = Impl::complaint_of_record(st.text(1));
        c.events = impl_->load_events(st.int64(0));
        f(c);
    }
}

std::string Archive::explain(const Query& q) const {
    const auto s = Impl::where_of(q);
    auto st = impl_->prepare(s, "EXPLAIN QUERY PLAN " + Impl::select_sql(q, s, "c.id, c.status"));
    std::string out;
    while (st.step()) {
        out += st.text(3);
        out += '\n';
    }
    return out;
}

Complaint Archive::update(std::string_view id, const std::function<void(Complaint&)>& change) {
    Impl& m = *impl_;
    m.require_writable("update");
    // BEGIN IMMEDIATE takes the write lock before the complaint is read: no other writer can
    // append between the history `change` checks and the events it appends.
    Transaction t(m.db);
    const auto rid = m.rid_of(id);
    if (!rid) throw Error(ErrorCode::not_found, "no complaint \"" + std::string(id) + "\" in the archive");
    Complaint c = *get(id);
    const Complaint before = c;
    try {
        change(c);
    } catch (const Error& err) {
        throw err.with_context("complaint " + std::string(id));
    }
    // Only appending is allowed: the stored history is the source of truth.
    const std::size_t old_n = before.events.size();
    bool same = c.events.size() >= old_n && std::equal(before.events.begin(), before.events.end(), c.events.begin());
    if (same) {
        Complaint a = c, b = before;
        a.events.clear();
        b.events.clear();
        same = a == b;
    }
    if (!same)
        throw Error(ErrorCode::invalid_argument, "complaint " + std::string(id) +
                                                     ": an update may only append events (the record and the "
                                                     "stored history are unchanged)");
    for (std::size_t i = old_n; i < c.events.size(); ++i) {
        Event& e = c.events[i];
        if (i > 0 && e.at < c.events[i - 1].at)
            throw Error(ErrorCode::out_of_order,
                        "complaint " + std::string(id) + ": event is earlier than the previous event (" +
                            format_timestamp(c.events[i - 1].at) + ")",
                        "/events/" + std::to_string(i) + "/at");
        if (e.payload.empty()) e.payload = "{}";
    }
    if (c.events.size() == old_n) return c;  // nothing to store; the transaction rolls back
    const auto old = m.indexed_facets(*rid);
    const std::int64_t now = wall_clock_micros();
    m.write_events(*rid, old_n, std::span<const Event>(c.events).subspan(old_n), now);
    m.write_snapshot(*rid, micros(c.received_at), m.derive(c), false, old);
    t.commit();
    return c;
}

void Archive::append_event(std::string_view id, const Event& e) {
    (void)update(id, [&](Complaint& c) { c.append(e); });
}

std::size_t Archive::rebuild() {
    Impl& m = *impl_;
    m.require_writable("rebuild");
    Transaction t(m.db);
    m.rebuild_in_transaction();
    t.commit();
    return count();
}

std::size_t Archive::verify_snapshots() const {
    const Impl& m = *impl_;
    Statement recs(m.db.get(),
                   "SELECT rid, record, status, last_event_at, facets, due_at, at_risk_at, next_wakeup, sla "
                   "FROM complaints ORDER BY rid",
                   false);
    std::size_t differ = 0;
    while (recs.step()) {
        Complaint c = Impl::complaint_of_record(recs.text(1));
        c.events = m.load_events(recs.int64(0));
        if (recs.is_null(2) || !(Impl::snapshot_of(recs, 2) == m.derive(c))) ++differ;
    }
    return differ;
}

std::optional<Timestamp> Archive::next_wakeup() const {
    Statement st(impl_->db.get(), "SELECT min(next_wakeup) FROM complaints WHERE next_wakeup IS NOT NULL", false);
    if (st.step() && !st.is_null(0)) return from_micros(st.int64(0));
    return std::nullopt;
}

std::string Archive::integrity_check() const {
    Statement st(impl_->db.get(), "PRAGMA integrity_check", false);
    std::string out;
    while (st.step()) {
        if (!out.empty()) out += '\n';
        out += st.text(0);
    }
    return out;
}

}  // namespace ck
