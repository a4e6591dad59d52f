/* Plain-C tests of the archive C API: every function and its error paths. */
#define _POSIX_C_SOURCE 200809L
#include <complaintkit.h>

#include "ck_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTAINS(hay, needle) (strstr((hay), (needle)) != NULL)

static const char *C1 =
    "{\"id\":\"A-1\",\"received_at\":\"2024-03-05T09:12:00+08:00\",\"channel\":\"phone\","
    "\"customer\":{\"id\":\"CU-1\"},\"branch\":\"南山店\",\"region\":[\"广东省\",\"深圳市\"],"
    "\"text\":\"冰淇淋盒上写5个，里面只有4个\",\"facets\":{\"category\":\"product_quality\"},"
    "\"events\":[{\"at\":\"2024-03-05T09:30:00+08:00\",\"type\":\"acknowledged\",\"actor\":\"s-1\"}]}";

static const char *JSONL =
    "{\"id\":\"A-2\",\"received_at\":\"2024-03-06T10:00:00Z\",\"channel\":\"email\",\"facets\":{\"category\":\"logistics\"}}\n"
    "{\"id\":\"A-3\",\"received_at\":\"2024-13-06T10:00:00Z\"}\n"
    "{\"id\":\"A-4\",\"received_at\":\"2024-03-07T10:00:00Z\",\"customer\":{\"id\":\"CU-1\"}}\n";

int main(void) {
    char dir[] = "/tmp/ck_capi_archive_XXXXXX";
    char path[256], other[256];
    ck_context *ctx = ck_context_new();
    ck_archive *a = NULL;
    char *out = NULL;
    size_t n = 0;
    int v = 0;
    FILE *f;

    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/complaints.db", dir);
    snprintf(other, sizeof other, "%s/notes.db", dir);

    /* open: argument errors, missing file with NO_CREATE, then create */
    CHECK(ck_archive_open(NULL, &a, path, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_open(ctx, NULL, path, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_open(ctx, &a, NULL, 0) == CK_E_INVALID_ARGUMENT && a == NULL);
    CHECK(ck_archive_open(ctx, &a, path, 0x80u) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_open(ctx, &a, path, CK_ARCHIVE_NO_CREATE) == CK_E_NOT_FOUND && a == NULL);
    CHECK(CONTAINS(ck_context_errmsg(ctx), "no archive at"));
    CHECK(ck_archive_open(ctx, &a, path, 0) == CK_OK && a != NULL);
    CHECK(ck_archive_schema_version(ctx, a, &v) == CK_OK && v == 4);
    CHECK(ck_archive_schema_version(ctx, NULL, &v) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_schema_version(ctx, a, NULL) == CK_E_INVALID_ARGUMENT);

    /* ingest one, duplicates */
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, CK_DUPLICATES_REJECT) == CK_OK);
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, CK_DUPLICATES_REJECT) == CK_E_INVALID_VALUE);
    CHECK(CONTAINS(ck_context_errmsg(ctx), "duplicate complaint id \"A-1\""));
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, CK_DUPLICATES_SKIP) == CK_OK);
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, CK_DUPLICATES_UPSERT) == CK_OK);
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, 7) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_ingest_json(ctx, a, "{\"id\":\"A-9\"}", CK_NUL_TERMINATED, 0) == CK_E_MISSING_FIELD);
    CHECK(ck_archive_count(ctx, a, &n) == CK_OK && n == 1);
    CHECK(ck_archive_count(ctx, a, NULL) == CK_E_INVALID_ARGUMENT);

    /* JSONL: stop at the bad line, then keep going with a report */
    CHECK(ck_archive_ingest_jsonl(ctx, a, JSONL, strlen(JSONL), CK_DUPLICATES_REJECT, 0, 0, &out) == CK_E_INVALID_VALUE);
    CHECK(out == NULL);
    CHECK(CONTAINS(ck_context_errmsg(ctx), "-:2: column \"/received_at\""));
    CHECK(ck_archive_count(ctx, a, &n) == CK_OK && n == 1); /* one transaction: nothing stored */
    CHECK(ck_archive_ingest_jsonl(ctx, a, JSONL, strlen(JSONL), CK_DUPLICATES_REJECT, 100, CK_INGEST_KEEP_GOING,
                                  &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"inserted\":2") && CONTAINS(out, "\"rejected\":1") && CONTAINS(out, "\"line\":2"));
    ck_string_free(out);
    out = NULL;
    CHECK(ck_archive_ingest_jsonl(ctx, a, JSONL, strlen(JSONL), 0, 0, 0x10u, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_archive_count(ctx, a, &n) == CK_OK && n == 3);

    /* get */
    CHECK(ck_archive_get_json(ctx, a, "A-1", CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"acknowledged\"") && CONTAINS(out, "南山店"));
    ck_string_free(out);
    CHECK(ck_archive_get_json(ctx, a, "nope", 4, &out) == CK_E_NOT_FOUND && out == NULL);
    CHECK(ck_archive_get_json(ctx, a, "A-1", 3, NULL) == CK_E_INVALID_ARGUMENT);

    /* query */
    CHECK(ck_archive_query_json(ctx, a, "{\"customer\":\"CU-1\"}", CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"A-1\"") && CONTAINS(out, "\"A-4\"") && !CONTAINS(out, "\"A-2\""));
    ck_string_free(out);
    CHECK(ck_archive_query_json(ctx, a, "{\"place\":\"广东省/深圳市\",\"facets\":{\"category\":\"product_quality\"}}",
                                CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"A-1\"") && CONTAINS(out, "\"status\":\"acknowledged\""));
    ck_string_free(out);
    CHECK(ck_archive_query_json(ctx, a, "", 0, &out) == CK_OK && out && CONTAINS(out, "\"A-2\""));
    ck_string_free(out);
    CHECK(ck_archive_query_json(ctx, a, "{\"colour\":\"red\"}", CK_NUL_TERMINATED, &out) == CK_E_INVALID_VALUE);
    CHECK(strcmp(ck_context_errpath(ctx), "/colour") == 0);
    CHECK(ck_archive_query_json(ctx, a, "{\"status\":\"sleeping\"}", CK_NUL_TERMINATED, &out) == CK_E_UNKNOWN_CODE);
    CHECK(strcmp(ck_context_errpath(ctx), "/status") == 0);
    CHECK(ck_archive_query_json(ctx, a, "{\"facets\":{\"colour\":\"red\"}}", CK_NUL_TERMINATED, &out) ==
          CK_E_INVALID_VALUE);
    CHECK(strcmp(ck_context_errpath(ctx), "/facets/colour") == 0);
    CHECK(ck_archive_query_json(ctx, a, "{}", 2, NULL) == CK_E_INVALID_ARGUMENT);

    /* append an event */
    CHECK(ck_archive_append_event_json(ctx, a, "A-1", CK_NUL_TERMINATED,
                                       "{\"at\":\"2024-03-06T09:00:00+08:00\",\"type\":\"resolved\",\"actor\":\"s-1\"}",
                                       CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_archive_query_json(ctx, a, "{\"status\":\"resolved\"}", CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"A-1\""));
    ck_string_free(out);
    CHECK(ck_archive_append_event_json(ctx, a, "A-1", CK_NUL_TERMINATED,
                                       "{\"at\":\"2024-03-01T00:00:00Z\",\"type\":\"note\"}",
                                       CK_NUL_TERMINATED) == CK_E_OUT_OF_ORDER);
    CHECK(ck_archive_append_event_json(ctx, a, "A-1", CK_NUL_TERMINATED, "{\"at\":\"2030-01-01T00:00Z\",\"type\":\"nap\"}",
                                       CK_NUL_TERMINATED) == CK_E_UNKNOWN_CODE);
    CHECK(strcmp(ck_context_errpath(ctx), "/type") == 0);
    CHECK(ck_archive_append_event_json(ctx, a, "Z-9", CK_NUL_TERMINATED, "{\"at\":\"2030-01-01T00:00Z\",\"type\":\"note\"}",
                                       CK_NUL_TERMINATED) == CK_E_NOT_FOUND);

    /* workflow commands */
    CHECK(ck_archive_apply_json(ctx, a, "A-4", CK_NUL_TERMINATED,
                                "{\"command\":\"acknowledge\",\"at\":\"2024-03-07T11:00:00Z\",\"actor\":\"s-1\"}",
                                CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_archive_query_json(ctx, a, "{\"status\":\"acknowledged\"}", CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && CONTAINS(out, "\"A-4\"") && CONTAINS(out, "\"due_at\""));
    ck_string_free(out);
    CHECK(ck_archive_apply_json(ctx, a, "A-4", CK_NUL_TERMINATED,
                                "{\"command\":\"close\",\"at\":\"2024-03-07T12:00:00Z\"}", CK_NUL_TERMINATED) ==
          CK_E_ILLEGAL_TRANSITION);
    CHECK(ck_archive_apply_json(ctx, a, "A-4", CK_NUL_TERMINATED,
                                "{\"command\":\"fly\",\"at\":\"2024-03-07T12:00:00Z\"}", CK_NUL_TERMINATED) ==
          CK_E_UNKNOWN_CODE);
    CHECK(ck_archive_apply_json(ctx, a, "Z-1", CK_NUL_TERMINATED,
                                "{\"command\":\"acknowledge\",\"at\":\"2024-03-07T12:00:00Z\"}",
                                CK_NUL_TERMINATED) == CK_E_NOT_FOUND);

    /* rebuild */
    CHECK(ck_archive_rebuild(ctx, a, &n) == CK_OK && n == 3);
    CHECK(ck_archive_rebuild(ctx, a, NULL) == CK_OK);
    CHECK(ck_archive_rebuild(ctx, NULL, &n) == CK_E_INVALID_ARGUMENT);
    ck_archive_close(a);
    ck_archive_close(NULL);

    /* read-only */
    CHECK(ck_archive_open(ctx, &a, path, CK_ARCHIVE_READ_ONLY) == CK_OK);
    CHECK(ck_archive_ingest_json(ctx, a, C1, CK_NUL_TERMINATED, CK_DUPLICATES_UPSERT) == CK_E_IO);
    CHECK(CONTAINS(ck_context_errmsg(ctx), "read-only"));
    CHECK(ck_archive_rebuild(ctx, a, &n) == CK_E_IO);
    ck_archive_close(a);
    a = NULL;

    /* without SLA deadlines */
    CHECK(ck_archive_open(ctx, &a, path, CK_ARCHIVE_NO_SLA) == CK_OK);
    CHECK(ck_archive_rebuild(ctx, a, &n) == CK_OK);
    CHECK(ck_archive_query_json(ctx, a, "{\"customer\":\"CU-1\"}", CK_NUL_TERMINATED, &out) == CK_OK);
    CHECK(out && !CONTAINS(out, "\"due_at\""));
    ck_string_free(out);
    ck_archive_close(a);
    a = NULL;

    /* not a database: refused, untouched */
    f = fopen(other, "w");
    fputs("my notes\n", f);
    fclose(f);
    CHECK(ck_archive_open(ctx, &a, other, 0) == CK_E_UNSUPPORTED && a == NULL);
    CHECK(CONTAINS(ck_context_errmsg(ctx), "not a SQLite database"));

    remove(other);
    remove(path);
    {
        char p2[300];
        snprintf(p2, sizeof p2, "%s-wal", path);
        remove(p2);
        snprintf(p2, sizeof p2, "%s-shm", path);
        remove(p2);
    }
    rmdir(dir);
    ck_context_free(ctx);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
