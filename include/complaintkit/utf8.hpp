// complaintkit — UTF-8 validation at the boundary.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ck {

/// Byte offset of the first invalid UTF-8 sequence (overlong forms, surrogates and code
/// points above U+10FFFF are invalid), or nullopt when the whole text is valid.
std::optional<std::size_t> utf8_invalid_offset(std::string_view text) noexcept;

inline bool is_valid_utf8(std::string_view text) noexcept { return !utf8_invalid_offset(text); }

/// Copy of `text` with every invalid sequence replaced by U+FFFD; `replaced` (if given)
/// receives the number of replacements.
std::string utf8_sanitize(std::string_view text, std::size_t* replaced = nullptr);

/// Throws ck::Error(invalid_utf8, "invalid UTF-8 at byte N", path) if text is invalid.
void require_utf8(std::string_view text, const std::string& path);

}  // namespace ck
