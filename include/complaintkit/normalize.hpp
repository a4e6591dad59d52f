// complaintkit — text normalisation for matching.
//
// Keywords and complaint texts are folded the same way before they are matched, so that
// matching is insensitive to Latin case, to full-width vs half-width forms and to
// Traditional vs Simplified Chinese. Folding maps one source code point to exactly one
// output code point, so every byte of the folded text can be traced back to the source.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// Text folded for matching, plus for every byte of `text` the byte offset in the source it came from
/// (source_offset.size() == text.size() + 1; the last entry is the source size).
struct NormalizedText {
    std::string text;
    std::vector<std::uint32_t> source_offset;
};

/// Folds valid UTF-8 for matching: Latin letters to lower case (ASCII and Latin-1/Latin Extended-A at least), full-width
/// forms (U+FF01–FF5E) and the ideographic space to ASCII, Traditional Chinese characters to Simplified (character-level
/// table derived from OpenCC's t2s character data), compatibility variants as sensible. One source code point → one output code point.
///
/// Invalid UTF-8 is not an error here: each byte of an invalid sequence becomes U+FFFD
/// (callers that must reject invalid text check it first, see utf8.hpp).
NormalizedText normalize(std::string_view utf8);
/// The same, without offsets.
std::string normalize_text(std::string_view utf8);
/// The folded form of one code point (itself when nothing applies).
char32_t fold_codepoint(char32_t c) noexcept;

/// Like normalize(), but reuses `out`'s storage (for hot loops).
void normalize_into(std::string_view utf8, NormalizedText& out);

/// Number of Traditional→Simplified (and variant) mappings compiled into the library.
std::size_t t2s_table_size() noexcept;

/// Unicode script class of a code point as far as matching cares.
enum class ScriptClass : std::uint8_t {
    other = 0,   ///< punctuation, symbols, spaces
    word = 1,    ///< letters and digits of alphabetic scripts (Latin, Greek, Cyrillic) and '_'
    cjk = 2,     ///< Han ideographs, kana, hangul: no word boundaries
};
ScriptClass script_class(char32_t c) noexcept;

/// Decodes the code point at s[i] (valid UTF-8 assumed; U+FFFD and length 1 otherwise).
char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t* length) noexcept;
/// Appends the UTF-8 encoding of c.
void append_utf8(std::string& out, char32_t c);

}  // namespace ck
