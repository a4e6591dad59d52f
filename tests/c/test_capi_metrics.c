/* Plain-C tests of the metrics C API: every function and its error paths. */
#include <complaintkit.h>

#include "ck_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *A = "{\"id\":\"A\",\"received_at\":\"2024-03-05T09:00:00Z\",\"branch\":\"B1\","
                       "\"events\":[{\"at\":\"2024-03-05T11:00:00Z\",\"type\":\"resolved\",\"actor\":\"li\"},"
                       "{\"at\":\"2024-03-05T12:00:00Z\",\"type\":\"follow_up\",\"payload\":{\"satisfaction\":5}}]}";
static const char *B = "{\"id\":\"B\",\"received_at\":\"2024-03-06T09:00:00Z\",\"branch\":\"B2\","
                       "\"events\":[{\"at\":\"2024-03-06T13:00:00Z\",\"type\":\"resolved\"}]}";
static const char *BAD = "{\"id\":\"X\",\"received_at\":\"2024-03-05T09:00:00Z\","
                         "\"events\":[{\"at\":\"2024-03-06T10:00:00Z\",\"type\":\"follow_up\",\"payload\":{\"satisfaction\":9}}]}";

static void test_report(void) {
    ck_context *ctx = ck_context_new();
    ck_report *r = NULL, *r2 = NULL, *restored = NULL, *other = NULL;
    ck_complaint *a = NULL, *b = NULL, *bad = NULL;
    char *out = NULL;
    size_t len = 0, added = 99;
    uint64_t n = 0;

    CHECK(ck_report_new(ctx, &r, "{\"group_by\":[\"branch\"]}", CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_complaint_from_json(ctx, &a, A, CK_NUL_TERMINATED, 0) == CK_OK);
    CHECK(ck_complaint_from_json(ctx, &b, B, CK_NUL_TERMINATED, 0) == CK_OK);
    CHECK(ck_complaint_from_json(ctx, &bad, BAD, CK_NUL_TERMINATED, 0) == CK_OK);
    CHECK(ck_report_add(ctx, r, a) == CK_OK);
    CHECK(ck_report_add_with_host(ctx, r, b, "{\"business_resolution_s\":3600,\"sla\":{\"resolution\":true}}",
                                  CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_report_count(ctx, r, &n) == CK_OK);
    CHECK(n == 2);

    /* bad survey score: an error naming the field, nothing added */
    CHECK(ck_report_add(ctx, r, bad) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errmsg(ctx),
              "complaint \"X\": /events/0/payload/satisfaction: score 9 is outside the scale 1–5");
    CHECK_STR(ck_context_errpath(ctx), "/events/0/payload/satisfaction");
    CHECK(ck_report_count(ctx, r, &n) == CK_OK && n == 2);
    /* negative business time from the host */
    CHECK(ck_report_add_with_host(ctx, r, a, "{\"business_resolution_s\":-5}", CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errmsg(ctx), "/business_resolution_s: business_resolution_s is negative (-5 s): end before start");
    CHECK(ck_report_add_with_host(ctx, r, a, "{\"mood\":1}", CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errmsg(ctx), "/mood: unknown field");

    /* results */
    CHECK(ck_report_result_json(ctx, r, 0, &out, &len) == CK_OK);
    CHECK(out != NULL && len == strlen(out));
    CHECK_HAS(out, "\"count\":2");
    CHECK_HAS(out, "\"branch\":\"B1\"");
    CHECK_HAS(out, "\"business_resolution_time\"");
    CHECK(strstr(out, "nan") == NULL || strstr(out, ":nan") == NULL);
    ck_string_free(out);
    CHECK(ck_report_result_json(ctx, r, CK_JSON_PRETTY, &out, NULL) == CK_OK);
    CHECK_HAS(out, "\n  \"count\": 2");
    ck_string_free(out);
    CHECK(ck_report_result_json(ctx, r, 0x10, &out, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(out == NULL);

    /* state round trip and merge: two halves equal the whole */
    CHECK(ck_report_new(ctx, &r2, "{\"group_by\":[\"branch\"]}", CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_report_add_json(ctx, r2, A, strlen(A), 0, &added) == CK_OK);
    CHECK(added == 1);
    CHECK(ck_report_new(ctx, &other, "{\"group_by\":[\"branch\"]}", CK_NUL_TERMINATED) == CK_OK);
    {
        char wrapped[1024];
        snprintf(wrapped, sizeof wrapped,
                 "{\"complaint\":%s,\"host\":{\"business_resolution_s\":3600,\"sla\":{\"resolution\":true}}}\n", B);
        CHECK(ck_report_add_json(ctx, other, wrapped, CK_NUL_TERMINATED, CK_REPORT_JSONL, &added) == CK_OK);
        CHECK(added == 1);
    }
    CHECK(ck_report_state_json(ctx, other, &out, &len) == CK_OK);
    CHECK(ck_report_from_state_json(ctx, &restored, out, len) == CK_OK);
    ck_string_free(out);
    CHECK(ck_report_merge(ctx, r2, restored) == CK_OK);
    {
        char *whole = NULL, *parts = NULL;
        CHECK(ck_report_result_json(ctx, r, 0, &whole, NULL) == CK_OK);
        CHECK(ck_report_result_json(ctx, r2, 0, &parts, NULL) == CK_OK);
        CHECK(whole && parts && strcmp(whole, parts) == 0);
        ck_string_free(whole);
        ck_string_free(parts);
    }

    /* JSON Lines: all or nothing, the error names the line */
    {
        char lines[2048];
        snprintf(lines, sizeof lines, "%s\n\n%s\n", A, BAD);
        CHECK(ck_report_add_json(ctx, r2, lines, CK_NUL_TERMINATED, CK_REPORT_JSONL, &added) == CK_E_INVALID_VALUE);
        CHECK_STR(ck_context_errmsg(ctx),
                  "line 3: complaint \"X\": /events/0/payload/satisfaction: score 9 is outside the scale 1–5");
        CHECK(added == 0);
        CHECK(ck_report_count(ctx, r2, &n) == CK_OK && n == 2);
        CHECK(ck_report_add_json(ctx, r2, "{\"id\":1}\n", CK_NUL_TERMINATED, CK_REPORT_JSONL, NULL) == CK_E_INVALID_VALUE);
        CHECK_STR(ck_context_errmsg(ctx), "line 1: /id: expected a string, got a number");
        CHECK(ck_report_add_json(ctx, r2, "{", 1, 0, NULL) == CK_E_PARSE);
        CHECK(ck_report_add_json(ctx, r2, A, strlen(A), 0x8, NULL) == CK_E_INVALID_ARGUMENT);
        CHECK_STR(ck_context_errmsg(ctx), "unknown report flags");
    }

    /* merge of different configurations changes nothing */
    {
        ck_report *c2 = NULL;
        CHECK(ck_report_new(ctx, &c2, "{\"group_by\":[\"channel\"]}", CK_NUL_TERMINATED) == CK_OK);
        CHECK(ck_report_merge(ctx, r2, c2) == CK_E_INVALID_ARGUMENT);
        CHECK_STR(ck_context_errmsg(ctx), "cannot merge reports with different configurations");
        ck_report_free(c2);
    }

    /* configuration and state errors */
    {
        ck_report *x = NULL;
        CHECK(ck_report_new(ctx, &x, "{\"group_by\":[\"colour\"]}", CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
        CHECK_STR(ck_context_errpath(ctx), "/group_by/0");
        CHECK(x == NULL);
        CHECK(ck_report_new(ctx, &x, NULL, 0) == CK_OK); /* defaults */
        ck_report_free(x);
        x = NULL;
        CHECK(ck_report_from_state_json(ctx, &x, "{\"format\":\"nope\",\"version\":1}", CK_NUL_TERMINATED) ==
              CK_E_UNSUPPORTED);
        CHECK(x == NULL);
        CHECK(ck_report_from_state_json(ctx, &x, "[", 1) == CK_E_PARSE);
    }

    /* NULL arguments */
    CHECK(ck_report_new(ctx, NULL, NULL, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_add(ctx, NULL, a) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "report must not be NULL");
    CHECK(ck_report_add(ctx, r, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_add_with_host(ctx, r, a, NULL, 3) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_merge(ctx, r, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_count(ctx, r, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_state_json(ctx, r, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_report_result_json(NULL, r, 0, &out, NULL) == CK_E_INVALID_ARGUMENT);
    ck_report_free(NULL);

    ck_complaint_free(a);
    ck_complaint_free(b);
    ck_complaint_free(bad);
    ck_report_free(r);
    ck_report_free(r2);
    ck_report_free(restored);
    ck_report_free(other);
    ck_context_free(ctx);
}

static void test_statistics(void) {
    ck_context *ctx = ck_context_new();
    double lo = 0, hi = 0, silent = 0;
    CHECK(ck_metrics_wilson(ctx, 8, 10, 0.95, &lo, &hi) == CK_OK);
    CHECK(fabs(lo - 0.49016247153664183) < 1e-12);
    CHECK(fabs(hi - 0.9433178485456247) < 1e-12);
    CHECK(ck_metrics_wilson(ctx, 1, 0, 0.95, &lo, &hi) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "wilson interval: n must be positive");
    CHECK(ck_metrics_wilson(ctx, 3, 2, 0.95, &lo, &hi) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_metrics_wilson(ctx, 1, 2, 1.0, &lo, &hi) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_metrics_iceberg(ctx, 100, 0.05, 0.95, &silent, &lo, &hi) == CK_OK);
    CHECK(fabs(silent - 1900) < 1e-9);
    CHECK(fabs(lo - (1900 - 382.0673176108848)) < 1e-6);
    CHECK(ck_metrics_iceberg(ctx, 100, 0.04, 0.95, &silent, NULL, NULL) == CK_OK);
    CHECK(fabs(silent - 2400) < 1e-9);
    CHECK(ck_metrics_iceberg(ctx, 100, 0.0, 0.95, &silent, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_HAS(ck_context_errmsg(ctx), "complaint rate must be in (0, 1]");
    ck_context_free(ctx);
}

int main(void) {
    test_report();
    test_statistics();
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
