#include <complaintkit.h>

#include <stdio.h>

int main(void) {
    static const char json[] = "{\"id\":\"CK-CONSUMER-2\",\"received_at\":\"2024-01-02\"}";
    ck_context *ctx = ck_context_new();
    ck_complaint *c = NULL;
    const char *id = NULL;
    if (ck_complaint_from_json(ctx, &c, json, sizeof json - 1, 0) != CK_OK) return 1;
    if (ck_complaint_string(ctx, c, CK_FIELD_ID, &id, NULL) != CK_OK) return 1;
    printf("consumer_c ok: %s %s\n", ck_version(), id);
    ck_complaint_free(c);
    ck_context_free(ctx);
    return 0;
}
