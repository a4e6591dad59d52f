// complaintkit — the archive's schema versions and forward migrations. Not installed.
#pragma once

#include "sqlite_connection.hpp"

#include <string>

namespace ck::detail {

/// SQL that takes a database from version (index) to version (index + 1).
/// migration_sql(0) creates version 1 from an empty database.
std::string migration_sql(int from_version);

/// Applies migrations from the current PRAGMA user_version up to `target`, each in the
/// caller's transaction, and sets user_version and application_id. Returns the version the
/// database had before. Data-dependent steps (snapshot rebuild) are the caller's.
int migrate_schema(Connection& db, int target);

}  // namespace ck::detail
