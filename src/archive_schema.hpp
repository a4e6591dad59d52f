// complaintkit — the archive's schema versions and forward migrations. Not installed.
#pragma once

#include "sqlite_connection.hpp"

#include <complaintkit/taxonomy.hpp>

#include <cstdint>
#include <string>

namespace ck::detail {

/// The integer key of a coded facet value in facet_index (schema 4): (taxonomy id + 1) × 256
/// + the value's number. Both numbers are fixed by the C API (ck_taxonomy and the enum
/// values), so the keys are part of the file format. The coded facets are the taxonomies
/// category … kind (ck_taxonomy 0 … 9); "reasonable" is 64 × 256 + 0 or 1. Tags are free
/// text and have their own table, tag_index.
constexpr std::int64_t facet_key(TaxonomyId id, int value) noexcept {
    return (static_cast<std::int64_t>(id) + 1) * 256 + value;
}
constexpr std::int64_t reasonable_key(bool v) noexcept { return 64 * 256 + (v ? 1 : 0); }

/// SQL that takes a database from version (index) to version (index + 1).
/// migration_sql(0) creates version 1 from an empty database.
std::string migration_sql(int from_version);

/// Applies migrations from the current PRAGMA user_version up to `target`, each in the
/// caller's transaction, and sets user_version and application_id. Returns the version the
/// database had before. Data-dependent steps (snapshot rebuild) are the caller's.
int migrate_schema(Connection& db, int target);

}  // namespace ck::detail
