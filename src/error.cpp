#include <complaintkit/error.hpp>

namespace ck {

const char* error_code_name(ErrorCode c) noexcept {
    switch (c) {
    case ErrorCode::ok: return "ok";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::parse: return "parse";
    case ErrorCode::invalid_utf8: return "invalid_utf8";
    case ErrorCode::invalid_value: return "invalid_value";
    case ErrorCode::unknown_code: return "unknown_code";
    case ErrorCode::missing_field: return "missing_field";
    case ErrorCode::out_of_order: return "out_of_order";
    case ErrorCode::illegal_transition: return "illegal_transition";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::io: return "io";
    case ErrorCode::compile: return "compile";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::internal: return "internal";
    }
    return "unknown";
}

}  // namespace ck
