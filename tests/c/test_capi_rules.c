/* Plain-C tests of the rules C API: every function and its error paths. */
#include <complaintkit.h>

#include "ck_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char *PACK =
    "{\"version\": 1, \"name\": \"c-test\", \"rules\": ["
    "{\"id\": \"attitude\", \"when\": {\"text_any\": [\"态度差\", \"rude\"]},"
    " \"set\": {\"category\": \"service_quality\", \"sub_cause\": \"poor_attitude\", \"tags\": [\"staff\"]}},"
    "{\"id\": \"media\", \"when\": {\"text_any\": [\"记者\"]}, \"set\": {\"severity\": \"critical\", \"tags\": [\"media\"]}},"
    "{\"id\": \"phone\", \"when\": {\"channel\": [\"phone\"]}, \"set\": {\"reasonable\": true}},"
    "{\"id\": \"repeat\", \"when\": {\"prior_complaints\": {\"min\": 2}}, \"set\": {\"severity\": \"serious\"}}"
    "]}";

static void test_compile_and_classify(ck_context *ctx) {
    ck_ruleset *rs = NULL;
    CHECK(ck_ruleset_compile(ctx, &rs, PACK, CK_NUL_TERMINATED) == CK_OK);
    CHECK(rs != NULL);
    size_t rules = 0, keywords = 0;
    CHECK(ck_ruleset_counts(ctx, rs, &rules, &keywords) == CK_OK);
    CHECK(rules == 4);
    CHECK(keywords == 3);
    CHECK(ck_ruleset_counts(ctx, rs, NULL, NULL) == CK_OK);
    char *warnings = NULL;
    CHECK(ck_ruleset_warnings_json(ctx, rs, &warnings, NULL) == CK_OK);
    CHECK(strcmp(warnings, "[]") == 0);
    ck_string_free(warnings);

    const char *text = "店員態度差，我要找記者";
    ck_classification *c = NULL;
    CHECK(ck_ruleset_classify_text(ctx, rs, text, strlen(text), 0, &c) == CK_OK);
    int v = -9;
    CHECK(ck_classification_facet(ctx, c, CK_FACET_CATEGORY, &v) == CK_OK);
    CHECK(v == 2); /* service_quality */
    CHECK(ck_classification_facet(ctx, c, CK_FACET_SUB_CAUSE, &v) == CK_OK);
    CHECK(v == 11); /* poor_attitude */
    CHECK(ck_classification_facet(ctx, c, CK_FACET_SEVERITY, &v) == CK_OK);
    CHECK(v == 4); /* critical */
    CHECK(ck_classification_facet(ctx, c, CK_FACET_REASONABLE, &v) == CK_OK);
    CHECK(v == -1);
    CHECK(ck_classification_facet(ctx, c, CK_FACET_TAGS, &v) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_classification_facet(ctx, c, 99, &v) == CK_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "no facet numbered 99");
    CHECK(ck_classification_facet(ctx, c, CK_FACET_KIND, NULL) == CK_E_INVALID_ARGUMENT);
    double score = 0;
    CHECK(ck_classification_score(ctx, c, &score) == CK_OK);
    CHECK(score == 2.0);
    CHECK(ck_classification_score(ctx, c, NULL) == CK_E_INVALID_ARGUMENT);
    size_t n = 0;
    CHECK(ck_classification_tag_count(ctx, c, &n) == CK_OK);
    CHECK(n == 2);
    const char *tag = NULL;
    CHECK(ck_classification_tag_at(ctx, c, 1, &tag) == CK_OK);
    CHECK(strcmp(tag, "media") == 0);
    CHECK(ck_classification_tag_at(ctx, c, 2, &tag) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_classification_evidence_count(ctx, c, &n) == CK_OK);
    CHECK(n == 2);
    const char *rule = NULL;
    size_t hits = 0;
    CHECK(ck_classification_evidence_at(ctx, c, 0, &rule, &score, &hits) == CK_OK);
    CHECK(strcmp(rule, "attitude") == 0);
    CHECK(hits == 1);
    CHECK(ck_classification_evidence_at(ctx, c, 0, NULL, NULL, NULL) == CK_OK);
    CHECK(ck_classification_evidence_at(ctx, c, 5, &rule, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "evidence index 5 out of range (2 rules fired)");
    {   /* lean evidence: same rules, facets and scores, no hits */
        ck_classification *lean = NULL;
        CHECK(ck_ruleset_classify_text(ctx, rs, text, strlen(text), CK_CLASSIFY_NO_HITS, &lean) == CK_OK);
        size_t ln = 0;
        CHECK(ck_classification_evidence_count(ctx, lean, &ln) == CK_OK);
        CHECK(ln == 2);
        const char *lrule = NULL;
        double lscore = 0;
        size_t lhits = 9;
        CHECK(ck_classification_evidence_at(ctx, lean, 0, &lrule, &lscore, &lhits) == CK_OK);
        CHECK(strcmp(lrule, "attitude") == 0);
        CHECK(lhits == 0);
        CHECK(ck_classification_facet(ctx, lean, CK_FACET_SUB_CAUSE, &v) == CK_OK);
        CHECK(v == 11);
        CHECK(ck_classification_score(ctx, lean, &lscore) == CK_OK);
        CHECK(lscore == 2.0);
        ck_classification_free(lean);
        CHECK(ck_ruleset_classify_text(ctx, rs, text, strlen(text), 0x8u, &lean) == CK_E_INVALID_ARGUMENT);
        CHECK(lean == NULL);
        CHECK_CONTAINS(ck_context_errmsg(ctx), "unknown classify flags");
    }
    const char *kw = NULL;
    size_t b = 0, e = 0;
    int in_title = -1;
    CHECK(ck_classification_hit_at(ctx, c, 0, 0, &kw, &b, &e, &in_title) == CK_OK);
    CHECK(strcmp(kw, "态度差") == 0);
    CHECK(strncmp(text + b, "態度差", e - b) == 0);
    CHECK(e - b == strlen("態度差"));
    CHECK(in_title == 0);
    CHECK(ck_classification_hit_at(ctx, c, 0, 3, &kw, &b, &e, &in_title) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_classification_hit_at(ctx, c, 9, 0, NULL, NULL, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    char *json = NULL;
    size_t json_len = 0;
    CHECK(ck_classification_to_json(ctx, c, 0, &json, &json_len) == CK_OK);
    CHECK(json_len == strlen(json));
    CHECK_CONTAINS(json, "\"sub_cause\":\"poor_attitude\"");
    CHECK_CONTAINS(json, "\"rule\":\"media\"");
    ck_string_free(json);
    CHECK(ck_classification_to_json(ctx, c, CK_JSON_PRETTY, &json, NULL) == CK_OK);
    CHECK_CONTAINS(json, "\n");
    ck_string_free(json);
    CHECK(ck_classification_to_json(ctx, c, 0x80, &json, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(json == NULL);
    ck_classification_free(c);

    /* explain mode: misses with reasons */
    CHECK(ck_ruleset_classify_text(ctx, rs, "rude", CK_NUL_TERMINATED, CK_CLASSIFY_EXPLAIN, &c) == CK_OK);
    CHECK(ck_classification_to_json(ctx, c, 0, &json, NULL) == CK_OK);
    CHECK_CONTAINS(json, "\"misses\"");
    CHECK_CONTAINS(json, "no keyword of text_any matched");
    ck_string_free(json);
    ck_classification_free(c);

    /* a complaint record: channel and prior complaints */
    ck_complaint *cp = NULL;
    const char *cj = "{\"id\":\"C1\",\"received_at\":\"2024-03-05T09:00:00Z\",\"channel\":\"phone\",\"text\":\"rude staff\"}";
    CHECK(ck_complaint_from_json(ctx, &cp, cj, CK_NUL_TERMINATED, 0) == CK_OK);
    CHECK(ck_ruleset_classify_complaint(ctx, rs, cp, 3, 0, &c) == CK_OK);
    CHECK(ck_classification_facet(ctx, c, CK_FACET_REASONABLE, &v) == CK_OK);
    CHECK(v == 1);
    CHECK(ck_classification_facet(ctx, c, CK_FACET_SEVERITY, &v) == CK_OK);
    CHECK(v == 3); /* serious: repeated */
    ck_classification_free(c);
    CHECK(ck_ruleset_classify_complaint(ctx, rs, cp, -1, 0, &c) == CK_OK);
    CHECK(ck_classification_facet(ctx, c, CK_FACET_SEVERITY, &v) == CK_OK);
    CHECK(v == 0);
    ck_classification_free(c);
    CHECK(ck_ruleset_classify_complaint(ctx, rs, cp, -2, 0, &c) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_complaint(ctx, rs, NULL, 0, 0, &c) == CK_E_INVALID_ARGUMENT);
    CHECK(c == NULL);
    ck_complaint_free(cp);

    /* bad input */
    CHECK(ck_ruleset_classify_text(ctx, rs, "ok\xff", 3, 0, &c) == CK_E_INVALID_UTF8);
    CHECK(c == NULL);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "invalid UTF-8 at byte 2");
    CHECK(ck_ruleset_classify_text(ctx, rs, "rude\xff", 5, CK_CLASSIFY_LENIENT_UTF8, &c) == CK_OK);
    CHECK(ck_classification_to_json(ctx, c, 0, &json, NULL) == CK_OK);
    CHECK_CONTAINS(json, "\"replaced_invalid_utf8\":1");
    ck_string_free(json);
    ck_classification_free(c);
    CHECK(ck_ruleset_classify_text(ctx, rs, "", 0, 0, &c) == CK_OK);
    CHECK(ck_classification_facet(ctx, c, CK_FACET_CATEGORY, &v) == CK_OK);
    CHECK(v == 0);
    ck_classification_free(c);
    CHECK(ck_ruleset_classify_text(ctx, rs, NULL, 0, 0, &c) == CK_OK); /* NULL with length 0 is empty */
    ck_classification_free(c);
    CHECK(ck_ruleset_classify_text(ctx, rs, NULL, 4, 0, &c) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_text(ctx, rs, "x", 1, 0x100, &c) == CK_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "unknown classify flags");
    CHECK(ck_ruleset_classify_text(ctx, NULL, "x", 1, 0, &c) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_text(ctx, rs, "x", 1, 0, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_text(NULL, rs, "x", 1, 0, &c) == CK_E_INVALID_ARGUMENT);

    /* batches: order kept, errors name the item, outputs NULL on failure */
    const char *texts[5] = {"rude", "记者", "nothing", "態度差", "rude"};
    ck_classification *out[5];
    CHECK(ck_ruleset_classify_batch(ctx, rs, texts, NULL, 5, 2, 0, out) == CK_OK);
    CHECK(ck_classification_facet(ctx, out[1], CK_FACET_SEVERITY, &v) == CK_OK);
    CHECK(v == 4);
    CHECK(ck_classification_facet(ctx, out[2], CK_FACET_CATEGORY, &v) == CK_OK);
    CHECK(v == 0);
    CHECK(ck_classification_facet(ctx, out[3], CK_FACET_SUB_CAUSE, &v) == CK_OK);
    CHECK(v == 11);
    for (int i = 0; i < 5; ++i) ck_classification_free(out[i]);
    const char *bad[3] = {"rude", "fine", "bad\xff"};
    size_t lens[3] = {4, 4, 4};
    CHECK(ck_ruleset_classify_batch(ctx, rs, bad, lens, 3, 0, 0, out) == CK_E_INVALID_UTF8);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "item 2: /text: invalid UTF-8 at byte 3");
    CHECK(out[0] == NULL && out[1] == NULL && out[2] == NULL);
    CHECK(ck_ruleset_classify_batch(ctx, rs, NULL, NULL, 0, 0, 0, out) == CK_OK);
    CHECK(ck_ruleset_classify_batch(ctx, rs, NULL, NULL, 2, 0, 0, out) == CK_E_INVALID_ARGUMENT);
    const char *with_null[2] = {"ok", NULL};
    CHECK(ck_ruleset_classify_batch(ctx, rs, with_null, NULL, 2, 0, 0, out) == CK_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "item 1: text must not be NULL");
    CHECK(ck_ruleset_classify_batch(ctx, rs, texts, NULL, 5, 0, 0, NULL) == CK_E_INVALID_ARGUMENT);

    ck_ruleset_free(rs);
    ck_ruleset_free(NULL);
    ck_classification_free(NULL);
}

static void test_bad_packs(ck_context *ctx) {
    ck_ruleset *rs = (ck_ruleset *)1;
    const char *bad = "{\"version\": 1, \"name\": \"x\", \"rules\": ["
                      "{\"id\": \"a\", \"when\": {\"text_any\": []}, \"set\": {\"category\": \"nope\"}},"
                      "{\"id\": \"a\", \"when\": {\"regex\": \"(\"}, \"set\": {\"tags\": [\"t\"]}}]}";
    CHECK(ck_ruleset_compile(ctx, &rs, bad, CK_NUL_TERMINATED) == CK_E_COMPILE);
    CHECK(rs == NULL);
    const char *msg = ck_context_errmsg(ctx);
    CHECK_CONTAINS(msg, "/rules/0/when/text_any: rule \"a\": empty keyword list");
    CHECK_CONTAINS(msg, "/rules/0/set/category: rule \"a\": unknown category code \"nope\"");
    CHECK_CONTAINS(msg, "/rules/1/id: duplicate rule id \"a\"");
    CHECK_CONTAINS(msg, "/rules/1/when/regex: rule \"a\": bad regex");
    char *lint = NULL;
    size_t lint_len = 0;
    CHECK(ck_ruleset_lint(ctx, bad, CK_NUL_TERMINATED, &lint, &lint_len) == CK_OK);
    CHECK(lint_len == strlen(lint));
    CHECK_CONTAINS(lint, "\"level\":\"error\"");
    CHECK_CONTAINS(lint, "\"path\":\"/rules/1/when/regex\"");
    ck_string_free(lint);
    CHECK(ck_ruleset_lint(ctx, NULL, 3, &lint, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_lint(ctx, bad, CK_NUL_TERMINATED, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_compile(ctx, &rs, "{\"version\":1,", CK_NUL_TERMINATED) == CK_E_PARSE);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "line 1");
    CHECK(ck_ruleset_compile(ctx, NULL, PACK, CK_NUL_TERMINATED) == CK_E_INVALID_ARGUMENT);
}

static void test_default(ck_context *ctx) {
    ck_ruleset *rs = NULL;
    CHECK(ck_ruleset_default(ctx, &rs) == CK_OK);
    size_t rules = 0;
    CHECK(ck_ruleset_counts(ctx, rs, &rules, NULL) == CK_OK);
    CHECK(rules >= 80);
    const char *j = NULL;
    size_t len = 0;
    CHECK(ck_ruleset_default_json(ctx, &j, &len) == CK_OK);
    CHECK(len > 10000 && strlen(j) == len);
    CHECK_CONTAINS(j, "\"name\": \"complaintkit-default\"");
    CHECK(ck_ruleset_default_json(ctx, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    ck_classification *c = NULL;
    CHECK(ck_ruleset_classify_text(ctx, rs, "我已經打１２３１５投訴了", CK_NUL_TERMINATED, 0, &c) == CK_OK);
    int v = 0;
    CHECK(ck_classification_facet(ctx, c, CK_FACET_SEVERITY, &v) == CK_OK);
    CHECK(v == 4);
    ck_classification_free(c);
    CHECK(ck_ruleset_default(ctx, NULL) == CK_E_INVALID_ARGUMENT);
    ck_ruleset_free(rs);
}

/* ck_ruleset_classify_each: in order, one call at a time, results equal to single classify. */
typedef struct {
    ck_context *ctx;
    size_t calls;
    size_t next; /* the index the next call must carry */
    int in_order;
    int severity_of_1; /* severity of item 1 */
    size_t stop_at;    /* return 7 at this index (or never: (size_t)-1) */
} stream_state;

static int stream_sink(void *user, size_t index, const ck_classification *result) {
    stream_state *st = (stream_state *)user;
    if (index != st->next) st->in_order = 0;
    st->next = index + 1;
    ++st->calls;
    int v = -1;
    if (ck_classification_facet(st->ctx, result, CK_FACET_SEVERITY, &v) != CK_OK) st->in_order = 0;
    if (index % 5 == 1) st->severity_of_1 = v;
    return index == st->stop_at ? 7 : 0;
}

static void test_classify_each(ck_context *ctx) {
    ck_ruleset *rs = NULL;
    CHECK(ck_ruleset_compile(ctx, &rs, PACK, CK_NUL_TERMINATED) == CK_OK);
    enum { N = 1000 };
    const char *base[5] = {"rude", "记者", "nothing", "態度差", "rude"};
    const char *texts[N];
    for (int i = 0; i < N; ++i) texts[i] = base[i % 5];
    for (unsigned threads = 1; threads <= 3; ++threads) {
        stream_state st = {ctx, 0, 0, 1, -1, (size_t)-1};
        CHECK(ck_ruleset_classify_each(ctx, rs, texts, NULL, N, threads, 0, stream_sink, &st) == CK_OK);
        CHECK(st.calls == N);
        CHECK(st.in_order);
        CHECK(st.severity_of_1 == 4);
        /* a sink returning non-zero stops the batch; its value comes back, no error is set */
        stream_state stop = {ctx, 0, 0, 1, -1, 500};
        CHECK(ck_ruleset_classify_each(ctx, rs, texts, NULL, N, threads, CK_CLASSIFY_NO_HITS, stream_sink, &stop) == 7);
        CHECK(stop.calls == 501);
        CHECK(stop.in_order);
    }
    /* an invalid text: the ones before it are delivered, the error names it */
    const char *bad[4] = {"rude", "fine", "bad\xff", "rude"};
    stream_state st = {ctx, 0, 0, 1, -1, (size_t)-1};
    CHECK(ck_ruleset_classify_each(ctx, rs, bad, NULL, 4, 2, 0, stream_sink, &st) == CK_E_INVALID_UTF8);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "item 2: /text: invalid UTF-8 at byte 3");
    CHECK(st.calls == 2);
    st.calls = 0;
    st.next = 0;
    CHECK(ck_ruleset_classify_each(ctx, rs, bad, NULL, 4, 2, CK_CLASSIFY_LENIENT_UTF8, stream_sink, &st) == CK_OK);
    CHECK(st.calls == 4);
    /* bad arguments */
    CHECK(ck_ruleset_classify_each(ctx, rs, texts, NULL, N, 0, 0, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "sink is NULL");
    CHECK(ck_ruleset_classify_each(ctx, NULL, texts, NULL, N, 0, 0, stream_sink, &st) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_each(ctx, rs, NULL, NULL, 2, 0, 0, stream_sink, &st) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_each(ctx, rs, texts, NULL, N, 0, 0x100, stream_sink, &st) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_ruleset_classify_each(NULL, rs, texts, NULL, N, 0, 0, stream_sink, &st) == CK_E_INVALID_ARGUMENT);
    st.calls = 0;
    CHECK(ck_ruleset_classify_each(ctx, rs, NULL, NULL, 0, 0, 0, stream_sink, &st) == CK_OK);
    CHECK(st.calls == 0);
    ck_ruleset_free(rs);
}

int main(void) {
    ck_context *ctx = ck_context_new();
    test_compile_and_classify(ctx);
    test_bad_packs(ctx);
    test_default(ctx);
    test_classify_each(ctx);
    ck_context_free(ctx);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
