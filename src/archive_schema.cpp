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

}  // namespace

std::string_view migration_sql(int from_version) {
    switch (from_version) {
    case 0: return v0_to_v1;
    case 1: return v1_to_v2;
    case 2: return v2_to_v3;
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
