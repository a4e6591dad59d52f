// complaintkit — the one exception root of the C++ API.
#pragma once

#include <stdexcept>
#include <string>

namespace ck {

/// Error codes; the numbers are the C API's negated status codes (CK_E_*).
enum class ErrorCode : int {
    ok = 0,
    invalid_argument = 1,  ///< a caller's argument is wrong (null, out of range)
    parse = 2,             ///< malformed JSON / CSV / syntax
    invalid_utf8 = 3,      ///< text that is not valid UTF-8
    invalid_value = 4,     ///< well-formed but not acceptable (negative money, bad date)
    unknown_code = 5,      ///< a taxonomy code that does not exist
    missing_field = 6,     ///< a required field is absent
    out_of_order = 7,      ///< events / commands out of time order
    illegal_transition = 8,///< a workflow command not allowed in the current state
    not_found = 9,         ///< no such complaint / rule / item
    io = 10,               ///< file system or database failure
    compile = 11,          ///< a rule pack or model that does not compile / load
    unsupported = 12,      ///< feature, version or format not supported
    internal = 13,         ///< a bug: please report it
};

/// Stable lower-snake name of an error code ("invalid_utf8").
const char* error_code_name(ErrorCode c) noexcept;

/// Root of all complaintkit exceptions. For input errors `path()` is a JSON pointer
/// ("/events/2/at") to the offending value, and what() is "path: message".
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, std::string path = {})
        : std::runtime_error(path.empty() ? message : path + ": " + message),
          code_(code), path_(std::move(path)), message_(message) {}

    /// The same error with a context prefix on what(): "line 3: /events/2/at: …".
    [[nodiscard]] Error with_context(const std::string& context) const {
        Error e(*this);
        static_cast<std::runtime_error&>(e) = std::runtime_error(context + ": " + what());
        return e;
    }

    [[nodiscard]] ErrorCode code() const noexcept { return code_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    /// The message without the path prefix.
    [[nodiscard]] const std::string& message() const noexcept { return message_; }

private:
    ErrorCode code_;
    std::string path_;
    std::string message_;
};

}  // namespace ck
