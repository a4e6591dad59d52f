// complaintkit — feature extraction of the text model (internal, not installed).
//
// The text is first normalised by ck::normalize_text (the rule engine's normaliser), then
// cut into runs of code points of three kinds: separators, "word" characters (Latin and
// other alphabetic scripts, digits) and CJK characters (Han, kana, Hangul). Features:
//   word runs   unigram "w:word", bigram "w:prev|word" (consecutive words, reset by a CJK
//               run), word-bounded character n-grams "c:<wo" of "<word>";
//   CJK runs    character n-grams "h:退款" inside the run (no segmentation needed).
// Each feature is a 64-bit hash (never 0) of its namespace and code points. Changing
// anything here changes textmodel_feature_version.
#pragma once

#include <complaintkit/normalize.hpp>
#include <complaintkit/textmodel.hpp>

#include "fold_internal.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ck::tm {

inline constexpr std::uint64_t kPrime = 0x100000001B3ULL;
inline constexpr std::uint64_t kNsWord = 0x9AE16A3B2F90404FULL;
inline constexpr std::uint64_t kNsBigram = 0xC3A5C85C97CB3127ULL;
inline constexpr std::uint64_t kNsLatinChar = 0xB492B66FBE98F273ULL;
inline constexpr std::uint64_t kNsCjkChar = 0x9E3779B97F4A7C15ULL;
inline constexpr std::size_t kMaxCharNgramWord = 32;  ///< longer words: no character n-grams

/// splitmix64's finaliser; the result is never 0 (0 marks empty slots).
inline std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return x ? x : 1;
}

/// The word hash (feature version 2): over the word's folded UTF-8 bytes in 8-byte
/// little-endian chunks (the last one zero-padded), then the length. Chunks instead of bytes
/// let the scanner hash an ASCII word with one multiply per 8 letters.
inline constexpr std::uint64_t kWordMul = 0x9FB21C651E98DF25ULL;
inline std::uint64_t word_step(std::uint64_t h, std::uint64_t chunk) noexcept {
    h = (h ^ chunk) * kWordMul;
    return h ^ (h >> 32);
}
inline std::uint64_t word_final(std::uint64_t h, std::size_t len) noexcept { return mix64(h + len); }

/// Hash of two consecutive words from their (well mixed) hashes: a rotation keeps the order,
/// one multiply and a fold spread it over the low bits the tables use; never 0.
inline std::uint64_t bigram_hash(std::uint64_t prev, std::uint64_t word) noexcept {
    std::uint64_t h = (((prev << 29) | (prev >> 35)) ^ word ^ kNsBigram) * kWordMul;
    h ^= h >> 32;
    return h ? h : 1;
}

/// Streaming form of the word hash, a byte at a time.
struct WordHasher {
    std::uint64_t h = kNsWord, chunk = 0;
    unsigned fill = 0;
    std::size_t len = 0;
    void byte(unsigned char b) noexcept {
        chunk |= static_cast<std::uint64_t>(b) << (8 * fill);
        ++len;
        if (++fill == 8) {
            h = word_step(h, chunk);
            chunk = 0;
            fill = 0;
        }
    }
    void code_point(char32_t c) noexcept {
        if (c < 0x80) {
            byte(static_cast<unsigned char>(c));
        } else if (c < 0x800) {
            byte(static_cast<unsigned char>(0xC0 | (c >> 6)));
            byte(static_cast<unsigned char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            byte(static_cast<unsigned char>(0xE0 | (c >> 12)));
            byte(static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F)));
            byte(static_cast<unsigned char>(0x80 | (c & 0x3F)));
        } else {
            byte(static_cast<unsigned char>(0xF0 | (c >> 18)));
            byte(static_cast<unsigned char>(0x80 | ((c >> 12) & 0x3F)));
            byte(static_cast<unsigned char>(0x80 | ((c >> 6) & 0x3F)));
            byte(static_cast<unsigned char>(0x80 | (c & 0x3F)));
        }
    }
    [[nodiscard]] std::uint64_t finish() const noexcept { return word_final(fill ? word_step(h, chunk) : h, len); }
};

/// Hash of a word given as folded UTF-8.
inline std::uint64_t word_hash(std::string_view folded) noexcept {
    WordHasher w;
    for (char ch : folded) w.byte(static_cast<unsigned char>(ch));
    return w.finish();
}

enum class CpKind : std::uint8_t { sep, word, cjk };

/// The kind of a folded code point, by its ranges (kind_of reads it from a table in the BMP).
constexpr CpKind kind_by_ranges(char32_t c) noexcept {
    if (c < 0x80) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        return alnum ? CpKind::word : CpKind::sep;
    }
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
        (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) ||
        (c >= 0x20000 && c <= 0x3134F))
        return CpKind::cjk;
    if (c <= 0xBF || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xFE00 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
        (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) || c >= 0xFFF0 ||
        (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0xE000 && c <= 0xF8FF))
        return CpKind::sep;
    return CpKind::word;
}

/// kind_by_ranges of every BMP code point, two bits each (16 KiB, made at compile time).
struct CpKindTable {
    std::uint8_t bits[0x10000 / 4];
};
constexpr CpKindTable make_cp_kind_table() noexcept {
    CpKindTable t{};
    for (char32_t c = 0; c < 0x10000; ++c)
        t.bits[c >> 2] = static_cast<std::uint8_t>(t.bits[c >> 2] | (static_cast<unsigned>(kind_by_ranges(c)) << ((c & 3) * 2)));
    return t;
}
inline constexpr CpKindTable kCpKind = make_cp_kind_table();

inline CpKind kind_of(char32_t c) noexcept {
    if (c < 0x10000) return static_cast<CpKind>((kCpKind.bits[c >> 2] >> ((c & 3) * 2)) & 3);
    return kind_by_ranges(c);
}

struct FeatureSpec {
    int word_max = 2, latin_min = 4, latin_max = 4, cjk_min = 1, cjk_max = 3;
    static FeatureSpec of(const TextModelOptions& o) {
        return {o.word_ngram_max, o.latin_char_min, o.latin_char_max, o.cjk_char_min, o.cjk_char_max};
    }
};

inline void append_utf8(std::string& o, char32_t c) {
    if (c < 0x80) {
        o += static_cast<char>(c);
    } else if (c < 0x800) {
        o += static_cast<char>(0xC0 | (c >> 6));
        o += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        o += static_cast<char>(0xE0 | (c >> 12));
        o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        o += static_cast<char>(0xF0 | (c >> 18));
        o += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        o += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (c & 0x3F));
    }
}

inline std::string name_of(const char* prefix, const char32_t* cp, std::size_t n) {
    std::string s(prefix);
    for (std::size_t i = 0; i < n; ++i) append_utf8(s, cp[i]);
    return s;
}

/// Calls f(hash, start, length) — f(hash, start, length, name) when Named — for each
/// word-bounded character n-gram of a word given in its bracketed form "<word>"
/// (cps[0] = '<', cps[len-1] = '>'). The whole "<word>" is not an n-gram (it is the unigram).
template <bool Named, class F>
void word_char_ngrams(const char32_t* cps, std::size_t len, const FeatureSpec& spec, F&& f) {
    if (spec.latin_max <= 0 || len - 2 > kMaxCharNgramWord) return;
    const auto lo = static_cast<std::size_t>(spec.latin_min);
    const auto hi = static_cast<std::size_t>(spec.latin_max);
    for (std::size_t s = 0; s < len; ++s) {
        std::uint64_t g = kNsLatinChar;
        for (std::size_t e = s; e < len && e - s < hi; ++e) {
            g = (g ^ cps[e]) * kPrime;
            const std::size_t gl = e - s + 1;
            if (gl >= lo && gl < len) {
                if constexpr (Named) f(mix64(g + gl), name_of("c:", cps + s, gl));
                else f(mix64(g + gl));
            }
        }
    }
}

/// Walks an already-normalised, valid UTF-8 text and reports, per occurrence:
///   h.word(hash, bracketed, length)   a word of an alphabetic script, as "<word>" code points
///   h.feature(hash)                   a word bigram or a CJK character n-gram
/// With Named, h.word gets the unbracketed UTF-8 name "w:word" and h.feature a name too.
/// `cps` is scratch space. The word's own character n-grams come from word_char_ngrams.
template <bool Named, class H>
void extract_features(std::string_view text, const FeatureSpec& spec, std::vector<char32_t>& cps, H& h) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    std::uint64_t prev_word = 0;  // 0: no previous word (start, or after a CJK run)
    std::string prev_name;

    auto decode = [&](std::size_t& k) -> char32_t {
        const unsigned char b = p[k];
        if (b < 0x80) {
            ++k;
            return b;
        }
        char32_t c;
        std::size_t len;
        if (b < 0xE0) {
            c = b & 0x1F;
            len = 2;
        } else if (b < 0xF0) {
            c = b & 0x0F;
            len = 3;
        } else {
            c = b & 0x07;
            len = 4;
        }
        for (std::size_t j = 1; j < len && k + j < n; ++j) c = (c << 6) | (p[k + j] & 0x3F);
        k += len;
        return c;
    };

    while (i < n) {
        // ASCII fast path for separators
        if (p[i] < 0x80 && kind_of(p[i]) == CpKind::sep) {
            ++i;
            continue;
        }
        std::size_t k = i;
        const std::size_t word_begin = i;
        const char32_t c = decode(k);
        const CpKind kind = kind_of(c);
        if (kind == CpKind::sep) {
            i = k;
            continue;
        }
        cps.clear();
        if (kind == CpKind::word) cps.push_back(U'<');
        cps.push_back(c);
        i = k;
        while (i < n) {
            if (p[i] < 0x80) {  // ASCII fast path
                const CpKind dk = kind_of(p[i]);
                if (dk != kind) break;
                cps.push_back(p[i]);
                ++i;
                continue;
            }
            std::size_t k2 = i;
            const char32_t d = decode(k2);
            if (kind_of(d) != kind) break;
            cps.push_back(d);
            i = k2;
        }
        if (kind == CpKind::word) {
            cps.push_back(U'>');
            const char32_t* w = cps.data() + 1;
            const std::size_t wl = cps.size() - 2;
            const std::uint64_t wh = word_hash(text.substr(word_begin, i - word_begin));
            if constexpr (Named) {
                std::string nm = name_of("w:", w, wl);
                h.word(wh, cps.data(), cps.size(), nm);
                if (spec.word_max >= 2 && prev_word)
                    h.feature(bigram_hash(prev_word, wh), prev_name + "|" + nm.substr(2));
                prev_name = std::move(nm);
            } else {
                h.word(wh, cps.data(), cps.size());
                if (spec.word_max >= 2 && prev_word) h.feature(bigram_hash(prev_word, wh));
            }
            prev_word = wh;
        } else {
            prev_word = 0;
            const std::size_t len = cps.size();
            const auto lo = static_cast<std::size_t>(spec.cjk_min);
            const auto hi = static_cast<std::size_t>(spec.cjk_max);
            for (std::size_t s = 0; s < len; ++s) {
                std::uint64_t g = kNsCjkChar;
                for (std::size_t e = s; e < len && e - s < hi; ++e) {
                    g = (g ^ cps[e]) * kPrime;
                    const std::size_t gl = e - s + 1;
                    if (gl >= lo) {
                        if constexpr (Named) h.feature(mix64(g + gl), name_of("h:", cps.data() + s, gl));
                        else h.feature(mix64(g + gl));
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------- fused scanner
//
// The fast path: validates, folds (as ck::normalize_text, code point by code point, via
// ck::fold_codepoint) and hashes in one pass over the source UTF-8 bytes, without building the
// normalised string or a code-point buffer. It reports exactly the features extract_features
// reports on normalize_text(text) (the tests check this on Latin, Simplified and Traditional
// Chinese text), in a different order.

struct AsciiTables {
    unsigned char lower[128];
    bool word[128];
};
inline constexpr AsciiTables kAscii = [] {
    AsciiTables t{};
    for (int b = 0; b < 128; ++b) {
        t.lower[b] = static_cast<unsigned char>((b >= 'A' && b <= 'Z') ? b + 32 : b);
        t.word[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    }
    return t;
}();

inline constexpr char32_t kInvalid = 0xFFFFFFFFu;

/// Decodes the non-ASCII sequence at p[i] (RFC 3629 validity), advancing i; kInvalid when invalid.
inline char32_t decode_checked(const unsigned char* p, std::size_t n, std::size_t& i) noexcept {
    const unsigned char c = p[i];
    const std::size_t left = n - i;
    auto cont = [&](std::size_t k) { return k < left && (p[i + k] & 0xC0) == 0x80; };
    char32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        if (!cont(1)) return kInvalid;
        cp = (char32_t(c & 0x1F) << 6) | (p[i + 1] & 0x3F);
        i += 2;
        return cp;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return kInvalid;
        if (c == 0xE0 && p[i + 1] < 0xA0) return kInvalid;
        if (c == 0xED && p[i + 1] > 0x9F) return kInvalid;
        cp = (char32_t(c & 0x0F) << 12) | (char32_t(p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
        i += 3;
        return cp;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return kInvalid;
        if (c == 0xF0 && p[i + 1] < 0x90) return kInvalid;
        if (c == 0xF4 && p[i + 1] > 0x8F) return kInvalid;
        cp = (char32_t(c & 0x07) << 18) | (char32_t(p[i + 1] & 0x3F) << 12) | (char32_t(p[i + 2] & 0x3F) << 6) |
             (p[i + 3] & 0x3F);
        i += 4;
        return cp;
    }
    return kInvalid;
}

/// The folded code point at p[i] (as ck::normalize_text folds it), advancing i; kInvalid on
/// invalid UTF-8 (i unchanged then).
inline char32_t next_folded(const unsigned char* p, std::size_t n, std::size_t& i) noexcept {
    const unsigned char b = p[i];
    if (b < 0x80) {
        ++i;
        return kAscii.lower[b];
    }
    const char32_t c = decode_checked(p, n, i);
    return c == kInvalid ? c : fold_codepoint(c);
}

/// Bracketed folded code points "<word>" of a word given as source UTF-8 bytes (valid).
inline void bracketed_folded(std::string_view src, std::vector<char32_t>& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(src.data());
    out.clear();
    out.push_back(U'<');
    for (std::size_t i = 0; i < src.size();) out.push_back(next_folded(p, src.size(), i));
    out.push_back(U'>');
}

// SWAR over 8 bytes (each result byte is 0x80 or 0).
inline constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
/// Bytes x ≥ c / x ≤ c, for bytes x < 0x80 and 0 < c < 0x80.
inline constexpr std::uint64_t swar_ge(std::uint64_t x, unsigned char c) noexcept { return (x + (0x80 - c) * kOnes) & kHigh; }
inline constexpr std::uint64_t swar_le(std::uint64_t x, unsigned char c) noexcept { return ~(x + (0x7F - c) * kOnes) & kHigh; }
/// ASCII letters and digits.
inline constexpr std::uint64_t swar_word(std::uint64_t v) noexcept {
    const std::uint64_t x = v & ~kHigh;
    const std::uint64_t l = x | (0x20 * kOnes);
    return ((swar_ge(l, 'a') & swar_le(l, 'z')) | (swar_ge(x, '0') & swar_le(x, '9'))) & ~v;
}
/// ASCII upper-case letters lowered (other bytes unchanged).
inline constexpr std::uint64_t swar_lower(std::uint64_t v) noexcept {
    const std::uint64_t x = v & ~kHigh;
    return v | ((swar_ge(x, 'A') & swar_le(x, 'Z') & ~v) >> 2);
}
/// Up to 8 bytes at p as a little-endian word, zero-padded.
inline std::uint64_t load_le(const unsigned char* p, std::size_t avail) noexcept {
    std::uint64_t v = 0;
    if (avail >= 8) std::memcpy(&v, p, 8);
    else std::memcpy(&v, p, avail);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

/// One pass over source UTF-8: h.word(hash, begin, end) for each word occurrence (source byte
/// offsets of the word), h.feature(hash) for each word bigram and CJK character n-gram.
/// Returns false (having reported part of the features) when the text is not valid UTF-8.
template <class H>
[[nodiscard]] bool scan_features(std::string_view text, const FeatureSpec& spec, H& h) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    const bool bigrams = spec.word_max >= 2;
    const auto clo = static_cast<std::size_t>(spec.cjk_min);
    const auto chi = static_cast<std::size_t>(spec.cjk_max);
    std::uint64_t prev_word = 0;  // 0: no previous word (start, or after a CJK run)
    const char16_t* const bmp = detail::bmp_fold_table();
    std::uint64_t cjk[8];         // cjk[gl]: hash of the n-gram of length gl ending at the last CJK character, gl ≤ run
    std::size_t run = 0;          // length of the current CJK run (0: none)
    std::size_t i = 0;
    while (i < n) {
        // separators and words of ASCII bytes, the common case
        const unsigned char b = p[i];
        std::size_t start = i;
        char32_t c;
        CpKind k;
        if (b < 0x80) {
            if (!kAscii.word[b]) {
                run = 0;
                ++i;
                continue;
            }
            c = kAscii.lower[b];
            k = CpKind::word;
            ++i;
        } else if (i + 3 <= n && detail::valid_utf8_3(b, p[i + 1], p[i + 2])) {
            // a valid 3-byte sequence (U+0800–U+FFFF: Chinese text), decoded and folded here
            c = bmp[detail::decode_utf8_3(b, p[i + 1], p[i + 2])];
            k = kind_of(c);
            i += 3;
        } else {
            c = decode_checked(p, n, i);
            if (c == kInvalid) return false;
            c = fold_codepoint(c);
            k = kind_of(c);
        }
        if (k == CpKind::sep) {
            run = 0;
            continue;
        }
        if (k == CpKind::cjk) {
            if (run == 0) prev_word = 0;
            ++run;
            const std::size_t top = run < chi ? run : chi;
            // the n-gram of length gl ending here extends the one of length gl - 1 that ended
            // at the previous character (the hash reads an n-gram from its first character)
            for (std::size_t gl = top; gl > 1; --gl) cjk[gl] = (cjk[gl - 1] ^ c) * kPrime;
            cjk[1] = (kNsCjkChar ^ c) * kPrime;
            for (std::size_t gl = clo; gl <= top; ++gl) h.feature(mix64(cjk[gl] + gl));
            continue;
        }
        // a word: ASCII letters and digits 8 bytes at a time, folded and hashed a chunk at a
        // time; a word with letters of other scripts is hashed from its start by code point
        run = 0;
        std::uint64_t wh = 0;
        bool slow = b >= 0x80;
        if (!slow) {
            i = start;
            std::uint64_t hw = kNsWord;
            for (;;) {
                const std::uint64_t v = load_le(p + i, n - i);  // zero bytes past the end stop the word
                const std::uint64_t stop = ~swar_word(v) & kHigh;
                if (stop == 0) {
                    hw = word_step(hw, swar_lower(v));
                    i += 8;
                    continue;
                }
                const auto len = static_cast<unsigned>(__builtin_ctzll(stop)) / 8;
                if (len) hw = word_step(hw, swar_lower(v) & (~0ULL >> (64 - 8 * len)));
                i += len;
                break;
            }
            if (i < n && p[i] >= 0x80) {  // does a letter of another script continue the word?
                std::size_t j = i;
                const char32_t d = decode_checked(p, n, j);
                if (d == kInvalid) return false;
                slow = kind_of(fold_codepoint(d)) == CpKind::word;
            }
            if (!slow) wh = word_final(hw, i - start);
        }
        if (slow) {
            WordHasher wd;
            i = start;
            for (;;) {
                while (i < n && p[i] < 0x80 && kAscii.word[p[i]]) wd.byte(kAscii.lower[p[i++]]);
                if (i >= n || p[i] < 0x80) break;
                std::size_t j = i;
                char32_t d = decode_checked(p, n, j);
                if (d == kInvalid) return false;
                d = fold_codepoint(d);
                if (kind_of(d) != CpKind::word) break;  // re-read by the outer loop
                wd.code_point(d);
                i = j;
            }
            wh = wd.finish();
        }
        const std::size_t end = i;
        h.word(wh, start, end);
        if (bigrams && prev_word) h.feature(bigram_hash(prev_word, wh));
        prev_word = wh;
    }
    return true;
}

/// Small counter of 64-bit keys (never 0), reused across documents: the keys and counts in
/// order of first occurrence (with a 64-bit tag given at the first occurrence). Open
/// addressing over the keys themselves (load ≤ 1/2) with the counts beside them; an add has
/// no branch on whether the key is new (the slot is written either way and the order list
/// advances by 0 or 1), so a text's mix of repeated and new words costs no mispredictions.
/// The table of a document stays in the L1 cache; nothing is allocated once the counter has
/// seen a document as large as the current one.
class KeyCounter {
public:
    /// Empties the counter, sized for about `expected` keys: the table in use is as small as
    /// the document allows even after a long one (slots beyond it stay allocated and empty).
    void reset(std::size_t expected) {
        std::size_t cap = 64;
        while (cap < expected * 2) cap <<= 1;
        clear_used();
        if (keys_.size() < cap) {
            keys_.assign(cap, 0);
            counts_.assign(cap, 0);
        }
        mask_ = cap - 1;
        if (order_.size() < cap / 2 + 1) {
            order_.resize(cap / 2 + 1);
            tags_.resize(cap / 2 + 1);
        }
    }
    /// Counts key; true when it is new (then `tag` is kept with it).
    [[gnu::always_inline]] bool add(std::uint64_t key, std::uint64_t tag = 0) {
        std::size_t s = static_cast<std::size_t>(key) & mask_;
        std::uint64_t k;
        while ((k = keys_[s]) != key && k != 0) s = (s + 1) & mask_;
        const bool fresh = k == 0;
        keys_[s] = key;
        ++counts_[s];
        order_[size_] = static_cast<std::uint32_t>(s);  // slot size_ is free: kept only when fresh
        tags_[size_] = tag;
        size_ += fresh;
        if (size_ * 2 > mask_ + 1) grow();
        return fresh;
    }
    /// add(keys[i], tags ? tags[i] : 0) for i < n, with the counter's state in registers
    /// (the members are 64-bit like the keys, so stores to the table would force reloads).
    void add_all(const std::uint64_t* keys, const std::uint64_t* tags, std::size_t n) {
        std::uint64_t* kt = keys_.data();
        std::uint32_t* ct = counts_.data();
        std::uint32_t* ot = order_.data();
        std::uint64_t* tt = tags_.data();
        std::size_t mask = mask_, size = size_;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t key = keys[i];
            std::size_t s = static_cast<std::size_t>(key) & mask;
            std::uint64_t k = kt[s];
            // one branch for "found or empty" (two would mispredict on a mix of new and
            // repeated keys)
            while (!(static_cast<int>(k == key) | static_cast<int>(k == 0))) {
                s = (s + 1) & mask;
                k = kt[s];
            }
            kt[s] = key;
            ++ct[s];
            ot[size] = static_cast<std::uint32_t>(s);
            tt[size] = tags ? tags[i] : 0;
            size += k == 0;
            if (size * 2 > mask + 1) {
                size_ = size;
                grow();
                kt = keys_.data();
                ct = counts_.data();
                ot = order_.data();
                tt = tags_.data();
                mask = mask_;
            }
        }
        size_ = size;
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] std::uint64_t key(std::size_t i) const noexcept { return keys_[order_[i]]; }
    [[nodiscard]] std::uint32_t count(std::size_t i) const noexcept { return counts_[order_[i]]; }
    [[nodiscard]] std::uint64_t tag(std::size_t i) const noexcept { return tags_[i]; }

private:
    void clear_used() noexcept {
        for (std::size_t i = 0; i < size_; ++i) {
            keys_[order_[i]] = 0;
            counts_[order_[i]] = 0;
        }
        size_ = 0;
    }
    [[gnu::noinline]] void grow() {
        spill_.resize(size_);
        for (std::size_t i = 0; i < size_; ++i) spill_[i] = {keys_[order_[i]], counts_[order_[i]]};
        const std::size_t n = size_;
        clear_used();
        const std::size_t cap = (mask_ + 1) * 2;
        if (keys_.size() < cap) {
            keys_.assign(cap, 0);
            counts_.assign(cap, 0);
        }
        mask_ = cap - 1;
        if (order_.size() < cap / 2 + 1) {
            order_.resize(cap / 2 + 1);
            tags_.resize(cap / 2 + 1);
        }
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t s = static_cast<std::size_t>(spill_[i].first) & mask_;
            while (keys_[s] != 0) s = (s + 1) & mask_;
            keys_[s] = spill_[i].first;
            counts_[s] = spill_[i].second;
            order_[i] = static_cast<std::uint32_t>(s);
        }
        size_ = n;
    }
    std::vector<std::uint64_t> keys_;   // per slot: the key, 0 when empty
    std::vector<std::uint32_t> counts_;  // per slot
    std::vector<std::uint32_t> order_;  // slot of the i-th distinct key
    std::vector<std::uint64_t> tags_;   // tag of the i-th distinct key
    std::vector<std::pair<std::uint64_t, std::uint32_t>> spill_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
};

/// Immutable map from feature hash to feature index (open addressing, load ≤ 3/4).
class FeatureTable {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    FeatureTable() = default;
    explicit FeatureTable(const std::vector<std::uint64_t>& keys) {
        std::size_t cap = 16;
        while (cap * 3 < keys.size() * 4) cap <<= 1;  // load ≤ 3/4
        slots_.assign(cap, Slot{0, npos});
        mask_ = cap - 1;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            std::size_t s = static_cast<std::size_t>(keys[i]) & mask_;
            while (slots_[s].key != 0) s = (s + 1) & mask_;
            slots_[s] = Slot{keys[i], static_cast<std::uint32_t>(i)};
        }
    }
    [[nodiscard]] std::uint32_t find(std::uint64_t key) const noexcept {
        if (slots_.empty()) return npos;
        std::size_t s = static_cast<std::size_t>(key) & mask_;
        for (;;) {
            const Slot& sl = slots_[s];
            if (sl.key == key) return sl.index;
            if (sl.key == 0) return npos;
            s = (s + 1) & mask_;
        }
    }
    /// Hints the CPU to fetch key's home slot.
    void prefetch(std::uint64_t key) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(slots_.data() + (static_cast<std::size_t>(key) & mask_));
    }
    [[nodiscard]] std::size_t memory_bytes() const noexcept { return slots_.size() * sizeof(Slot); }

private:
    struct Slot {
        std::uint64_t key;
        std::uint32_t index;
    };
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
};

/// Four float lanes (SSE2 on x86-64, NEON on ARM): the unit of the per-class arithmetic.
using Lanes = float __attribute__((vector_size(16)));
inline constexpr std::size_t kLanes = 4;

/// Lanes needed for n values.
inline constexpr std::size_t lanes_for(std::size_t n) noexcept { return (n + kLanes - 1) / kLanes; }

/// Immutable map from a 64-bit key to a record: one float (the "lead") and `n` more floats
/// in lanes, zero-padded to a multiple of 4. The keys are probed in a compact array of their
/// own with the record index beside them (load ≤ 1/2, 4 keys per cache line: a key that is
/// absent, the common case for word bigrams, costs about one cache line); the records are
/// dense, one per key, each
/// [lead, 0, 0, 0, lanes…] 16-byte aligned and padded to 32 bytes or a multiple of 64, so
/// that with up to 12 values a record is one cache line.
class RecordTable {
public:
    static constexpr std::uint32_t npos = 0xFFFFFFFFu;
    RecordTable() = default;
    /// records: keys.size() rows of 1 + n floats (the lead, then the n values).
    RecordTable(const std::vector<std::uint64_t>& keys, std::size_t n, const float* records)
        : lanes_(lanes_for(n)), records_(keys.size()) {
        std::size_t bytes = 16 + 16 * lanes_;
        stride_ = bytes <= 32 ? 32 : (bytes + 63) / 64 * 64;
        std::size_t cap = 16;
        while (cap < keys.size() * 2) cap <<= 1;  // load ≤ 1/2
        slots_.assign(cap, Slot{0, npos});
        mask_ = cap - 1;
        lines_.assign((keys.size() * stride_ + 63) / 64, Line{});
        // the filter: 2 bits a key in one 64-bit word, at least 16 bits a key (a key that is
        // absent passes with a probability of about 1/64; 64 KiB for 32 k keys)
        std::size_t words = 1;
        unsigned bits = 0;
        while (words * 64 < keys.size() * 16) {
            words <<= 1;
            ++bits;
        }
        filter_.assign(words, 0);
        filter_shift_ = 64 - bits;
        auto* base = reinterpret_cast<unsigned char*>(lines_.data());
        for (std::size_t i = 0; i < keys.size(); ++i) {
            std::size_t s = static_cast<std::size_t>(keys[i]) & mask_;
            while (slots_[s].key != 0) s = (s + 1) & mask_;
            slots_[s] = Slot{keys[i], static_cast<std::uint32_t>(i)};
            const std::uint64_t fh = filter_hash(keys[i]);
            filter_[filter_word(fh)] |= filter_bits(fh);
            unsigned char* rec = base + i * stride_;
            std::memcpy(rec, records + i * (n + 1), sizeof(float));
            std::memcpy(rec + 16, records + i * (n + 1) + 1, n * sizeof(float));
        }
    }
    /// False when key is certainly absent (one 64-bit word of a small bit filter: most absent
    /// keys cost no probe of the slots); true when it may be present.
    [[nodiscard]] bool may_contain(std::uint64_t key) const noexcept {
        if (filter_.empty()) return false;
        const std::uint64_t fh = filter_hash(key);
        const std::uint64_t b = filter_bits(fh);
        return (filter_[filter_word(fh)] & b) == b;
    }
    /// The record index of key, or npos.
    [[nodiscard]] std::uint32_t find(std::uint64_t key) const noexcept {
        if (slots_.empty()) return npos;
        std::size_t s = static_cast<std::size_t>(key) & mask_;
        for (;;) {
            const Slot& sl = slots_[s];
            if (sl.key == key) return sl.id;
            if (sl.key == 0) return npos;
            s = (s + 1) & mask_;
        }
    }
    /// The lead of record id; its lanes() lanes follow: lanes_of(lead).
    [[nodiscard]] const float* record(std::uint32_t id) const noexcept {
        return reinterpret_cast<const float*>(reinterpret_cast<const unsigned char*>(lines_.data()) + id * stride_);
    }
    [[nodiscard]] static const Lanes* lanes_of(const float* lead) noexcept {
        return reinterpret_cast<const Lanes*>(lead + 4);
    }
    [[nodiscard]] std::size_t lanes() const noexcept { return lanes_; }
    /// The number of records (their indices are 0 … size() - 1).
    [[nodiscard]] std::size_t size() const noexcept { return records_; }
    /// Hints the CPU to fetch key's home slot / a record (lookups of a batch then overlap).
    void prefetch_key(std::uint64_t key) const noexcept {
        if (!slots_.empty()) __builtin_prefetch(slots_.data() + (static_cast<std::size_t>(key) & mask_));
    }
    void prefetch_record(std::uint32_t id) const noexcept { __builtin_prefetch(record(id)); }
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return lines_.size() * sizeof(Line) + slots_.size() * sizeof(Slot) + filter_.size() * sizeof(std::uint64_t);
    }

private:
    struct alignas(64) Line {
        unsigned char b[64];
    };
    struct Slot {
        std::uint64_t key;
        std::uint32_t id;
    };
    // the filter's word from the top bits of a second hash, the two bits from its low 12
    static std::uint64_t filter_hash(std::uint64_t key) noexcept { return key * 0x9E3779B97F4A7C15ULL; }
    [[nodiscard]] std::size_t filter_word(std::uint64_t fh) const noexcept {
        return filter_shift_ >= 64 ? 0 : static_cast<std::size_t>(fh >> filter_shift_);
    }
    static std::uint64_t filter_bits(std::uint64_t fh) noexcept {
        return (std::uint64_t{1} << (fh & 63)) | (std::uint64_t{1} << ((fh >> 6) & 63));
    }
    std::vector<Slot> slots_;
    std::vector<Line> lines_;
    std::vector<std::uint64_t> filter_;
    unsigned filter_shift_ = 64;
    std::size_t lanes_ = 0;
    std::size_t records_ = 0;
    std::size_t stride_ = 0;
    std::size_t mask_ = 0;
};

/// Deterministic, platform-independent random numbers (splitmix64).
class SeededRandom {
public:
    explicit SeededRandom(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, bound), bound > 0 (rejection of the biased top range).
    std::uint64_t below(std::uint64_t bound) noexcept {
        const std::uint64_t limit = (0 - bound) % bound;  // 2^64 mod bound
        for (;;) {
            const std::uint64_t r = next();
            if (r >= limit) return r % bound;
        }
    }
    template <class T> void shuffle(std::vector<T>& v) noexcept {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }

private:
    std::uint64_t s_;
};

/// Checksum of the model file: 64-bit, word at a time (documented in docs/textmodel.md).
inline std::uint64_t checksum64(const unsigned char* p, std::size_t n) noexcept {
    std::uint64_t h = 0x6A09E667F3BCC908ULL ^ n;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        h = (h ^ mix64(w)) * kPrime;
    }
    std::uint64_t tail = 0;
    for (std::size_t j = 0; i + j < n; ++j) tail |= static_cast<std::uint64_t>(p[i + j]) << (8 * j);
    h = (h ^ mix64(tail + 0x5bd1e995)) * kPrime;
    return mix64(h);
}

inline constexpr char kMagic[8] = {'C', 'K', 'T', 'X', 'T', 'M', 'D', 'L'};
inline constexpr std::uint32_t kFormatVersion = 2;  ///< 2: the options end with prune (1: read as prune = 0)
inline constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 8;  // magic, format, feature version, payload size

}  // namespace ck::tm
