#include <complaintkit/error.hpp>
#include <complaintkit/utf8.hpp>

#include <cstdint>

namespace ck {
namespace {

// Length of the valid sequence starting at s[i], or 0 if invalid (RFC 3629 table).
std::size_t valid_sequence(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
    const std::size_t left = s.size() - i;
    const std::uint8_t c = b(0);
    if (c < 0x80) return 1;
    auto cont = [&](std::size_t k) { return k < left && (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
        if (c == 0xED && b(1) > 0x9F) return 0;  // surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
        if (c == 0xF4 && b(1) > 0x8F) return 0;  // > U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

std::optional<std::size_t> utf8_invalid_offset(std::string_view text) noexcept {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // ASCII fast path, 8 bytes at a time.
        while (i + 8 <= n) {
            std::uint64_t w;
            __builtin_memcpy(&w, text.data() + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        // Runs of 3-byte sequences (CJK text): lead E1–EC or EE–EF with two continuation
        // bytes is always valid; E0 (overlong) and ED (surrogates) take the full check.
        while (i + 3 <= n) {
            const auto b0 = static_cast<std::uint8_t>(text[i]);
            const auto b1 = static_cast<std::uint8_t>(text[i + 1]);
            const auto b2 = static_cast<std::uint8_t>(text[i + 2]);
            if ((b0 & 0xF0) != 0xE0 || b0 == 0xE0 || b0 == 0xED || ((b1 ^ 0x80) | (b2 ^ 0x80)) >= 0x40) break;
            i += 3;
        }
        if (i >= n) break;
        const std::size_t len = valid_sequence(text, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

std::string utf8_sanitize(std::string_view text, std::size_t* replaced) {
    std::string out;
    out.reserve(text.size());
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t len = valid_sequence(text, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++count;
            ++i;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
    }
    if (replaced) *replaced = count;
    return out;
}

void require_utf8(std::string_view text, const std::string& path) {
    if (auto bad = utf8_invalid_offset(text))
        throw Error(ErrorCode::invalid_utf8, "invalid UTF-8 at byte " + std::to_string(*bad), path);
}

}  // namespace ck
