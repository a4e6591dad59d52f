// complaintkit — archive schema versions and forward migrations.
//
// Rules: a migration only adds (tables, columns, indexes); it never rewrites events. Each
// runs inside the opener's transaction together with the data steps that follow it, so a
// migration either happens completely or not at all. Tests migrate from every version.
#include "archive_schema.hpp"

#include <complaintkit/archive.hpp>

#include <string>

namespace ck::detail {

namespace {

// Version 1: complaints, append-only events, snapshots holding the status.
constexpr std::string_view v0_to_v1 = R"sql(
CREATE TABLE archive_meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE complaints(
  rid             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  received_at     INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
  received_offset INTEGER NOT NULL,   -- UTC offset it was written with, minutes
  channel         TEXT NOT NULL,
  customer_id     TEXT NOT NULL,
  place           TEXT NOT NULL,      -- region levels and branch joined by '/', plus a final '/'
  record          TEXT NOT NULL       -- the complaint JSON without its events
);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_customer ON complaints(customer_id, received_at);
CREATE INDEX complaints_place ON complaints(place);
CREATE TABLE events(
  rid         INTEGER NOT NULL REFERENCES complaints(rid),
  n           INTEGER NOT NULL,       -- position in the complaint's history, from 0
  at          INTEGER NOT NULL,
  at_offset   INTEGER NOT NULL,
  type        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  text        TEXT NOT NULL,
  payload     TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,       -- when the archive stored it (wall clock, µs)
  PRIMARY KEY(rid, n)
) WITHOUT ROWID;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: an event cannot be changed'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only: an event cannot be deleted'); END;
CREATE TABLE snapshots(
  rid           INTEGER PRIMARY KEY REFERENCES complaints(rid),
  status        TEXT NOT NULL,
  last_event_at INTEGER
);
CREATE INDEX snapshots_status ON snapshots(status);
INSERT INTO archive_meta(key, value) VALUES ('created_schema', '1');
)sql";

// Version 2: snapshots gain facets and SLA deadlines; facet values get their own index
// table so that a query by any facet uses an index. The opener rebuilds snapshots.
constexpr std::string_view v1_to_v2 = R"sql(
ALTER TABLE snapshots ADD COLUMN facets TEXT NOT NULL DEFAULT '{}';
ALTER TABLE snapshots ADD COLUMN due_at INTEGER;
ALTER TABLE snapshots ADD COLUMN at_risk_at INTEGER;
ALTER TABLE snapshots ADD COLUMN next_wakeup INTEGER;
ALTER TABLE snapshots ADD COLUMN sla TEXT NOT NULL DEFAULT '{}';
CREATE INDEX snapshots_due ON snapshots(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX snapshots_at_risk ON snapshots(at_risk_at) WHERE at_risk_at IS NOT NULL;
CREATE INDEX snapshots_wakeup ON snapshots(next_wakeup) WHERE next_wakeup IS NOT NULL;
CREATE TABLE facet_values(        -- one row per facet value of a snapshot (rows follow snapshots.facets)
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  rid   INTEGER NOT NULL REFERENCES complaints(rid),
  PRIMARY KEY(facet, value, rid)
) WITHOUT ROWID;
)sql";

// Version 3: facet index rows carry the complaint's receipt time after the facet and value,
// so a query by facet reads its matches in receipt order straight from the index and a
// LIMIT stops early instead of sorting every match. The rows are copied, not re-derived.
constexpr std::string_view v2_to_v3 = R"sql(
CREATE TABLE facet_values_v3(     -- one row per facet value of a snapshot (rows follow snapshots.facets)
  facet       TEXT NOT NULL,
  value       TEXT NOT NULL,
  received_at INTEGER NOT NULL,   -- complaints.received_at of rid: the order of a facet query
  rid         INTEGER NOT NULL REFERENCES complaints(rid),
  PRIMARY KEY(facet, value, received_at, rid)
) WITHOUT ROWID;
INSERT INTO facet_values_v3(facet, value, received_at, rid)
  SELECT f.facet, f.value, c.received_at, f.rid FROM facet_values f JOIN complaints c ON c.rid = f.rid;
DROP TABLE facet_values;
ALTER TABLE facet_values_v3 RENAME TO facet_values;
)sql";

// Version 4, two changes that make a complaint cheaper to store (benchmarks/archive, round 5):
// - the facet index keys coded facet values by an integer instead of two strings (smaller
//   rows, integer comparisons: ≈ 30 % less work per facet row), and tags, free text, get
//   their own table. The rows are converted from version 3's, not re-derived; the key table
//   (facet, value, key) is spelled out from the taxonomy when the step runs;
// - the snapshot moves into the complaint's row (one B-tree insert and one statement less
//   per complaint), its columns before the long record; the snapshot indexes follow it.
//   The table is rebuilt, so rowids, records and snapshots are copied unchanged.
constexpr std::string_view v3_to_v4_head = R"sql(
CREATE TABLE facet_index(         -- one row per coded facet value of a snapshot (rows follow complaints.facets)
  code        INTEGER NOT NULL,   -- (ck_taxonomy id + 1) * 256 + value number; reasonable: 64 * 256 + 0/1
  received_at INTEGER NOT NULL,   -- complaints.received_at of rid: the order of a facet query
  rid         INTEGER NOT NULL REFERENCES complaints(rid),
  PRIMARY KEY(code, received_at, rid)
) WITHOUT ROWID;
CREATE TABLE tag_index(           -- one row per distinct tag of a snapshot
  tag         TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  rid         INTEGER NOT NULL REFERENCES complaints(rid),
  PRIMARY KEY(tag, received_at, rid)
) WITHOUT ROWID;
INSERT INTO tag_index(tag, received_at, rid)
  SELECT value, received_at, rid FROM facet_values WHERE facet = 'tag';
)sql";
constexpr std::string_view v3_to_v4_tail = R"sql(
INSERT INTO facet_index(code, received_at, rid)
  SELECT k.code, f.received_at, f.rid FROM facet_values f JOIN facet_keys k ON k.facet = f.facet AND k.value = f.value;
DROP TABLE facet_keys;
DROP TABLE facet_values;
PRAGMA legacy_alter_table = ON;   -- events keep "REFERENCES complaints(rid)" through the rename
ALTER TABLE complaints RENAME TO complaints_v3;
CREATE TABLE complaints(
  rid             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL,
  received_at     INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
  received_offset INTEGER NOT NULL,   -- UTC offset it was written with, minutes
  channel         TEXT NOT NULL,
  customer_id     TEXT NOT NULL,
  place           TEXT NOT NULL,      -- region levels and branch joined by '/', plus a final '/'
  -- the snapshot: derived from the record and the events, rebuildable
  status          TEXT NOT NULL,
  last_event_at   INTEGER,
  due_at          INTEGER,
  at_risk_at      INTEGER,
  next_wakeup     INTEGER,
  facets          TEXT NOT NULL,      -- the record's facets overlaid by the last classification
  sla             TEXT NOT NULL,
  record          TEXT NOT NULL       -- the complaint JSON without its events (last: it is the long one)
);
INSERT INTO complaints(rid, id, received_at, received_offset, channel, customer_id, place, status, last_event_at,
                       due_at, at_risk_at, next_wakeup, facets, sla, record)
  SELECT c.rid, c.id, c.received_at, c.received_offset, c.channel, c.customer_id, c.place,
         coalesce(s.status, 'received'), s.last_event_at, s.due_at, s.at_risk_at, s.next_wakeup,
         coalesce(s.facets, '{}'), coalesce(s.sla, '{}'), c.record
  FROM complaints_v3 c LEFT JOIN snapshots s ON s.rid = c.rid ORDER BY c.rid;
DROP TABLE snapshots;
DROP TABLE complaints_v3;
PRAGMA legacy_alter_table = OFF;
CREATE UNIQUE INDEX complaints_id ON complaints(id);
CREATE INDEX complaints_received ON complaints(received_at);
CREATE INDEX complaints_customer ON complaints(customer_id, received_at);
CREATE INDEX complaints_place ON complaints(place);
CREATE INDEX complaints_status ON complaints(status);
CREATE INDEX complaints_due ON complaints(due_at) WHERE due_at IS NOT NULL;
CREATE INDEX complaints_at_risk ON complaints(at_risk_at) WHERE at_risk_at IS NOT NULL;
CREATE INDEX complaints_wakeup ON complaints(next_wakeup) WHERE next_wakeup IS NOT NULL;
)sql";

std::string v3_to_v4() {
    std::string sql(v3_to_v4_head);
    const auto row = [&](std::string_view facet, std::string_view value, std::int64_t key) {
        sql += "('" + std::string(facet) + "', '" + std::string(value) + "', " + std::to_string(key) + "), ";
    };
    sql += "CREATE TEMP TABLE facet_keys(facet TEXT, value TEXT, code INTEGER, PRIMARY KEY(facet, value));\n"
           "INSERT INTO facet_keys(facet, value, code) VALUES ";
    row("reasonable", "false", reasonable_key(false));
    row("reasonable", "true", reasonable_key(true));
    for (int t = 0; t <= static_cast<int>(TaxonomyId::kind); ++t) {
        const auto id = static_cast<TaxonomyId>(t);
        for (const auto& e : taxonomy_entries(id)) row(taxonomy_name(id), e.code, facet_key(id, e.value));
    }
    sql.resize(sql.size() - 2);  // the last ", "
    sql += ";\n";
    sql += v3_to_v4_tail;
    return sql;
}

}  // namespace

std::string migration_sql(int from_version) {
    switch (from_version) {
    case 0: return std::string(v0_to_v1);
    case 1: return std::string(v1_to_v2);
    case 2: return std::string(v2_to_v3);
    case 3: return v3_to_v4();
    default: throw Error(ErrorCode::internal, "no migration from schema version " + std::to_string(from_version));
    }
}

int migrate_schema(Connection& db, int target) {
    const int before = static_cast<int>(db.scalar("PRAGMA user_version"));
    for (int v = before; v < target; ++v) {
        db.exec(migration_sql(v), "migrate archive schema from version " + std::to_string(v));
        db.exec("PRAGMA user_version = " + std::to_string(v + 1), "set user_version");
    }
    if (before < target) db.exec("PRAGMA application_id = " + std::to_string(archive_application_id), "set application_id");
    return before;
}

}  // namespace ck::detail
