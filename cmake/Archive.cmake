# The complaint archive stores into SQLite (Debian: libsqlite3-dev). Included after the
# library target is defined.
find_package(SQLite3 REQUIRED)
target_link_libraries(complaintkit PRIVATE SQLite::SQLite3)
string(APPEND CK_CONFIG_EXTRA_DEPENDENCIES "find_dependency(SQLite3)\n")
