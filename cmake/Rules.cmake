# The rule engine: Hyperscan (Debian: libhyperscan-dev) as the multi-pattern scanner, and
# the default rule pack rules/default.json embedded into the library at build time.
find_path(CK_HYPERSCAN_INCLUDE_DIR hs/hs.h REQUIRED DOC "Hyperscan headers (apt install libhyperscan-dev)")
find_library(CK_HYPERSCAN_LIBRARY hs REQUIRED DOC "Hyperscan library (apt install libhyperscan-dev)")
target_include_directories(complaintkit SYSTEM PRIVATE "${CK_HYPERSCAN_INCLUDE_DIR}")
# Linked by name so the exported static target carries a plain -lhs.
target_link_libraries(complaintkit PRIVATE hs)

set(CK_DEFAULT_PACK "${CMAKE_CURRENT_SOURCE_DIR}/rules/default.json")
set(CK_DEFAULT_PACK_CPP "${CMAKE_CURRENT_BINARY_DIR}/generated/default_rules.cpp")
add_custom_command(OUTPUT "${CK_DEFAULT_PACK_CPP}"
  COMMAND ${CMAKE_COMMAND} -DIN=${CK_DEFAULT_PACK} -DOUT=${CK_DEFAULT_PACK_CPP}
          -P "${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedRulePack.cmake"
  DEPENDS "${CK_DEFAULT_PACK}" "${CMAKE_CURRENT_SOURCE_DIR}/cmake/EmbedRulePack.cmake"
  COMMENT "Embedding the default rule pack" VERBATIM)
target_sources(complaintkit PRIVATE "${CK_DEFAULT_PACK_CPP}")
install(FILES "${CK_DEFAULT_PACK}" DESTINATION ${CMAKE_INSTALL_DATADIR}/complaintkit/rules)
