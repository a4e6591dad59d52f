// complaintkit — the rule engine's folding (normalize.cpp). Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ck::detail {

/// normalize()'s folded text, and for every folded byte (and the end) where it came from:
/// the source byte offset (`normalize().source_offset`) in the low 32 bits and, in the
/// high 32 bits, the code points before that offset (counted as the rule engine counts
/// them: the source bytes that are not UTF-8 continuation bytes).
struct FoldedText {
    std::string text;
    std::vector<std::uint64_t> source;

    [[nodiscard]] std::uint32_t byte_offset(std::size_t at) const noexcept {
        return static_cast<std::uint32_t>(source[at]);
    }
    [[nodiscard]] std::uint32_t char_offset(std::size_t at) const noexcept {
        return static_cast<std::uint32_t>(source[at] >> 32);
    }
};

/// fold_codepoint() of every BMP code point (char16_t: every BMP code point folds into the
/// BMP), built on first use; the same table the folding loops read.
const char16_t* bmp_fold_table() noexcept;

/// Folds `utf8` into `out` (`source` left empty unless `sources`) and validates: returns
/// the number of invalid UTF-8 bytes (each folded to U+FFFD) and sets *first_invalid to
/// the offset of the first one.
std::size_t fold_checked(std::string_view utf8, FoldedText& out, std::size_t* first_invalid, bool sources);

}  // namespace ck::detail
