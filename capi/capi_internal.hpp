// complaintkit — shared machinery of the C API implementation: the context, and the
// boundary that turns every C++ exception into a status code. Not installed.
#pragma once

#include "complaintkit.h"

#include <complaintkit/complaint.hpp>
#include <complaintkit/error.hpp>
#include <complaintkit/rules.hpp>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

// Handles shared by several parts of the C API. A handle is a struct holding the C++
// object (GEOS's pattern): the compiler checks every conversion.
struct ck_complaint {
    ck::Complaint c;
};

struct ck_ruleset {  // (the rules and the text model parts both make rule sets)
    ck::RuleSet rs;
};

struct ck_context {
    int errcode = CK_OK;
    std::string errmsg;
    std::string errpath;
    ck_error_handler handler = nullptr;
    void* userdata = nullptr;
};

namespace ck::capi {

inline int status_of(ErrorCode c) noexcept { return -static_cast<int>(c); }

inline int set_error(ck_context* ctx, int status, const char* message, const char* path = "") noexcept {
    if (!ctx) return status;
    try {
        ctx->errcode = status;
        ctx->errmsg = message;
        ctx->errpath = path;
    } catch (...) {
        ctx->errcode = CK_E_NO_MEMORY;
    }
    if (ctx->handler) ctx->handler(status, ctx->errmsg.c_str(), ctx->userdata);
    return status;
}

/// Runs `f` (which returns a status) and converts every exception into a status plus
/// a message kept in the context. A NULL context is CK_E_INVALID_ARGUMENT.
template <class F> int guard(ck_context* ctx, F&& f) noexcept {
    if (!ctx) return CK_E_INVALID_ARGUMENT;
    try {
        return f();
    } catch (const Error& e) {
        return set_error(ctx, status_of(e.code()), e.what(), e.path().c_str());
    } catch (const std::bad_alloc&) {
        return set_error(ctx, CK_E_NO_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return set_error(ctx, CK_E_INTERNAL, e.what());
    } catch (...) {
        return set_error(ctx, CK_E_INTERNAL, "unknown exception");
    }
}

/// Throws invalid_argument if p is NULL.
template <class T> T* need(T* p, const char* what) {
    if (!p) throw Error(ErrorCode::invalid_argument, std::string(what) + " must not be NULL");
    return p;
}

/// (pointer, length) to a string_view; length CK_NUL_TERMINATED means strlen.
inline std::string_view text_arg(const char* s, std::size_t len, const char* what) {
    if (!s) {
        if (len == 0) return {};
        throw Error(ErrorCode::invalid_argument, std::string(what) + " must not be NULL");
    }
    return len == CK_NUL_TERMINATED ? std::string_view(s) : std::string_view(s, len);
}

/// A malloc'd copy the caller frees with ck_string_free.
inline char* dup_string(std::string_view s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

}  // namespace ck::capi
