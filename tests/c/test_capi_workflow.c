/* Plain-C tests of the workflow C API: calendars, commands, state JSON, wake-ups,
 * remedies, strategies — every function and its error paths. */
#include <complaintkit.h>

#include "ck_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* 2024-03-04T10:00:00+08:00 = 2024-03-04T02:00:00Z */
#define MON_10 ((int64_t)1709517600 * 1000000)
#define MINUTE ((int64_t)60 * 1000000)

static const char *CAL =
    "{\"zone\":\"Asia/Shanghai\",\"hours\":{\"mon\":[[\"09:00\",\"12:00\"],[\"13:00\",\"18:00\"]],"
    "\"tue\":[[\"09:00\",\"12:00\"],[\"13:00\",\"18:00\"]],\"wed\":[[\"09:00\",\"18:00\"]],"
    "\"thu\":[[\"09:00\",\"18:00\"]],\"fri\":[[\"09:00\",\"18:00\"]]},"
    "\"holidays\":[{\"date\":\"2024-03-05\",\"name\":\"closed\"}],"
    "\"working_days\":[{\"date\":\"2024-03-09\",\"as\":\"mon\"}]}";

static void test_calendar(ck_context *ctx) {
    ck_calendar *cal = NULL;
    int open = -1, off = 0;
    int64_t t = 0, d = 0;
    char *s = NULL;
    const char *cal_json = CAL;
    char zone_fallback[1024];
    /* Without zone data, use the POSIX rule for the same zone. */
    if (ck_calendar_from_json(ctx, &cal, cal_json, CK_NUL_TERMINATED) != CK_OK) {
        const char *p = strstr(CAL, "Asia/Shanghai");
        size_t head = (size_t)(p - CAL);
        memcpy(zone_fallback, CAL, head);
        strcpy(zone_fallback + head, "CST-8");
        strcat(zone_fallback, p + strlen("Asia/Shanghai"));
        CHECK(ck_calendar_from_json(ctx, &cal, zone_fallback, CK_NUL_TERMINATED) == CK_OK);
    }
    CHECK(cal != NULL);
    CHECK(ck_calendar_is_open(ctx, cal, MON_10, &open) == CK_OK && open == 1);
    CHECK(ck_calendar_is_open(ctx, cal, MON_10 + 150 * MINUTE, &open) == CK_OK && open == 0); /* 12:30 */
    CHECK(ck_calendar_next_open(ctx, cal, MON_10 + 150 * MINUTE, &t) == CK_OK && t == MON_10 + 180 * MINUTE);
    /* Monday 10:00 + 480 min: 420 on Monday, Tuesday a holiday, Wednesday 09:00 + 60 = 10:00. */
    CHECK(ck_calendar_add(ctx, cal, MON_10, 480 * MINUTE, &t) == CK_OK && t == MON_10 + 48 * 60 * MINUTE);
    CHECK(ck_calendar_business_between(ctx, cal, MON_10, t, &d) == CK_OK && d == 480 * MINUTE);
    CHECK(ck_calendar_business_between(ctx, cal, t, MON_10, &d) == CK_OK && d == -480 * MINUTE);
    CHECK(ck_calendar_offset_minutes(ctx, cal, MON_10, &off) == CK_OK && off == 480);
    CHECK(ck_calendar_explain_add(ctx, cal, MON_10, 480 * MINUTE, &s) == CK_OK);
    CHECK(s != NULL && s[0] == '[');
    CHECK_HAS(s, "holiday closed");
    CHECK_HAS(s, "deadline 2024-03-06T10:00:00+08:00");
    ck_string_free(s);
    /* Saturday 9 March is a make-up working day. */
    CHECK(ck_calendar_is_open(ctx, cal, MON_10 + 5 * 24 * 60 * MINUTE, &open) == CK_OK && open == 1);

    /* errors */
    CHECK(ck_calendar_add(ctx, cal, MON_10, -1, &t) == CK_E_INVALID_ARGUMENT);
    CHECK_HAS(ck_context_errmsg(ctx), "must not be negative");
    CHECK(ck_calendar_is_open(ctx, NULL, MON_10, &open) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_is_open(ctx, cal, MON_10, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_next_open(ctx, cal, MON_10, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_business_between(ctx, cal, MON_10, MON_10, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_offset_minutes(ctx, cal, MON_10, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_explain_add(ctx, cal, MON_10, 1, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_is_open(ctx, cal, (int64_t)4200000000 * 1000000, &open) == CK_E_INVALID_VALUE);
    CHECK_HAS(ck_context_errmsg(ctx), "outside the calendar's years");
    ck_calendar_free(cal);
    ck_calendar_free(NULL);

    cal = (ck_calendar *)1;
    CHECK(ck_calendar_from_json(ctx, &cal, "{\"zone\":\"UTC\",\"hours\":{\"mon\":[[\"09:00\",\"12:00\"],[\"11:00\",\"13:00\"]]}}",
                                CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
    CHECK(cal == NULL);
    CHECK_STR(ck_context_errpath(ctx), "/hours/mon/1");
    CHECK_STR(ck_context_errmsg(ctx), "/hours/mon/1: interval 11:00\xe2\x80\x93" "13:00 overlaps 09:00\xe2\x80\x93" "12:00");
    CHECK(ck_calendar_from_json(ctx, &cal, "{\"zone\":\"Nowhere/City\",\"hours\":{}}", CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
    CHECK_HAS(ck_context_errmsg(ctx), "unknown time zone");
    CHECK(ck_calendar_from_json(ctx, &cal, "{\"zone\":\"UTC\",\"hours\":{},\"holidays\":[{\"date\":\"2023-02-29\"}]}",
                                CK_NUL_TERMINATED) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errpath(ctx), "/holidays/0/date");
    CHECK(ck_calendar_from_json(ctx, &cal, "{", 1) == CK_E_PARSE);
    CHECK(ck_calendar_from_json(ctx, NULL, "{}", 2) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_calendar_from_json(NULL, &cal, "{}", 2) == CK_E_INVALID_ARGUMENT);
}

static void test_workflow(ck_context *ctx) {
    ck_workflow *wf = NULL, *custom = NULL;
    ck_complaint *c = NULL;
    ck_calendar *cal = NULL;
    char *s = NULL;
    size_t n = 0;
    int has = -1;
    int64_t t = 0;
    const char *text = NULL;
    CHECK(ck_workflow_new(ctx, &wf) == CK_OK && wf != NULL);
    CHECK(strstr(ck_workflow_default_json(), "\"standard\"") != NULL);
    CHECK(ck_complaint_from_json(ctx, &c,
                                 "{\"id\":\"C1\",\"received_at\":\"2024-03-04T10:00:00+08:00\",\"channel\":\"phone\","
                                 "\"branch\":\"B1\",\"region\":[\"P\",\"Q\"],"
                                 "\"facets\":{\"cause\":\"service\",\"sub_cause\":\"money_error\"}}",
                                 CK_NUL_TERMINATED, 0) == CK_OK);

    CHECK(ck_workflow_next_wakeup(ctx, wf, c, MON_10, &has, &t) == CK_OK);
    CHECK(has == 1 && t == MON_10 + 375 * MINUTE); /* 16:15, the 75 % acknowledge warning */
    CHECK(ck_workflow_state_json(ctx, wf, c, MON_10, 0, &s, &n) == CK_OK);
    CHECK(s != NULL && strlen(s) == n);
    CHECK_HAS(s, "\"status\":\"received\"");
    CHECK_HAS(s, "\"deadline\":\"2024-03-04T18:00:00+08:00\"");
    ck_string_free(s);

    CHECK(ck_workflow_apply_json(ctx, wf, c, "{\"command\":\"resolve\",\"at\":\"2024-03-04T10:10:00+08:00\"}",
                                 CK_NUL_TERMINATED) == CK_E_ILLEGAL_TRANSITION);
    CHECK_STR(ck_context_errmsg(ctx), "resolve is not allowed in state received: acknowledge it first");
    CHECK(ck_workflow_apply_json(ctx, wf, c, "{\"command\":\"acknowledge\",\"at\":\"2024-03-04T09:00:00+08:00\"}",
                                 CK_NUL_TERMINATED) == CK_E_OUT_OF_ORDER);
    CHECK(ck_workflow_apply_json(ctx, wf, c, "{\"command\":\"fly\",\"at\":\"2024-03-04T11:00:00+08:00\"}",
                                 CK_NUL_TERMINATED) == CK_E_UNKNOWN_CODE);
    CHECK(ck_complaint_event_count(ctx, c, &n) == CK_OK && n == 0);
    CHECK(ck_workflow_apply_json(ctx, wf, c, "{\"command\":\"acknowledge\",\"at\":\"2024-03-04T10:30:00+08:00\",\"actor\":\"li\"}",
                                 CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_complaint_event_count(ctx, c, &n) == CK_OK && n == 1);
    CHECK(ck_workflow_state_json(ctx, wf, c, MON_10 + 9 * 60 * MINUTE, CK_JSON_PRETTY, &s, NULL) == CK_OK);
    CHECK_HAS(s, "\"status\": \"acknowledged\"");
    CHECK_HAS(s, "\"breaches\": [");
    ck_string_free(s);
    {
        ck_complaint *copy = NULL;
        size_t appended = 99;
        CHECK(ck_complaint_clone(ctx, &copy, c) == CK_OK);
        CHECK(ck_workflow_record_sla_events(ctx, wf, copy, MON_10 + 9 * 60 * MINUTE, &appended) == CK_OK);
        CHECK(appended == 1); /* the first-response warning at 17:00 */
        CHECK(ck_workflow_record_sla_events(ctx, wf, copy, MON_10 + 9 * 60 * MINUTE, NULL) == CK_OK);
        CHECK(ck_complaint_event_count(ctx, copy, &n) == CK_OK && n == 2);
        CHECK(ck_workflow_record_sla_events(ctx, wf, NULL, MON_10, &appended) == CK_E_INVALID_ARGUMENT);
        ck_complaint_free(copy);
    }
    CHECK(ck_workflow_state_json(ctx, wf, c, MON_10, 0, &s, NULL) == CK_E_OUT_OF_ORDER); /* before the last event */
    CHECK(s == NULL);
    CHECK(ck_workflow_state_json(ctx, wf, c, MON_10 + 60 * MINUTE, 0x80u, &s, NULL) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_workflow_explain_json(ctx, wf, c, MON_10 + 60 * MINUTE, "resolution", &s) == CK_OK);
    CHECK_HAS(s, "resolution cycle 0 under policy standard");
    CHECK_HAS(s, "deadline 2024-03-11T10:00:00+08:00");
    ck_string_free(s);
    CHECK(ck_workflow_explain_json(ctx, wf, c, MON_10 + 60 * MINUTE, "lunch", &s) == CK_E_UNKNOWN_CODE);
    CHECK(s == NULL);
    CHECK(ck_workflow_explain_json(ctx, wf, c, MON_10 + 60 * MINUTE, NULL, &s) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_workflow_recommend_json(ctx, wf, c, CK_LANG_ZH_HANT, &s) == CK_OK);
    CHECK_HAS(s, "\"type\":\"price_difference_refund\"");
    CHECK_HAS(s, "退還多收的差額");
    ck_string_free(s);
    CHECK(ck_workflow_recommend_json(ctx, wf, c, 7, &s) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_personality_strategy(ctx, 2, CK_LANG_ZH_HANS, &text) == CK_OK);
    CHECK(strncmp(text, "力量型", strlen("力量型")) == 0);
    CHECK(ck_personality_strategy(ctx, 99, CK_LANG_EN, &text) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_personality_strategy(ctx, 1, CK_LANG_EN, NULL) == CK_E_INVALID_ARGUMENT);

    CHECK(ck_workflow_calendar(ctx, wf, "default", CK_NUL_TERMINATED, &cal) == CK_OK && cal != NULL);
    ck_calendar_free(cal);
    CHECK(ck_workflow_calendar(ctx, wf, "nope", CK_NUL_TERMINATED, &cal) == CK_E_NOT_FOUND);

    CHECK(ck_workflow_from_json(ctx, &custom, "{\"policies\":[{\"id\":\"p\",\"pause_states\":[\"sleeping\"]}]}",
                                CK_NUL_TERMINATED) == CK_E_UNKNOWN_CODE);
    CHECK(custom == NULL);
    CHECK_STR(ck_context_errpath(ctx), "/policies/0/pause_states/0");
    CHECK(ck_workflow_from_json(ctx, &custom, "{\"policies\":[{\"id\":\"p\",\"targets\":{\"resolution\":{\"calendar_minutes\":90}}}]}",
                                CK_NUL_TERMINATED) == CK_OK);
    CHECK(ck_workflow_next_wakeup(ctx, custom, c, MON_10 + 60 * MINUTE, &has, NULL) == CK_OK && has == 1);
    CHECK(ck_workflow_next_wakeup(ctx, custom, c, MON_10 + 100 * MINUTE, &has, &t) == CK_OK && has == 0 && t == 0);

    CHECK(ck_workflow_apply_json(ctx, NULL, c, "{}", 2) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_workflow_apply_json(ctx, wf, NULL, "{}", 2) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_workflow_next_wakeup(ctx, wf, c, MON_10 + 60 * MINUTE, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_workflow_new(ctx, NULL) == CK_E_INVALID_ARGUMENT);
    ck_workflow_free(custom);
    CHECK(ck_workflow_new(NULL, &custom) == CK_E_INVALID_ARGUMENT && custom == NULL);
    ck_workflow_free(wf);
    ck_workflow_free(NULL);
    ck_complaint_free(c);
}

int main(void) {
    ck_context *ctx = ck_context_new();
    test_calendar(ctx);
    test_workflow(ctx);
    ck_context_free(ctx);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
