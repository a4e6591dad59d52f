# cmake -DIN=pack.json -DOUT=out.cpp -P EmbedRulePack.cmake: the pack as a byte array.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('\\\\x[0-9a-f][0-9a-f]',){24})" "\\1\n    " bytes "${bytes}")
file(WRITE "${OUT}" "// Generated from rules/default.json by cmake/EmbedRulePack.cmake. Do not edit.
#include <cstddef>
namespace ck::detail {
extern const char kDefaultRulePack[];
extern const std::size_t kDefaultRulePackSize;
const char kDefaultRulePack[] = {
    ${bytes}'\\0'};
const std::size_t kDefaultRulePackSize = ${size};
}  // namespace ck::detail
")
