/* A minimal C host: parse a complaint, read fields, print it back as JSON. */
#include <complaintkit.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    const char *json =
        "{\"id\":\"CK-DEMO-1\",\"received_at\":\"2024-07-01T10:05:00+08:00\",\"channel\":\"phone\","
        "\"text\":\"空调约好上午安装，师傅下午五点才到，也没提前打电话。\",\"language\":\"zh-Hans\"}";
    ck_context *ctx = ck_context_new();
    ck_complaint *c = NULL;
    const char *text = NULL, *code = NULL;
    char *out = NULL;
    int channel = 0;
    if (!ctx) return 1;
    if (ck_complaint_from_json(ctx, &c, json, strlen(json), 0) != CK_OK) {
        fprintf(stderr, "parse failed: %s\n", ck_context_errmsg(ctx));
        ck_context_free(ctx);
        return 1;
    }
    ck_complaint_string(ctx, c, CK_FIELD_TEXT, &text, NULL);
    ck_complaint_code(ctx, c, CK_CODE_CHANNEL, &channel);
    ck_taxonomy_code(ctx, CK_TAXONOMY_CHANNEL, channel, &code);
    printf("complaintkit %s: channel=%s text=%s\n", ck_version(), code, text);
    if (ck_complaint_to_json(ctx, c, CK_JSON_PRETTY, &out, NULL) == CK_OK) printf("%s\n", out);
    ck_string_free(out);
    ck_complaint_free(c);
    ck_context_free(ctx);
    return 0;
}
