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

/// Whether c0 c1 c2 is a valid 3-byte UTF-8 sequence (U+0800–U+FFFF, no overlong form, no
/// surrogate): the text model scanner's fast path for Chinese text, the same test as the
/// fold's 3-byte loop in normalize.cpp. (Bytes, not a pointer: a caller's byte stores could
/// alias one.)
[[gnu::always_inline]] inline bool valid_utf8_3(unsigned char c0, unsigned char c1, unsigned char c2) noexcept {
    if ((c0 & 0xF0) != 0xE0 || (c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) return false;
    return !((c0 == 0xE0 && c1 < 0xA0) || (c0 == 0xED && c1 > 0x9F));
}
/// The code point of a valid 3-byte sequence (valid_utf8_3).
[[gnu::always_inline]] inline char32_t decode_utf8_3(unsigned char c0, unsigned char c1, unsigned char c2) noexcept {
    return (char32_t(c0 & 0x0F) << 12) | (char32_t(c1 & 0x3F) << 6) | (c2 & 0x3F);
}

/// fold_codepoint() of every BMP code point (char16_t: every BMP code point folds into the
/// BMP), built on first use; the same table the folding loops read.
const char16_t* bmp_fold_table() noexcept;

/// Folds `utf8` into `out` (`source` left empty unless `sources`) and validates: returns
/// the number of invalid UTF-8 bytes (each folded to U+FFFD) and sets *first_invalid to
/// the offset of the first one.
std::size_t fold_checked(std::string_view utf8, FoldedText& out, std::size_t* first_invalid, bool sources);

}  // namespace ck::detail
