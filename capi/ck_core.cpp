// complaintkit C API: version, context, errors, strings, taxonomies.
#include "capi_internal.hpp"

#include <complaintkit/taxonomy.hpp>
#include <complaintkit/version.hpp>

#include <cstdlib>

using namespace ck;
using namespace ck::capi;

static_assert(CK_VERSION_MAJOR == CK_CPP_VERSION_MAJOR && CK_VERSION_MINOR == CK_CPP_VERSION_MINOR &&
                  CK_VERSION_PATCH == CK_CPP_VERSION_PATCH,
              "complaintkit.h version macros disagree with the project version in CMakeLists.txt");

extern "C" {

const char* ck_version(void) { return ck::version_string; }
int ck_version_number(void) { return ck::version_major * 10000 + ck::version_minor * 100 + ck::version_patch; }
int ck_abi_interface(void) { return CK_CAPI_INTERFACE_CURRENT; }

const char* ck_status_name(int status) {
    if (status == CK_E_NO_MEMORY) return "no_memory";
    if (status > 0 || status < -13) return "unknown";
    return error_code_name(static_cast<ErrorCode>(-status));
}

ck_context* ck_context_new(void) { return new (std::nothrow) ck_context(); }
void ck_context_free(ck_context* ctx) { delete ctx; }

void ck_context_set_error_handler(ck_context* ctx, ck_error_handler handler, void* userdata) {
    if (!ctx) return;
    ctx->handler = handler;
    ctx->userdata = userdata;
}

int ck_context_errcode(const ck_context* ctx) { return ctx ? ctx->errcode : CK_E_INVALID_ARGUMENT; }
const char* ck_context_errmsg(const ck_context* ctx) { return ctx ? ctx->errmsg.c_str() : "no context"; }
const char* ck_context_errpath(const ck_context* ctx) { return ctx ? ctx->errpath.c_str() : ""; }
void ck_context_clear_error(ck_context* ctx) {
    if (!ctx) return;
    ctx->errcode = CK_OK;
    ctx->errmsg.clear();
    ctx->errpath.clear();
}

void ck_string_free(char* s) { std::free(s); }

static TaxonomyId taxonomy_arg(int taxonomy) {
    if (taxonomy < 0 || taxonomy >= taxonomy_count)
        throw Error(ErrorCode::invalid_argument, "no taxonomy numbered " + std::to_string(taxonomy));
    return static_cast<TaxonomyId>(taxonomy);
}

static const TaxonomyEntry& entry_arg(int taxonomy, int value) {
    const TaxonomyId id = taxonomy_arg(taxonomy);
    const TaxonomyEntry* e = taxonomy_find(id, value);
    if (!e)
        throw Error(ErrorCode::invalid_argument,
                    "no value " + std::to_string(value) + " in taxonomy " + std::string(taxonomy_name(id)));
    return *e;
}

int ck_taxonomy_size(ck_context* ctx, int taxonomy, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = taxonomy_entries(taxonomy_arg(taxonomy)).size();
        return CK_OK;
    });
}

int ck_taxonomy_value_at(ck_context* ctx, int taxonomy, size_t index, int* out_value) {
    return guard(ctx, [&] {
        need(out_value, "out_value");
        auto entries = taxonomy_entries(taxonomy_arg(taxonomy));
        if (index >= entries.size())
            throw Error(ErrorCode::invalid_argument, "index " + std::to_string(index) + " out of range (size " +
                                                         std::to_string(entries.size()) + ")");
        *out_value = entries[index].value;
        return CK_OK;
    });
}

int ck_taxonomy_code(ck_context* ctx, int taxonomy, int value, const char** out_code) {
    return guard(ctx, [&] {
        need(out_code, "out_code");
        *out_code = entry_arg(taxonomy, value).code.data();  // table strings are NUL-terminated literals
        return CK_OK;
    });
}

int ck_taxonomy_label(ck_context* ctx, int taxonomy, int value, int lang, const char** out_label) {
    return guard(ctx, [&] {
        need(out_label, "out_label");
        if (lang < CK_LANG_EN || lang > CK_LANG_ZH_HANT)
            throw Error(ErrorCode::invalid_argument, "no language numbered " + std::to_string(lang));
        *out_label = entry_arg(taxonomy, value).label(static_cast<Lang>(lang)).data();
        return CK_OK;
    });
}

int ck_taxonomy_from_code(ck_context* ctx, int taxonomy, const char* code, size_t len, int* out_value) {
    return guard(ctx, [&] {
        need(out_value, "out_value");
        const TaxonomyId id = taxonomy_arg(taxonomy);
        const std::string_view s = text_arg(code, len, "code");
        const TaxonomyEntry* e = taxonomy_find(id, s);
        if (!e)
            throw Error(ErrorCode::unknown_code,
                        "unknown " + std::string(taxonomy_name(id)) + " code \"" + std::string(s) + "\"");
        *out_value = e->value;
        return CK_OK;
    });
}

}  // extern "C"
