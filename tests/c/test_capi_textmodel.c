/* Plain-C tests of the text model C API: every function and its error paths. */
#include <complaintkit.h>

#include "ck_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = (size_t)n;
    return buf;
}

static const char *label_of(ck_context *ctx, const ck_textmodel *m, const char *text) {
    size_t cls = 99;
    double p = -1;
    const char *label = "";
    if (ck_textmodel_predict(ctx, m, text, CK_NUL_TERMINATED, &cls, &p) != CK_OK) return "(error)";
    if (!(p > 0 && p <= 1)) return "(bad probability)";
    if (ck_textmodel_class_label(ctx, m, cls, &label) != CK_OK) return "(error)";
    return label;
}

int main(void) {
    ck_context *ctx = ck_context_new();
    size_t len = 0, count = 0, i;
    char *jsonl = read_file(CK_SOURCE_DIR "/tests/data/textmodel_train.jsonl", &len);
    ck_textmodel *m = NULL, *m2 = NULL, *bad = NULL;
    const char *opts[] = {"seed=42", "c=0.5", NULL};
    const char *bad_opts[] = {"colour=red", NULL};
    double probs[16];
    char *json = NULL;
    size_t json_len = 0;
    const char *label = NULL;

    CHECK(ctx != NULL);
    CHECK(jsonl != NULL);
    if (!ctx || !jsonl) return 1;

    /* train */
    CHECK(ck_textmodel_train_jsonl(ctx, &m, jsonl, len, NULL, NULL, opts) == CK_OK);
    CHECK(m != NULL);
    CHECK(ck_textmodel_class_count(ctx, m, &count) == CK_OK);
    CHECK(count == 6);
    CHECK(ck_textmodel_class_label(ctx, m, 0, &label) == CK_OK);
    CHECK_STR(label, "after_sales");
    CHECK(ck_textmodel_class_label(ctx, m, 6, &label) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "class index 6 out of range (6 classes)");

    /* predict one */
    CHECK_STR(label_of(ctx, m, "快递送错了地址"), "logistics");
    CHECK_STR(label_of(ctx, m, "快遞送錯了地址"), "logistics");
    CHECK_STR(label_of(ctx, m, "My fee was charged twice"), "billing");
    CHECK(ck_textmodel_predict(ctx, m, "", 0, NULL, NULL) == CK_OK); /* empty text: the prior */
    CHECK(ck_textmodel_predict(ctx, m, NULL, 0, NULL, NULL) == CK_OK);
    CHECK(ck_textmodel_predict(ctx, m, "bad \xff", CK_NUL_TERMINATED, NULL, NULL) == CK_E_INVALID_UTF8);
    CHECK_STR(ck_context_errmsg(ctx), "text is not valid UTF-8 (byte 4)");
    CHECK(ck_textmodel_predict(ctx, NULL, "x", 1, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "model must not be NULL");

    /* probabilities */
    CHECK(ck_textmodel_predict_proba(ctx, m, "网络信号很差", CK_NUL_TERMINATED, probs, 16) == CK_OK);
    {
        double sum = 0;
        for (i = 0; i < count; ++i) sum += probs[i];
        CHECK(sum > 0.999 && sum < 1.001);
    }
    CHECK(ck_textmodel_predict_proba(ctx, m, "x", 1, probs, 2) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "out_probs holds 2 values, the model has 6 classes");
    CHECK(ck_textmodel_predict_proba(ctx, m, "x", 1, NULL, 6) == CK_E_INVALID_ARGUMENT);

    /* batch */
    {
        const char *texts[3] = {"快递丢件了", "The internet connection keeps dropping", "收银员态度恶劣，算错了钱"};
        size_t lens[3];
        size_t classes[3] = {99, 99, 99};
        double p[3] = {0, 0, 0};
        const char *with_bad[2] = {"ok", "bad \xc3\x28"};
        for (i = 0; i < 3; ++i) lens[i] = strlen(texts[i]);
        CHECK(ck_textmodel_predict_batch(ctx, m, texts, lens, 3, 2, classes, p) == CK_OK);
        CHECK(ck_textmodel_class_label(ctx, m, classes[0], &label) == CK_OK);
        CHECK_STR(label, "logistics");
        CHECK(ck_textmodel_class_label(ctx, m, classes[1], &label) == CK_OK);
        CHECK_STR(label, "network");
        CHECK(ck_textmodel_class_label(ctx, m, classes[2], &label) == CK_OK);
        CHECK_STR(label, "service_quality");
        CHECK(p[0] > 0 && p[1] > 0 && p[2] > 0);
        CHECK(ck_textmodel_predict_batch(ctx, m, texts, NULL, 3, 1, classes, NULL) == CK_OK);
        CHECK(ck_textmodel_predict_batch(ctx, m, with_bad, NULL, 2, 1, classes, NULL) == CK_E_INVALID_UTF8);
        CHECK_STR(ck_context_errmsg(ctx), "/1: text 1: text is not valid UTF-8 (byte 4)");
        CHECK(ck_textmodel_predict_batch(ctx, m, NULL, NULL, 2, 1, classes, NULL) == CK_E_INVALID_ARGUMENT);
        CHECK(ck_textmodel_predict_batch(ctx, m, NULL, NULL, 0, 1, classes, NULL) == CK_OK);
        CHECK(ck_textmodel_predict_batch(ctx, m, texts, NULL, 3, 1, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    }

    /* explain */
    CHECK(ck_textmodel_explain_json(ctx, m, "快递丢件了", CK_NUL_TERMINATED, 2, 5, &json, &json_len) == CK_OK);
    CHECK(json != NULL && strlen(json) == json_len);
    CHECK_CONTAINS(json, "\"label\":\"logistics\"");
    CHECK_CONTAINS(json, "\"features\":[{\"feature\":");
    ck_string_free(json);
    json = NULL;
    CHECK(ck_textmodel_explain_json(ctx, m, "x", 1, 2, 5, NULL, NULL) == CK_E_INVALID_ARGUMENT);

    /* save / load / from_bytes */
    CHECK(ck_textmodel_save(ctx, m, "ck_c_textmodel.ckm") == CK_OK);
    CHECK(ck_textmodel_load(ctx, &m2, "ck_c_textmodel.ckm") == CK_OK);
    CHECK_STR(label_of(ctx, m2, "快递送错了地址"), "logistics");
    ck_textmodel_free(m2);
    m2 = NULL;
    {
        size_t n = 0;
        char *bytes = read_file("ck_c_textmodel.ckm", &n);
        CHECK(bytes != NULL);
        if (bytes) {
            CHECK(ck_textmodel_from_bytes(ctx, &m2, bytes, n) == CK_OK);
            CHECK(m2 != NULL);
            bytes[n / 2] ^= 0x10;
            CHECK(ck_textmodel_from_bytes(ctx, &bad, bytes, n) == CK_E_COMPILE);
            CHECK(bad == NULL);
            CHECK_STR(ck_context_errmsg(ctx), "corrupt text model: checksum mismatch");
            free(bytes);
        }
        ck_textmodel_free(m2);
        m2 = NULL;
    }
    remove("ck_c_textmodel.ckm");
    CHECK(ck_textmodel_from_bytes(ctx, &bad, "PK\x03\x04 zip file", 14) == CK_E_UNSUPPORTED);
    CHECK_STR(ck_context_errmsg(ctx), "not a complaintkit text model (bad magic number)");
    CHECK(ck_textmodel_from_bytes(ctx, &bad, NULL, 4) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_textmodel_load(ctx, &bad, "/nonexistent/model.ckm") == CK_E_IO);
    CHECK_STR(ck_context_errmsg(ctx), "cannot open text model \"/nonexistent/model.ckm\"");
    CHECK(ck_textmodel_load(ctx, &bad, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_textmodel_save(ctx, m, "/nonexistent/dir/model.ckm") == CK_E_IO);
    CHECK(ck_textmodel_save(ctx, NULL, "x.ckm") == CK_E_INVALID_ARGUMENT);

    /* bad training input */
    CHECK(ck_textmodel_train_jsonl(ctx, &bad, "", 0, NULL, NULL, NULL) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errmsg(ctx), "the training set is empty");
    CHECK(ck_textmodel_train_jsonl(ctx, &bad, "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"x\"}",
                                   CK_NUL_TERMINATED, NULL, NULL, NULL) == CK_E_INVALID_VALUE);
    CHECK_STR(ck_context_errmsg(ctx), "the training set has a single class (\"x\"): a classifier needs at least two");
    CHECK(ck_textmodel_train_jsonl(ctx, &bad, "{\"text\":\"a\",\"label\":\"x\"}\n{\"body\":\"b\"}", CK_NUL_TERMINATED,
                                   NULL, NULL, NULL) == CK_E_MISSING_FIELD);
    CHECK_STR(ck_context_errmsg(ctx), "line 2: /label: missing label");
    CHECK(ck_textmodel_train_jsonl(ctx, &bad, "{\"text\":\"a\xff\",\"label\":\"x\"}", CK_NUL_TERMINATED, NULL, NULL,
                                   NULL) == CK_E_INVALID_UTF8);
    CHECK_CONTAINS(ck_context_errmsg(ctx), "line 1: ");
    CHECK(ck_textmodel_train_jsonl(ctx, &bad, jsonl, len, NULL, NULL, bad_opts) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "unknown text model option \"colour\"");
    CHECK(ck_textmodel_train_jsonl(ctx, NULL, jsonl, len, NULL, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(ck_textmodel_train_jsonl(NULL, &bad, jsonl, len, NULL, NULL, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK(bad == NULL);
    /* one example per label and custom fields */
    CHECK(ck_textmodel_train_jsonl(ctx, &m2, "{\"body\":\"late parcel\",\"cat\":\"logistics\"}\n"
                                             "{\"body\":\"broken screen\",\"cat\":\"product_quality\"}",
                                   CK_NUL_TERMINATED, "body", "/cat", NULL) == CK_OK);
    ck_textmodel_free(m2);

    /* cross-validation */
    CHECK(ck_textmodel_cross_validate_jsonl(ctx, jsonl, len, NULL, NULL, 4, opts, &json, &json_len) == CK_OK);
    CHECK(json != NULL);
    if (json) {
        CHECK_CONTAINS(json, "\"folds\":4");
        CHECK_CONTAINS(json, "\"macro_f1\":");
        CHECK_CONTAINS(json, "\"confusion\":[[");
        ck_string_free(json);
    }
    CHECK(ck_textmodel_cross_validate_jsonl(ctx, jsonl, len, NULL, NULL, 1, NULL, &json, NULL) == CK_E_INVALID_ARGUMENT);
    CHECK_STR(ck_context_errmsg(ctx), "cross-validation needs at least 2 folds");
    CHECK(ck_textmodel_cross_validate_jsonl(ctx, jsonl, len, NULL, NULL, 4, NULL, NULL, NULL) == CK_E_INVALID_ARGUMENT);

    /* the rule-engine integration: a pack names a model for the category */
    {
        static const char pack[] =
            "{\"version\": 1, \"name\": \"crm\","
            " \"models\": [{\"facet\": \"category\", \"model\": \"crm-categories\", \"threshold\": 0.3}],"
            " \"rules\": [{\"id\": \"rude\", \"when\": {\"text_any\": [\"态度恶劣\"]},"
            " \"set\": {\"category\": \"service_quality\"}}]}";
        char *cats = (char *)malloc(len + 2);
        const char *line = jsonl, *eol;
        size_t used = 0;
        ck_textmodel *catm = NULL;
        ck_ruleset *rs = NULL, *with = NULL;
        ck_classification *c = NULL;
        const char *names[2] = {"crm-categories", "crm-categories"};
        const ck_textmodel *models[2];
        int value = -1, logistics = -1;
        for (; *line; line = *eol ? eol + 1 : eol) { /* the lines whose label is a category code */
            size_t l;
            char buf[4096];
            eol = strchr(line, '\n');
            if (!eol) eol = line + strlen(line);
            l = (size_t)(eol - line);
            if (l >= sizeof buf) continue;
            memcpy(buf, line, l);
            buf[l] = '\0';
            if (strstr(buf, "\"logistics\"") || strstr(buf, "\"product_quality\"") || strstr(buf, "\"after_sales\"")) {
                memcpy(cats + used, buf, l);
                used += l;
                cats[used++] = '\n';
            }
        }
        cats[used] = '\0';
        CHECK(ck_textmodel_train_jsonl(ctx, &catm, cats, used, NULL, NULL, NULL) == CK_OK);
        CHECK(ck_ruleset_compile(ctx, &rs, pack, CK_NUL_TERMINATED) == CK_OK);
        {
            size_t nm = 0;
            const char *mname = NULL;
            int facet = -1;
            double threshold = -1;
            CHECK(ck_ruleset_model_count(ctx, rs, &nm) == CK_OK);
            CHECK(nm == 1);
            CHECK(ck_ruleset_model_binding(ctx, rs, 0, &mname, &facet, &threshold) == CK_OK);
            CHECK_STR(mname, "crm-categories");
            CHECK(facet == CK_FACET_CATEGORY);
            CHECK(threshold == 0.3);
            CHECK(ck_ruleset_model_binding(ctx, rs, 1, NULL, NULL, NULL) == CK_E_INVALID_ARGUMENT);
            CHECK_STR(ck_context_errmsg(ctx), "model index 1 out of range (1 models)");
            CHECK(ck_ruleset_model_count(ctx, rs, NULL) == CK_E_INVALID_ARGUMENT);
        }
        models[0] = catm;
        models[1] = catm;
        CHECK(ck_ruleset_with_models(ctx, rs, names, models, 1, &with) == CK_OK);
        ck_textmodel_free(catm); /* the rule set keeps the model */
        CHECK(ck_taxonomy_from_code(ctx, CK_TAXONOMY_CATEGORY, "logistics", CK_NUL_TERMINATED, &logistics) == CK_OK);
        CHECK(ck_ruleset_classify_text(ctx, with, "快递送错了地址，一直没有送到", CK_NUL_TERMINATED, 0, &c) == CK_OK);
        CHECK(ck_classification_facet(ctx, c, CK_FACET_CATEGORY, &value) == CK_OK);
        CHECK(value == logistics);
        CHECK(ck_classification_to_json(ctx, c, 0, &json, NULL) == CK_OK);
        if (json) {
            CHECK_CONTAINS(json, "\"rule\":\"model:crm-categories\"");
            ck_string_free(json);
            json = NULL;
        }
        ck_classification_free(c);
        c = NULL;
        /* without the models the facet stays unknown */
        CHECK(ck_ruleset_classify_text(ctx, rs, "快递送错了地址，一直没有送到", CK_NUL_TERMINATED, 0, &c) == CK_OK);
        CHECK(ck_classification_facet(ctx, c, CK_FACET_CATEGORY, &value) == CK_OK);
        CHECK(value == 0);
        ck_classification_free(c);
        ck_ruleset_free(with);
        with = NULL;
        /* errors (each sets *out to NULL) */
        CHECK(ck_ruleset_with_models(ctx, rs, NULL, NULL, 0, &with) == CK_E_NOT_FOUND);
        CHECK(with == NULL);
        CHECK_STR(ck_context_errmsg(ctx), "/models/0/model: the pack names model \"crm-categories\", which was not supplied");
        CHECK_STR(ck_context_errpath(ctx), "/models/0/model");
        models[0] = m; /* labels such as "billing" are not category codes */
        CHECK(ck_ruleset_with_models(ctx, rs, names, models, 1, &with) == CK_E_UNKNOWN_CODE);
        CHECK_CONTAINS(ck_context_errmsg(ctx), "predicts \"billing\", which is not a category code");
        models[1] = m;
        CHECK(ck_ruleset_with_models(ctx, rs, names, models, 2, &with) == CK_E_INVALID_ARGUMENT);
        CHECK_STR(ck_context_errmsg(ctx), "/1: model name \"crm-categories\" is given twice");
        names[1] = NULL;
        CHECK(ck_ruleset_with_models(ctx, rs, names, models, 2, &with) == CK_E_INVALID_ARGUMENT);
        CHECK_STR(ck_context_errmsg(ctx), "/1: model name 1 is NULL");
        CHECK(ck_ruleset_with_models(ctx, NULL, names, models, 1, &with) == CK_E_INVALID_ARGUMENT);
        CHECK(ck_ruleset_with_models(ctx, rs, names, models, 1, NULL) == CK_E_INVALID_ARGUMENT);
        ck_ruleset_free(with);
        ck_ruleset_free(rs);
        free(cats);
    }

    ck_textmodel_free(m);
    ck_textmodel_free(NULL);
    ck_context_free(ctx);
    free(jsonl);
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
