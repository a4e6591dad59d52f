// complaintkit — text folding for matching (see normalize.hpp).
#include <complaintkit/normalize.hpp>

#include "fold_internal.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <type_traits>

namespace ck {
namespace detail {
extern const char32_t kT2sTable[][2];  // generated: sorted by source code point
extern const std::size_t kT2sTableSize;
}  // namespace detail

namespace {

/// Two-level lookup for BMP sources (page = high byte), binary search otherwise.
class T2sIndex {
public:
    T2sIndex() {
        for (std::size_t i = 0; i < detail::kT2sTableSize; ++i) {
            const char32_t from = detail::kT2sTable[i][0];
            const char32_t to = detail::kT2sTable[i][1];
            if (from >= 0x10000) continue;
            auto& page = pages_[from >> 8];
            if (!page) {
                page = std::make_unique<std::array<char16_t, 256>>();
                page->fill(0);
            }
            (*page)[from & 0xFF] = static_cast<char16_t>(to);
        }
    }
    [[nodiscard]] char32_t map(char32_t c) const noexcept {
        if (c < 0x10000) {
            const auto& page = pages_[c >> 8];
            if (!page) return c;
            const char16_t to = (*page)[c & 0xFF];
            return to ? to : c;
        }
        const auto* begin = detail::kT2sTable;
        const auto* end = detail::kT2sTable + detail::kT2sTableSize;
        const auto* it = std::lower_bound(begin, end, c, [](const char32_t(&e)[2], char32_t v) { return e[0] < v; });
        return (it != end && (*it)[0] == c) ? (*it)[1] : c;
    }

private:
    std::array<std::unique_ptr<std::array<char16_t, 256>>, 256> pages_{};
};

const T2sIndex& t2s_index() {
    static const T2sIndex index;
    return index;
}

constexpr char32_t kReplacement = 0xFFFD;

// Length of the valid sequence at s[i] (RFC 3629), or 0 when invalid.
inline std::size_t sequence_length(const unsigned char* s, std::size_t left) noexcept {
    const unsigned char c = s[0];
    if (c < 0x80) return 1;
    auto cont = [&](std::size_t k) { return k < left && (s[k] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && s[1] < 0xA0) return 0;
        if (c == 0xED && s[1] > 0x9F) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && s[1] < 0x90) return 0;
        if (c == 0xF4 && s[1] > 0x8F) return 0;
        return 4;
    }
    return 0;
}

inline char32_t decode(const unsigned char* s, std::size_t len) noexcept {
    switch (len) {
    case 1: return s[0];
    case 2: return (char32_t(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    case 3: return (char32_t(s[0] & 0x0F) << 12) | (char32_t(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    default:
        return (char32_t(s[0] & 0x07) << 18) | (char32_t(s[1] & 0x3F) << 12) | (char32_t(s[2] & 0x3F) << 6) |
               (s[3] & 0x3F);
    }
}

inline std::size_t encode(char32_t c, char* o) noexcept {
    if (c < 0x80) {
        o[0] = static_cast<char>(c);
        return 1;
    }
    if (c < 0x800) {
        o[0] = static_cast<char>(0xC0 | (c >> 6));
        o[1] = static_cast<char>(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = static_cast<char>(0xE0 | (c >> 12));
        o[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o[2] = static_cast<char>(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = static_cast<char>(0xF0 | (c >> 18));
    o[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    o[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    o[3] = static_cast<char>(0x80 | (c & 0x3F));
    return 4;
}

constexpr char32_t ascii_lower(char32_t c) noexcept { return (c - U'A' < 26u) ? c + 32 : c; }

// Everything except the Han table.
char32_t fold_non_han(char32_t c) noexcept {
    if (c < 0x80) return ascii_lower(c);
    if (c < 0x100) {
        if (c == 0xA0) return U' ';
        if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
        return c;
    }
    if (c < 0x180) {  // Latin Extended-A
        if (c == 0x130) return U'i';
        if (c == 0x178) return 0xFF;
        if (c == 0x17F) return U's';
        if ((c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
            return (c & 1) ? c : c + 1;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
        return c;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek capitals
    if (c == 0x3C2) return 0x3C3;                                 // final sigma
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic capitals
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    if (c >= 0x1E00 && c <= 0x1EFF) {  // Latin Extended Additional (Vietnamese)
        if (c <= 0x1E95 || c >= 0x1EA0) return (c & 1) ? c : c + 1;
        return c;
    }
    if (c >= 0x2000 && c <= 0x206F) {  // General Punctuation
        if (c <= 0x200A || c == 0x202F || c == 0x205F) return U' ';
        if (c >= 0x2010 && c <= 0x2015) return U'-';
        if (c == 0x2018 || c == 0x2019 || c == 0x201B) return U'\'';
        if (c == 0x201C || c == 0x201D || c == 0x201F) return U'"';
        return c;
    }
    if (c == 0x2212) return U'-';
    if (c == 0x3000) return U' ';  // ideographic space
    if (c >= 0xFF01 && c <= 0xFF5E) return ascii_lower(c - 0xFEE0);  // full-width ASCII
    if (c >= 0xFFE0 && c <= 0xFFE6) {  // full-width signs
        constexpr char32_t signs[] = {0xA2, 0xA3, 0xAC, 0xAF, 0xA6, 0xA5, 0x20A9};
        return signs[c - 0xFFE0];
    }
    return c;
}

inline bool may_be_han(char32_t c) noexcept {
    return (c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3005 && c <= 0x3007) || (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || c >= 0x20000;
}

inline char32_t fold_with(const T2sIndex& t2s, char32_t c) noexcept {
    if (may_be_han(c)) return t2s.map(c);
    return fold_non_han(c);
}

/// fold_with() of every BMP code point in one table (128 KiB): one load per code point in
/// the folding loops instead of the range tests and the two-level Han lookup. Every BMP
/// code point folds into the BMP (the Han table's BMP pages hold 16-bit targets).
class BmpFold {
public:
    BmpFold() : table_(std::make_unique<char16_t[]>(0x10000)) {
        const T2sIndex& t2s = t2s_index();
        for (char32_t c = 0; c < 0x10000; ++c) table_[c] = static_cast<char16_t>(fold_with(t2s, c));
    }
    [[nodiscard]] const char16_t* data() const noexcept { return table_.get(); }

private:
    std::unique_ptr<char16_t[]> table_;
};

const BmpFold& bmp_fold() {
    static const BmpFold table;
    return table;
}

constexpr std::array<char, 256> make_ascii_lower() {
    std::array<char, 256> t{};
    for (int i = 0; i < 256; ++i) t[i] = static_cast<char>((i >= 'A' && i <= 'Z') ? i + 32 : i);
    return t;
}
constexpr auto kAsciiLower = make_ascii_lower();

/// 8 ASCII bytes folded at once (A–Z → a–z); `w` has no byte ≥ 0x80.
inline std::uint64_t ascii_lower8(std::uint64_t w) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    const std::uint64_t ge_a = w + ones * (0x80 - 'A');       // high bit: byte ≥ 'A'
    const std::uint64_t gt_z = w + ones * (0x80 - 'Z' - 1);   // high bit: byte > 'Z'
    return w | (((ge_a & ~gt_z) & (ones * 0x80)) >> 2);       // 0x80 >> 2 == 0x20
}

/// Where an output byte came from, as `Off` holds it: the source byte offset (uint32_t:
/// NormalizedText), or that offset and the code points before it (uint64_t: FoldedText).
template <class Off> constexpr Off source_entry(std::size_t byte, std::uint64_t chars) noexcept {
    if constexpr (sizeof(Off) == 8) return static_cast<Off>(byte | (chars << 32));
    else return static_cast<Off>(byte);
}

/// Folds `in` into `text` (and, unless Off is void, where every output byte came from).
/// Returns the number of invalid UTF-8 bytes (each became U+FFFD); *first_invalid gets
/// the first one's offset.
template <class Off>
std::size_t fold(std::string_view in, std::string& text, std::vector<Off>* offsets, std::size_t* first_invalid = nullptr) {
    constexpr bool WithOffsets = !std::is_void_v<Off>;
    using Entry = std::conditional_t<WithOffsets, Off, std::uint32_t>;
    std::uint64_t chars = 0;  // code points before s[i] (source bytes that are not continuation bytes)
    const auto& t2s = t2s_index();
    // A local copy of the table's address: the byte stores below may alias any object.
    const char16_t* const bmp = bmp_fold().data();
    const auto* s = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t n = in.size();
    // Valid text never grows; each invalid byte grows by 2 (U+FFFD), handled by regrowth.
    std::size_t cap = n;
    text.resize(cap);
    if constexpr (WithOffsets) offsets->resize(cap + 1);
    char* o = text.data();
    Entry* off = nullptr;
    if constexpr (WithOffsets) off = offsets->data();
    std::size_t w = 0;
    std::size_t i = 0;
    std::size_t invalid = 0;
    while (i < n) {
        // ASCII run: 8 bytes at a time, then byte by byte. (w <= i while the text is valid;
        // after a U+FFFD the output runs ahead, and the capacity check below covers it.)
        while (i + 8 <= n && w + 8 <= cap) {
            std::uint64_t x;
            std::memcpy(&x, s + i, 8);
            if (x & 0x8080808080808080ULL) break;
            x = ascii_lower8(x);
            std::memcpy(o + w, &x, 8);
            if constexpr (WithOffsets) {
                for (std::size_t j = 0; j < 8; ++j) off[w + j] = source_entry<Entry>(i + j, chars + j);
                chars += 8;
            }
            w += 8;
            i += 8;
        }
        while (i < n && s[i] < 0x80 && w < cap) {
            o[w] = kAsciiLower[s[i]];
            if constexpr (WithOffsets) off[w] = source_entry<Entry>(i, chars++);
            ++w;
            ++i;
        }
        if (i >= n) break;
        // Run of valid 3-byte sequences (U+0800–U+FFFF: Chinese text): decoded and folded
        // here; each folds to at most 3 bytes (the Han table and the other folds stay in
        // the BMP). Anything else (and the surrogate / overlong edge cases) takes the
        // general path below.
        while (i + 3 <= n && w + 3 <= cap) {
            // (detail::valid_utf8_3 spelled out: called here, it costs this loop ≈ 9 % more
            // instructions with GCC 12, a different branch layout)
            const unsigned char c0 = s[i], c1 = s[i + 1], c2 = s[i + 2];
            if ((c0 & 0xF0) != 0xE0 || (c1 & 0xC0) != 0x80 || (c2 & 0xC0) != 0x80) break;
            if ((c0 == 0xE0 && c1 < 0xA0) || (c0 == 0xED && c1 > 0x9F)) break;
            const char32_t c = (char32_t(c0 & 0x0F) << 12) | (char32_t(c1 & 0x3F) << 6) | (c2 & 0x3F);
            const char32_t f = bmp[c];
            const Entry at = source_entry<Entry>(i, chars);
            if constexpr (WithOffsets) ++chars;
            if (f == c) {  // the common case: the code point stays, three bytes
                o[w] = static_cast<char>(c0);
                o[w + 1] = static_cast<char>(c1);
                o[w + 2] = static_cast<char>(c2);
                if constexpr (WithOffsets) off[w] = off[w + 1] = off[w + 2] = at;
                w += 3;
            } else {
                const std::size_t k = encode(f, o + w);
                if constexpr (WithOffsets)
                    for (std::size_t j = 0; j < k; ++j) off[w + j] = at;
                w += k;
            }
            i += 3;
        }
        if (i >= n) break;
        if (s[i] < 0x80 && w < cap) continue;  // back to the ASCII loops
        std::size_t len = sequence_length(s + i, n - i);
        char32_t c;
        if (len == 0) {
            if (invalid++ == 0 && first_invalid) *first_invalid = i;
            c = kReplacement;
            len = 1;
        } else {
            const char32_t d = decode(s + i, len);
            c = d < 0x10000 ? char32_t{bmp[d]} : fold_with(t2s, d);
        }
        if (w + 4 > cap) {
            cap = std::max<std::size_t>(cap * 2, w + 8);
            text.resize(cap);
            o = text.data();
            if constexpr (WithOffsets) {
                offsets->resize(cap + 1);
                off = offsets->data();
            }
        }
        const std::size_t k = encode(c, o + w);
        if constexpr (WithOffsets) {
            const Entry at = source_entry<Entry>(i, chars);
            for (std::size_t j = 0; j < k; ++j) off[w + j] = at;
            chars += (s[i] & 0xC0) != 0x80 ? 1 : 0;  // a stray continuation byte counts no code point
        }
        w += k;
        i += len;
    }
    text.resize(w);
    if constexpr (WithOffsets) {
        offsets->resize(w + 1);
        (*offsets)[w] = source_entry<Entry>(n, chars);
    }
    return invalid;
}

}  // namespace

char32_t fold_codepoint(char32_t c) noexcept { return c < 0x10000 ? char32_t{bmp_fold().data()[c]} : fold_with(t2s_index(), c); }

void normalize_into(std::string_view utf8, NormalizedText& out) { fold(utf8, out.text, &out.source_offset); }

namespace detail {
const char16_t* bmp_fold_table() noexcept { return bmp_fold().data(); }

std::size_t fold_checked(std::string_view utf8, FoldedText& out, std::size_t* first_invalid, bool sources) {
    if (sources) return fold(utf8, out.text, &out.source, first_invalid);
    out.source.clear();
    return fold<void>(utf8, out.text, nullptr, first_invalid);
}
}  // namespace detail

NormalizedText normalize(std::string_view utf8) {
    NormalizedText out;
    normalize_into(utf8, out);
    return out;
}

std::string normalize_text(std::string_view utf8) {
    std::string out;
    fold<void>(utf8, out, nullptr);
    return out;
}

std::size_t t2s_table_size() noexcept { return detail::kT2sTableSize; }

ScriptClass script_class(char32_t c) noexcept {
    if (c < 0x80) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
            return ScriptClass::word;
        return ScriptClass::other;
    }
    if (c < 0x100) return (c >= 0xC0 && c != 0xD7 && c != 0xF7) || c == 0xAA || c == 0xB5 || c == 0xBA
                              ? ScriptClass::word
                              : ScriptClass::other;
    if (c < 0x530) return ScriptClass::word;  // Latin Extended, IPA, Greek, Cyrillic, Armenian
    if (c >= 0x1E00 && c <= 0x1FFF) return ScriptClass::word;
    if (c >= 0xFF10 && c <= 0xFF19) return ScriptClass::word;
    if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) return ScriptClass::word;
    if ((c >= 0x2E80 && c <= 0x2FDF) || (c >= 0x3005 && c <= 0x3007) || (c >= 0x3040 && c <= 0x30FF) ||
        (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF))
        return ScriptClass::cjk;
    return ScriptClass::other;
}

char32_t decode_utf8(std::string_view s, std::size_t i, std::size_t* length) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
    std::size_t len = i < s.size() ? sequence_length(p, s.size() - i) : 0;
    if (len == 0) {
        if (length) *length = 1;
        return kReplacement;
    }
    if (length) *length = len;
    return decode(p, len);
}

void append_utf8(std::string& out, char32_t c) {
    char buf[4];
    out.append(buf, encode(c, buf));
}

}  // namespace ck
