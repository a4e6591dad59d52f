// complaintkit — the complaint archive (投诉档案, 登记簿) on SQLite.
//
// One file (default "complaints.db"), WAL mode, schema versioned with PRAGMA user_version
// and migrated forward on open. Complaints are stored as records; their history lives in an
// append-only `events` table, the source of truth. Current state, facets and SLA deadlines
// are *snapshots*: derived from record + events by a SnapshotDeriver and rebuildable at any
// time (Archive::rebuild). See docs/archive.md.
//
// No SQLite in this header. An Archive is one connection: use it from one thread at a time;
// open one Archive per thread (or process) for concurrent readers while one writer ingests.
#pragma once

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/taxonomy.hpp>
#include <complaintkit/time.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ck {

class Workflow;

/// Newest schema version this library reads and writes (PRAGMA user_version).
inline constexpr int archive_schema_version = 4;
/// PRAGMA application_id of a complaintkit archive ("CKAR").
inline constexpr std::int32_t archive_application_id = 0x434B4152;
/// Page size (bytes) of a new archive file; an existing file keeps the one it was created with.
inline constexpr int archive_page_size = 16384;

/// What ingest does with a complaint whose id is already in the archive.
enum class DuplicatePolicy : std::uint8_t {
    reject = 0,  ///< a row error (the default): never silently doubled
    upsert = 1,  ///< replace the record; append the incoming events newer than the stored history
    skip = 2,    ///< keep the stored complaint, count the incoming one as skipped
};

struct ArchiveOptions {
    bool read_only = false;     ///< open without write access (ingest then fails with ErrorCode::io)
    bool create = true;         ///< create the file if it does not exist
    /// PRAGMA synchronous=FULL: a committed batch also survives power loss. The default
    /// (NORMAL, in WAL mode) survives a crash or SIGKILL of the process.
    bool synchronous_full = false;
    int busy_timeout_ms = 10000;  ///< how long a writer waits for another writer's lock
    /// Refuse to grow the file beyond this many bytes (0 = no limit). A write that would
    /// exceed it fails like a full disk: ErrorCode::io, nothing of the batch stored.
    std::int64_t max_size_bytes = 0;
    /// The workflow (SLA policies, calendars) whose state and deadlines the snapshots hold
    /// (sla_snapshot_deriver). Null: snapshots carry status and facets only, no deadlines.
    std::shared_ptr<const Workflow> workflow;
};

/// Derived state of one complaint. Never the source of truth: rebuildable from events.
struct Snapshot {
    Status status = Status::received;
    Facets facets;                          ///< the record's facets overlaid by the last classification
    std::optional<Timestamp> last_event_at;
    std::optional<Timestamp> due_at;        ///< earliest open SLA deadline (none when closed or no policy)
    std::optional<Timestamp> at_risk_at;    ///< when the complaint counts as at risk of breaching
    std::optional<Timestamp> next_wakeup;   ///< when the snapshot must be recomputed (next SLA transition)
    std::string sla = "{}";                 ///< SLA detail as a JSON object, from the deriver
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

/// Computes a snapshot from a complaint (record + full history). Must be a pure function.
using SnapshotDeriver = std::function<Snapshot(const Complaint&)>;

/// The built-in deriver: status from the last lifecycle event, facets from the record
/// overlaid by the payload {"facets": {...}} of the last `classified` event, no deadlines.
Snapshot default_snapshot(const Complaint& c);
/// The deriver of a workflow: status, facets and escalation from the workflow's replay, and
/// the SLA clocks as of the last event — due_at the earliest open deadline, at_risk_at the
/// next warning before it, next_wakeup the next warning or breach; `sla` lists every clock:
/// {"targets": [{"name", "cycle", "policy", "due", "met_at", "breached_at", "met"}], "level"}.
SnapshotDeriver sla_snapshot_deriver(std::shared_ptr<const Workflow> workflow);
/// Status after a history (the built-in mapping of event types to states).
Status status_after(std::span<const Event> events) noexcept;
/// Facets of a complaint after its last `classified` event.
Facets facets_after(const Complaint& c);

/// One rejected input row.
struct RowError {
    std::string source;      ///< file name or "-" for stdin
    std::size_t line = 0;    ///< 1-based line where the row starts (0 when not from a file)
    std::string column;      ///< CSV column / JSON pointer of the offending value ("" if the whole row)
    std::string id;          ///< complaint id when known
    ErrorCode code = ErrorCode::parse;
    std::string message;
    std::string raw;         ///< the row as read, for a reject file
    /// "source:line: column "X": message" — the form printed by the CLI.
    [[nodiscard]] std::string describe() const;
};

/// One incoming row for Archive::ingest: a parsed complaint or the error it gave.
struct IncomingRow {
    std::size_t line = 0;
    std::string raw;
    std::optional<Complaint> complaint;
    std::optional<RowError> error;
};

struct IngestProgress {
    std::size_t rows = 0;        ///< rows read so far
    std::size_t committed = 0;   ///< complaints committed so far
    std::size_t bytes = 0;       ///< input bytes consumed so far (0 if unknown)
    std::size_t total_bytes = 0; ///< input size (0 if unknown)
};

struct IngestOptions {
    std::string source = "-";  ///< file name used in RowError::source
    DuplicatePolicy duplicates = DuplicatePolicy::reject;
    /// Complaints per transaction; 0 puts the whole input in one transaction (all or nothing).
    std::size_t batch_size = 10000;
    /// true: the first bad row rolls back the open batch and throws (earlier batches stay).
    /// false: bad rows are reported (IngestReport::errors, on_reject) and the rest goes in.
    bool stop_on_error = true;
    std::function<void(const RowError&)> on_reject;            ///< each rejected row, as it happens
    std::function<void(const IngestProgress&)> on_progress;    ///< after each row batch
    std::function<void(std::size_t committed)> on_commit;      ///< after each committed transaction
};

struct IngestReport {
    std::size_t rows = 0, inserted = 0, updated = 0, skipped = 0, rejected = 0, batches = 0;
    std::vector<RowError> errors;  ///< the rejected rows (stop_on_error=false)
};

/// Selects complaints. Every given criterion must hold (AND). Each is served by an index.
struct Query {
    std::optional<Status> status;
    bool open_only = false;                   ///< not resolved / follow-up done / closed / withdrawn
    std::optional<Timestamp> overdue_at;      ///< due_at <= t
    std::optional<Timestamp> at_risk_at;      ///< at_risk_at <= t < due_at
    std::optional<Timestamp> received_from;   ///< received_at >= t
    std::optional<Timestamp> received_to;     ///< received_at < t
    std::string customer_id;                  ///< exact
    /// Place prefix: region levels and branch joined by '/', top first ("广东省/深圳市"
    /// matches every branch in 深圳市, "广东省/深圳市/南山店" that branch). Whole levels only.
    std::string place_prefix;
    /// Facet = value pairs: facet is a Facets member name ("category", "cause", "severity", …)
    /// or "tag"; value is its code ("logistics") or the tag.
    std::vector<std::pair<std::string, std::string>> facets;
    std::size_t limit = 0;   ///< 0 = all
    std::size_t offset = 0;
};

/// A row of a query result.
struct Summary {
    std::string id;
    Timestamp received_at;
    Channel channel = Channel::unknown;
    std::string customer_id;
    std::string place;   ///< region + branch joined by '/'
    Snapshot snapshot;
};

/// The place path of a complaint: region levels then branch, joined by '/'.
std::string place_of(const Complaint& c);

/// A query from JSON (strict; errors name the JSON pointer):
/// {"status": code, "open": bool, "overdue_at": time, "at_risk_at": time, "received_from": time,
///  "received_to": time, "customer": id, "place": prefix, "facets": {"category": "logistics", "tag": "x"},
///  "limit": n, "offset": n}. Every member is optional.
Query query_from_json(std::string_view json);
/// A query result row as a JSON object: id, received_at, channel, customer_id, place, status,
/// facets, and last_event_at / due_at / at_risk_at / next_wakeup when set, sla.
std::string to_json(const Summary& s);
/// One history event from JSON ({"at", "type", "actor", "text", "payload"}); errors carry the
/// JSON pointer inside the event ("/type").
Event event_from_json(std::string_view json);
/// An ingest report as JSON: counts and "errors": [{source, line, column, id, code, message}].
std::string to_json(const IngestReport& r);

class Archive {
public:
    /// Opens (creating if allowed) an archive. A file that is not a SQLite database, a
    /// SQLite database that is not a complaintkit archive, or an archive of a newer schema
    /// is refused (ErrorCode::unsupported) and left untouched. Older schemas are migrated
    /// forward in one transaction.
    static Archive open(const std::string& path, const ArchiveOptions& options = {});

    Archive(Archive&&) noexcept;
    Archive& operator=(Archive&&) noexcept;
    Archive(const Archive&) = delete;
    Archive& operator=(const Archive&) = delete;
    ~Archive();

    [[nodiscard]] const std::string& path() const noexcept;
    [[nodiscard]] int schema_version() const;
    /// Schema version the file had before open() migrated it.
    [[nodiscard]] int opened_schema_version() const noexcept;

    /// Replaces the snapshot deriver (e.g. with one that applies an SLA policy). Existing
    /// snapshots are not touched: call rebuild() to recompute them.
    void set_snapshot_deriver(SnapshotDeriver deriver);

    /// Ingests rows from a producer (returns false at the end). Good rows go in, in
    /// transactions of options.batch_size; see IngestOptions for bad rows and duplicates.
    IngestReport ingest(const std::function<bool(IncomingRow&)>& next, const IngestOptions& options = {});
    /// Ingests parsed complaints.
    IngestReport ingest(std::span<const Complaint> complaints, const IngestOptions& options = {});
    /// Ingests JSON Lines in the complaint format (docs/complaint-json.md).
    IngestReport ingest_jsonl(std::string_view text, std::string_view source = "-",
                              const IngestOptions& options = {}, const ParseOptions& parse = {});

    /// The complaint with its full history, or nullopt.
    [[nodiscard]] std::optional<Complaint> get(std::string_view id) const;
    [[nodiscard]] std::optional<Snapshot> snapshot(std::string_view id) const;
    [[nodiscard]] std::vector<Event> events(std::string_view id) const;
    [[nodiscard]] std::size_t count() const;
    [[nodiscard]] std::size_t count(const Query& q) const;
    [[nodiscard]] std::size_t event_count() const;
    [[nodiscard]] std::vector<Summary> query(const Query& q) const;
    /// Calls f for each selected complaint (full record and history), in received order.
    void for_each(const Query& q, const std::function<void(const Complaint&)>& f) const;
    /// SQLite's EXPLAIN QUERY PLAN of the statement query(q) runs, one step per line.
    [[nodiscard]] std::string explain(const Query& q) const;

    /// Appends one event to a complaint's history and updates its snapshot, in one
    /// transaction. Throws not_found, or out_of_order if earlier than the last event.
    void append_event(std::string_view id, const Event& e);
    /// Check-and-append in one write transaction: reads the complaint (full history) with
    /// the write lock held, calls `change`, which may check the history and append events
    /// (e.g. Workflow::apply), then stores the new events and the snapshot. No other writer
    /// can append in between; an exception from `change` (given the context "complaint ID")
    /// leaves the archive unchanged. `change` may only append: a changed record or stored
    /// event is refused (invalid_argument), as are events out of time order. Returns the
    /// complaint as stored. Throws not_found for an unknown id.
    Complaint update(std::string_view id, const std::function<void(Complaint&)>& change);

    /// Recomputes every snapshot from records and events in one transaction; returns the
    /// number of complaints. Throws if the archive is read-only.
    std::size_t rebuild();
    /// Number of stored snapshots that differ from a fresh derivation (0 = consistent).
    [[nodiscard]] std::size_t verify_snapshots() const;
    /// Earliest next_wakeup over all complaints (when an SLA clock next changes state).
    [[nodiscard]] std::optional<Timestamp> next_wakeup() const;
    /// PRAGMA integrity_check: "ok" or SQLite's findings.
    [[nodiscard]] std::string integrity_check() const;

    struct Impl;

private:
    explicit Archive(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ck
