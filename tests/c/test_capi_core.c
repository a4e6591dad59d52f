/* Plain-C tests of the core C API: every function and its error paths. */
#include <complaintkit.h>

#include "ck_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int handler_calls = 0;
static int handler_last = 0;
static void on_error(int status, const char *message, void *userdata) {
    (void)message;
    ++handler_calls;
    handler_last = status;
    *(int *)userdata += 1;
}

static const char *FULL =
    "{\"id\":\"CK-C-1\",\"received_at\":\"2024-07-01T10:05:00+08:00\",\"channel\":\"suggestion_box\","
    "\"customer\":{\"id\":\"CU-1\",\"name\":\"陳先生\",\"contact\":\"0912-000-000\",\"tier\":\"high_value\","
    "\"personality\":\"peaceful\",\"owner\":\"s-9\"},"
    "\"complainant\":\"陳太太\",\"branch\":\"TPE-01\",\"region\":[\"臺灣\",\"臺北市\"],\"product\":\"衛生紙\","
    "\"order\":\"O-1\",\"amounts\":{\"paid\":{\"minor\":12000,\"currency\":\"TWD\"}},\"language\":\"zh-Hant\","
    "\"title\":\"建議\",\"text\":\"洗手間的捲筒衛生紙太小，常常用完沒人補。\","
    "\"remedy_sought\":{\"types\":[\"explanation\"],\"text\":\"換大捲的\"},"
    "\"attributes\":{\"rolls\":2,\"when\":{\"time\":\"2024-06-30T12:00:00+08:00\"}},"
    "\"facets\":{\"kind\":\"suggestion\",\"category\":\"service_quality\",\"dimension\":\"tangibles\","
    "\"severity\":\"minor\",\"motive\":\"improvement\",\"cause\":\"service\",\"sub_cause\":\"facilities\"},"
    "\"events\":[{\"at\":\"2024-07-01T10:05:00+08:00\",\"type\":\"received\",\"actor\":\"box\"},"
    "{\"at\":\"2024-07-01T11:00:00+08:00\",\"type\":\"acknowledged\",\"actor\":\"s-9\",\"text\":\"謝謝建議\"}]}";

static void test_version(void) {
    CHECK_STR(ck_version(), CK_VERSION_STRING);
    CHECK(ck_version_number() == CK_VERSION_NUMBER);
    CHECK(CK_AT_LEAST_VERSION(0, 1, 0));
    CHECK(!CK_AT_LEAST_VERSION(99, 0, 0));
    CHECK(ck_abi_interface() >= 0);
    CHECK_STR(ck_status_name(CK_OK), "ok");
    CHECK_STR(ck_status_name(CK_E_INVALID_UTF8), "invalid_utf8");
    CHECK_STR(ck_status_name(CK_E_OUT_OF_ORDER), "out_of_order");
    CHECK_STR(ck_status_name(CK_E_NO_MEMORY), "no_memory");
    CHECK_STR(ck_status_name(-999), "unknown");
    CHECK_STR(ck_status_name(5), "unknown");
}

static void test_context(void) {
    int count = 0;
    ck_context *ctx = ck_context_new();
    ck_complaint *c = NULL;
    CHECK(ctx != NULL);
    CHECK(ck_context_errcode(ctx) == CK_OK);
    CHECK_STR(ck_context_errmsg(ctx), "");
    ck_context_set_error_handler(ctx, on_error, &count);
    CHECK(ck_complaint_from_json(ctx, &c, "{", 1, 0) == CK_E_PARSE);
    CHECK(c == NULL);
    CHECK(count == 1 && handler_calls >= 1 && handler_last == CK_E_PARSE);
    CHECK(ck_context_errcode(ctx) == CK_E_PARSE);
    CHECK(strstr(ck_context_errmsg(ctx), "malformed JSON") != NULL);
    ck_context_clear_error(ctx);
    CHECK(ck_context_errcode(ctx) == CK_OK);
    CHECK_STR(ck_context_errmsg(ctx), "");
    ck_context_set_error_handler(ctx, NULL, NULL);
    CHECK(ck_complaint_from_json(ctx, &c, "{", 1, 0) == CK_E_PARSE);
    CHECK(count == 1); /* handler removed */
    /* NULL context: a status, never a crash */
    CHECK(ck_complaint_from_json(NULL, &c, FULL, CK_NUL_TERMINATED, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_context_errcode(NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errpath(NULL), "");
    CHECK(strlen(ck_context_errmsg(NULL)) > 0);
    ck_context_set_error_handler(NULL, on_error, &count);
    ck_context_clear_error(NULL);
    ck_context_free(ctx);
    ck_context_free(NULL);
    ck_string_free(NULL);
    ck_complaint_free(NULL);
}

static void test_taxonomy(void) {
    ck_context *ctx = ck_context_new();
    size_t n = 0, i;
    int v = -1;
    const char *s = NULL;
    CHECK(ck_taxonomy_size(ctx, CK_TAXONOMY_DIMENSION, &n) == CK_OK);
    CHECK(n == 6);
    for (i = 0; i < n; ++i) {
        CHECK(ck_taxonomy_value_at(ctx, CK_TAXONOMY_DIMENSION, i, &v) == CK_OK);
        CHECK(ck_taxonomy_code(ctx, CK_TAXONOMY_DIMENSION, v, &s) == CK_OK && strlen(s) > 0);
    }
    CHECK(ck_taxonomy_value_at(ctx, CK_TAXONOMY_DIMENSION, n, &v) == CK_E_INVALID_ARGUMENT);
    CHECK(strstr(ck_context_errmsg(ctx), "out of range") != NULL);
    CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_SUB_CAUSE, "label_mismatch", CK_NUL_TERMINATED, &v) == CK_OK);
    CHECK(v == 15);
    CHECK(ck_taxonomy_code(ctx, CK_TAXONOMY_SUB_CAUSE, 14, &s) == CK_OK);
    CHECK_STR(s, "broken_appointment");
    CHECK(ck_taxonomy_label(ctx, CK_TAXONOMY_DIMENSION, 2, CK_LANG_ZH_HANT, &s) == CK_OK);
    CHECK_STR(s, "信賴度");
    CHECK(ck_taxonomy_label(ctx, CK_TAXONOMY_DIMENSION, 2, CK_LANG_ZH_HANS, &s) == CK_OK);
    CHECK_STR(s, "信赖度");
    CHECK(ck_taxonomy_label(ctx, CK_TAXONOMY_PERSONALITY, 2, CK_LANG_EN, &s) == CK_OK);
    CHECK_STR(s, "Powerful");
    /* errors */
    CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_CHANNEL, "pigeon", 6, &v) == CK_E_UNKNOWN_CODE);
    CHECK_STR(ck_context_errmsg(ctx), "unknown channel code \"pigeon\"");
    CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_CHANNEL, "phone_extra", 5, &v) == CK_OK); /* length honoured */
    CHECK(v == 1);
    CHECK(ck_taxonomy_size(ctx, 99, &n) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "no taxonomy numbered 99");
    CHECK(ck_taxonomy_size(ctx, -1, &n) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_code(ctx, CK_TAXONOMY_CATEGORY, 42, &s) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "no value 42 in taxonomy category");
    CHECK(ck_taxonomy_label(ctx, CK_TAXONOMY_CATEGORY, 1, 7, &s) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_size(ctx, CK_TAXONOMY_CATEGORY, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "out_count must not be NULL");
    CHECK(ck_taxonomy_value_at(ctx, CK_TAXONOMY_CATEGORY, 0, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_code(ctx, CK_TAXONOMY_CATEGORY, 1, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_label(ctx, CK_TAXONOMY_CATEGORY, 1, 0, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_CATEGORY, NULL, 3, &v) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_CATEGORY, "other", 5, NULL) == CK_E_INVALID_ARGUMENT);
    ck_context_free(ctx);
}

static void test_complaint(void) {
    ck_context *ctx = ck_context_new();
    ck_complaint *c = NULL, *copy = NULL, *again = NULL;
    const char *s = NULL, *actor = NULL, *text = NULL, *cur = NULL;
    char *json = NULL, *json2 = NULL, *attr = NULL;
    size_t len = 0, n = 0;
    int v = -1, off = 0, type = -1;
    int64_t us = 0, minor = 0;

    CHECK(ck_complaint_from_json(ctx, &c, FULL, strlen(FULL), 0) == CK_OK);
    CHECK(c != NULL);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_ID, &s, &len) == CK_OK);
    CHECK_STR(s, "CK-C-1");
    CHECK(len == 6);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_CUSTOMER_NAME, &s, NULL) == CK_OK);
    CHECK_STR(s, "陳先生");
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_CUSTOMER_ID, &s, NULL) == CK_OK && strcmp(s, "CU-1") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_CUSTOMER_CONTACT, &s, NULL) == CK_OK && strcmp(s, "0912-000-000") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_CUSTOMER_OWNER, &s, NULL) == CK_OK && strcmp(s, "s-9") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_COMPLAINANT, &s, NULL) == CK_OK && strcmp(s, "陳太太") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_BRANCH, &s, NULL) == CK_OK && strcmp(s, "TPE-01") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_PRODUCT, &s, NULL) == CK_OK && strcmp(s, "衛生紙") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_ORDER, &s, NULL) == CK_OK && strcmp(s, "O-1") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_LANGUAGE, &s, NULL) == CK_OK && strcmp(s, "zh-Hant") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_TITLE, &s, NULL) == CK_OK && strcmp(s, "建議") == 0);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_TEXT, &s, NULL) == CK_OK && strstr(s, "衛生紙太小") != NULL);
    CHECK(ck_complaint_string(ctx, c, CK_FIELD_REMEDY_TEXT, &s, NULL) == CK_OK && strcmp(s, "換大捲的") == 0);
    CHECK(ck_complaint_string(ctx, c, 99, &s, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "no string field numbered 99");

    CHECK(ck_complaint_code(ctx, c, CK_CODE_CHANNEL, &v) == CK_OK);
    CHECK(ck_taxonomy_code(ctx, CK_TAXONOMY_CHANNEL, v, &s) == CK_OK && strcmp(s, "suggestion_box") == 0);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_TIER, &v) == CK_OK && v == 2);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_PERSONALITY, &v) == CK_OK && v == 4);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_KIND, &v) == CK_OK && v == 2);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_CATEGORY, &v) == CK_OK && v == 2);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_SUBCATEGORY, &v) == CK_OK && v == 0);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_CAUSE, &v) == CK_OK && v == 2);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_SUB_CAUSE, &v) == CK_OK && v == 20);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_ATTRIBUTION, &v) == CK_OK && v == 0);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_DIMENSION, &v) == CK_OK && v == 1);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_SEVERITY, &v) == CK_OK && v == 1);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_FACET_PERSONALITY, &v) == CK_OK && v == 0);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_MOTIVE, &v) == CK_OK && v == 5);
    CHECK(ck_complaint_code(ctx, c, 77, &v) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_complaint_code(ctx, c, CK_CODE_MOTIVE, NULL) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_complaint_received_at(ctx, c, &us, &off) == CK_OK);
    CHECK(us == INT64_C(1719799500) * 1000000);
    CHECK(off == 480);
    CHECK(ck_complaint_received_at(ctx, c, NULL, NULL) == CK_OK);

    CHECK(ck_complaint_amount(ctx, c, "paid", &minor, &cur) == CK_OK);
    CHECK(minor == 12000);
    CHECK_STR(cur, "TWD");
    CHECK(ck_complaint_amount(ctx, c, "overcharged", &minor, &cur) == CK_E_NOT_FOUND);
    CHECK_STR(ck_context_errmsg(ctx), "no amount \"overcharged\" in complaint CK-C-1");
    CHECK(ck_complaint_amount(ctx, c, NULL, &minor, &cur) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_complaint_region_count(ctx, c, &n) == CK_OK && n == 2);
    CHECK(ck_complaint_region_at(ctx, c, 1, &s) == CK_OK && strcmp(s, "臺北市") == 0);
    CHECK(ck_complaint_region_at(ctx, c, 2, &s) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_complaint_region_count(ctx, c, NULL) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_complaint_attribute_json(ctx, c, "rolls", &attr) == CK_OK);
    CHECK_STR(attr, "2");
    ck_string_free(attr);
    CHECK(ck_complaint_attribute_json(ctx, c, "when", &attr) == CK_OK);
    CHECK_STR(attr, "{\"time\":\"2024-06-30T12:00:00+08:00\"}");
    ck_string_free(attr);
    CHECK(ck_complaint_attribute_json(ctx, c, "nope", &attr) == CK_E_NOT_FOUND);
    CHECK(attr == NULL);

    CHECK(ck_complaint_event_count(ctx, c, &n) == CK_OK && n == 2);
    CHECK(ck_complaint_event_at(ctx, c, 1, &type, &us, &actor, &text) == CK_OK);
    CHECK(type == 1);
    CHECK_STR(actor, "s-9");
    CHECK_STR(text, "謝謝建議");
    CHECK(ck_complaint_event_at(ctx, c, 0, NULL, NULL, NULL, NULL) == CK_OK);
    CHECK(ck_complaint_event_at(ctx, c, 2, &type, &us, &actor, &text) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "event index 2 out of range (2 events)");

    /* append: in order accepted, out of order refused and nothing changes */
    CHECK(ck_complaint_append_event_json(ctx, c, "{\"at\":\"2024-07-01T12:00:00+08:00\",\"type\":\"resolved\"}",
                                         CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_complaint_event_count(ctx, c, &n) == CK_OK && n == 3);
    CHECK(ck_complaint_append_event_json(ctx, c, "{\"at\":\"2024-07-01T09:00:00+08:00\",\"type\":\"note\"}",
                                         CK_NUL_TERMINATED) == CK_E_OUT_OF_ORDER);
    CHECK_STR(ck_context_errpath(ctx), "/events/3/at");
    CHECK(ck_complaint_event_count(ctx, c, &n) == CK_OK && n == 3);
    CHECK(ck_complaint_append_event_json(ctx, c, "{\"at\":\"2024-07-02T09:00:00+08:00\",\"type\":\"nap\"}",
                                         CK_NUL_TERMINATED) == CK_E_UNKNOWN_CODE);
    CHECK_STR(ck_context_errpath(ctx), "/type");
    CHECK(ck_complaint_append_event_json(ctx, c, "not json", CK_NUL_TERMINATED) == CK_E_PARSE);
    CHECK(ck_complaint_append_event_json(ctx, NULL, "{}", 2) == CK_E_INVALID_ARGUMENT);

    /* serialise, re-parse, compare */
    CHECK(ck_complaint_to_json(ctx, c, 0, &json, &len) == CK_OK);
    CHECK(json != NULL && len == strlen(json));
    CHECK(ck_complaint_from_json(ctx, &again, json, len, 0) == CK_OK);
    CHECK(ck_complaint_to_json(ctx, again, 0, &json2, NULL) == CK_OK);
    CHECK_STR(json, json2);
    ck_string_free(json2);
    json2 = NULL;
    CHECK(ck_complaint_to_json(ctx, c, CK_JSON_PRETTY, &json2, NULL) == CK_OK);
    CHECK(strchr(json2, '\n') != NULL);
    ck_string_free(json2);
    CHECK(ck_complaint_to_json(ctx, c, 0x80, &json2, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_complaint_to_json(ctx, NULL, 0, &json2, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "complaint must not be NULL");
    CHECK(ck_complaint_to_json(ctx, c, 0, NULL, NULL) == CK_E_INVALID_ARGUMENT);

    /* clone is deep */
    CHECK(ck_complaint_clone(ctx, &copy, c) == CK_OK);
    ck_complaint_free(c);
    CHECK(ck_complaint_string(ctx, copy, CK_FIELD_ID, &s, NULL) == CK_OK && strcmp(s, "CK-C-1") == 0);
    CHECK(ck_complaint_clone(ctx, &c, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(c == NULL);
    CHECK(ck_complaint_clone(ctx, NULL, copy) == CK_E_INVALID_ARGUMENT);
    ck_complaint_free(copy);
    ck_complaint_free(again);
    ck_string_free(json);
    ck_context_free(ctx);
}

static void expect_error(const char *json, int status, const char *path, const char *message) {
    ck_context *ctx = ck_context_new();
    ck_complaint *c = (ck_complaint *)&ctx; /* must be reset to NULL on failure */
    int rc = ck_complaint_from_json(ctx, &c, json, strlen(json), 0);
    CHECK(rc == status);
    CHECK(c == NULL);
    CHECK(ck_context_errcode(ctx) == status);
    CHECK_STR(ck_context_errpath(ctx), path);
    if (strcmp(ck_context_errmsg(ctx), message) != 0)
        fprintf(stderr, "  message was: %s\n  expected:    %s\n", ck_context_errmsg(ctx), message);
    CHECK_STR(ck_context_errmsg(ctx), message);
    ck_context_free(ctx);
}

static void test_bad_input(void) {
    ck_context *ctx = ck_context_new();
    ck_complaint *c = NULL;
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"events\":[{\"at\":\"2024-01-02T00:00Z\",\"type\":"
                 "\"received\"},{\"at\":\"2024-01-01T00:00Z\",\"type\":\"note\"}]}",
                 CK_E_OUT_OF_ORDER, "/events/1/at",
                 "/events/1/at: event is earlier than the previous event (2024-01-02T00:00:00Z)");
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"events\":[{\"at\":\"2024-02-30T00:00Z\",\"type\":"
                 "\"received\"}]}",
                 CK_E_INVALID_VALUE, "/events/0/at",
                 "/events/0/at: not an ISO-8601 timestamp: \"2024-02-30T00:00Z\" (no such day)");
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"text\":\"ok\xff\"}", CK_E_INVALID_UTF8, "/text",
                 "/text: invalid UTF-8 at byte 2");
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"channel\":\"fax2\"}", CK_E_UNKNOWN_CODE, "/channel",
                 "/channel: unknown channel code \"fax2\"");
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"amounts\":{\"refund\":{\"minor\":-1,\"currency\":"
                 "\"USD\"}}}",
                 CK_E_INVALID_VALUE, "/amounts/refund/minor", "/amounts/refund/minor: money must not be negative");
    expect_error("{\"id\":\"A\"}", CK_E_MISSING_FIELD, "/received_at", "/received_at: required field is missing");
    expect_error("{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"x\":1}", CK_E_INVALID_VALUE, "/x",
                 "/x: unknown field");
    expect_error("", CK_E_PARSE, "", "malformed JSON: empty input");
    /* preserve flag, bad flags, NULL pointers */
    CHECK(ck_complaint_from_json(ctx, &c, "{\"id\":\"A\",\"received_at\":\"2024-01-01\",\"x\":1}", CK_NUL_TERMINATED,
                                 CK_PARSE_PRESERVE_UNKNOWN) == CK_OK);
    ck_complaint_free(c);
    c = NULL;
    CHECK(ck_complaint_from_json(ctx, &c, "{}", 2, 0x40) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "unknown parse flags");
    CHECK(ck_complaint_from_json(ctx, NULL, "{}", 2, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_complaint_from_json(ctx, &c, NULL, 2, 0) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_complaint_from_json(ctx, &c, NULL, 0, 0) == CK_E_PARSE); /* empty input */
    CHECK(c == NULL);
    ck_context_free(ctx);
}

int main(void) {
    test_version();
    test_context();
    test_taxonomy();
    test_complaint();
    test_bad_input();
    printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
