// complaintkit C API: the complaint archive.
#include "capi_internal.hpp"

#include <complaintkit/archive.hpp>
#include <complaintkit/json.hpp>
#include <complaintkit/workflow.hpp>

#include <memory>

struct ck_archive {
    ck::Archive a;
    std::shared_ptr<const ck::Workflow> workflow;
};

using namespace ck;
using namespace ck::capi;

namespace {

Archive& archive_arg(ck_archive* h) { return need(h, "archive")->a; }
const Archive& archive_arg(const ck_archive* h) { return need(h, "archive")->a; }

DuplicatePolicy duplicates_arg(int d) {
    switch (d) {
    case CK_DUPLICATES_REJECT: return DuplicatePolicy::reject;
    case CK_DUPLICATES_UPSERT: return DuplicatePolicy::upsert;
    case CK_DUPLICATES_SKIP: return DuplicatePolicy::skip;
    default: throw Error(ErrorCode::invalid_argument, "unknown duplicates policy " + std::to_string(d));
    }
}

}  // namespace

extern "C" {

int ck_archive_open(ck_context* ctx, ck_archive** out, const char* path, unsigned flags) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        need(path, "path");
        if (flags & ~(CK_ARCHIVE_READ_ONLY | CK_ARCHIVE_NO_CREATE | CK_ARCHIVE_SYNC_FULL | CK_ARCHIVE_NO_SLA))
            throw Error(ErrorCode::invalid_argument, "unknown archive open flags");
        ArchiveOptions o;
        o.read_only = (flags & CK_ARCHIVE_READ_ONLY) != 0;
        o.create = (flags & CK_ARCHIVE_NO_CREATE) == 0;
        o.synchronous_full = (flags & CK_ARCHIVE_SYNC_FULL) != 0;
        auto wf = std::make_shared<const Workflow>();
        if ((flags & CK_ARCHIVE_NO_SLA) == 0) o.workflow = wf;
        *out = new ck_archive{Archive::open(path, o), wf};
        return CK_OK;
    });
}

void ck_archive_close(ck_archive* a) { delete a; }

int ck_archive_schema_version(ck_context* ctx, const ck_archive* a, int* out_version) {
    return guard(ctx, [&] {
        need(out_version, "out_version");
        *out_version = archive_arg(a).schema_version();
        return CK_OK;
    });
}

int ck_archive_count(ck_context* ctx, const ck_archive* a, size_t* out_count) {
    return guard(ctx, [&] {
        need(out_count, "out_count");
        *out_count = archive_arg(a).count();
        return CK_OK;
    });
}

int ck_archive_ingest_json(ck_context* ctx, ck_archive* a, const char* json, size_t len, int duplicates) {
    return guard(ctx, [&] {
        Archive& ar = archive_arg(a);
        IngestOptions o;
        o.duplicates = duplicates_arg(duplicates);
        const Complaint c = complaint_from_json(text_arg(json, len, "json"));
        ar.ingest(std::span<const Complaint>(&c, 1), o);
        return CK_OK;
    });
}

int ck_archive_ingest_jsonl(ck_context* ctx, ck_archive* a, const char* text, size_t len, int duplicates,
                            size_t batch_size, unsigned flags, char** out_report) {
    if (out_report) *out_report = nullptr;
    return guard(ctx, [&] {
        Archive& ar = archive_arg(a);
        if (flags & ~CK_INGEST_KEEP_GOING) throw Error(ErrorCode::invalid_argument, "unknown ingest flags");
        IngestOptions o;
        o.duplicates = duplicates_arg(duplicates);
        o.batch_size = batch_size;
        o.stop_on_error = (flags & CK_INGEST_KEEP_GOING) == 0;
        const auto rep = ar.ingest_jsonl(text_arg(text, len, "text"), "-", o);
        if (out_report) *out_report = dup_string(to_json(rep));
        return CK_OK;
    });
}

int ck_archive_get_json(ck_context* ctx, const ck_archive* a, const char* id, size_t id_len, char** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const auto key = text_arg(id, id_len, "id");
        const auto c = archive_arg(a).get(key);
        if (!c) throw Error(ErrorCode::not_found, "no complaint \"" + std::string(key) + "\" in the archive");
        *out = dup_string(to_json(*c));
        return CK_OK;
    });
}

int ck_archive_query_json(ck_context* ctx, const ck_archive* a, const char* query, size_t len, char** out) {
    if (out) *out = nullptr;
    return guard(ctx, [&] {
        need(out, "out");
        const Archive& ar = archive_arg(a);
        const auto text = text_arg(query, len, "query");
        const Query q = query_from_json(text.empty() ? std::string_view("{}") : text);
        std::string s = "[";
        bool first = true;
        for (const auto& row : ar.query(q)) {
            if (!first) s += ',';
            first = false;
            s += to_json(row);
        }
        s += ']';
        *out = dup_string(s);
        return CK_OK;
    });
}

int ck_archive_append_event_json(ck_context* ctx, ck_archive* a, const char* id, size_t id_len, const char* event_json,
                                 size_t len) {
    return guard(ctx, [&] {
        Archive& ar = archive_arg(a);
        const auto key = text_arg(id, id_len, "id");
        ar.append_event(key, event_from_json(text_arg(event_json, len, "event_json")));
        return CK_OK;
    });
}

int ck_archive_apply_json(ck_context* ctx, ck_archive* a, const char* id, size_t id_len, const char* command_json,
                          size_t len) {
    return guard(ctx, [&] {
        Archive& ar = archive_arg(a);
        const auto key = text_arg(id, id_len, "id");
        const Command cmd = Command::from_json(text_arg(command_json, len, "command_json"));
        // Check and append in one transaction (no other writer in between).
        (void)ar.update(key, [&](Complaint& c) { a->workflow->apply(c, cmd); });
        return CK_OK;
    });
}

int ck_archive_rebuild(ck_context* ctx, ck_archive* a, size_t* out_count) {
    return guard(ctx, [&] {
        const auto n = archive_arg(a).rebuild();
        if (out_count) *out_count = n;
        return CK_OK;
    });
}

}  // extern "C"
