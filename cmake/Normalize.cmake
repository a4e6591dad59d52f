# The Traditional→Simplified table of the text normaliser (include/complaintkit/normalize.hpp),
# generated at build time: a small host tool lists the CJK code points, the `opencc` tool
# (Debian: opencc, libopencc-data) converts them with t2s (then tw2s and hk2s for
# variants), and the tool turns the differences into a sorted C++ table compiled into
# the library. The runtime needs no OpenCC.
find_program(CK_OPENCC_EXECUTABLE opencc REQUIRED
  DOC "OpenCC command-line tool (apt install opencc), used at build time only")
add_executable(ck_t2s_table_gen "${CMAKE_CURRENT_SOURCE_DIR}/src/gen/t2s_table_gen.cpp")
set(CK_T2S_DIR "${CMAKE_CURRENT_BINARY_DIR}/generated/t2s")
set(CK_T2S_CONVERTED)
add_custom_command(OUTPUT "${CK_T2S_DIR}/codepoints.txt"
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CK_T2S_DIR}"
  COMMAND ck_t2s_table_gen codepoints "${CK_T2S_DIR}/codepoints.txt"
  DEPENDS ck_t2s_table_gen VERBATIM)
foreach(cfg t2s tw2s hk2s)
  add_custom_command(OUTPUT "${CK_T2S_DIR}/${cfg}.txt"
    COMMAND ${CK_OPENCC_EXECUTABLE} -c ${cfg} -i "${CK_T2S_DIR}/codepoints.txt" -o "${CK_T2S_DIR}/${cfg}.txt"
    DEPENDS "${CK_T2S_DIR}/codepoints.txt" VERBATIM)
  list(APPEND CK_T2S_CONVERTED "${CK_T2S_DIR}/${cfg}.txt")
endforeach()
add_custom_command(OUTPUT "${CK_T2S_DIR}/t2s_table.cpp"
  COMMAND ck_t2s_table_gen table "${CK_T2S_DIR}/t2s_table.cpp" "${CK_T2S_DIR}/codepoints.txt" ${CK_T2S_CONVERTED}
  DEPENDS ck_t2s_table_gen ${CK_T2S_CONVERTED}
  COMMENT "Generating the Traditional→Simplified table from OpenCC" VERBATIM)
target_sources(complaintkit PRIVATE "${CK_T2S_DIR}/t2s_table.cpp")
