/* See trust_audit.h. */
#include "core/trust/trust_audit.h"

#include <string.h>

#include "core/base/text.h"
#include "core/x509/name_text.h"

captls_result captls_trust_audit_emit(const captls_clock *clock,
                                      const captls_audit_sink *sink,
                                      captls_cap_owner actor,
                                      captls_interface_id iface,
                                      uint16_t method, const char *event,
                                      captls_result outcome,
                                      const char *detail, size_t detail_len)
{
    captls_audit_record rec;
    captls_wall_time wall = {0, 0, CAPTLS_CLOCK_UNTRUSTED};
    uint64_t mono = 0;

    if (sink == NULL || sink->append == NULL)
        return CAPTLS_OK;
    if (clock != NULL) {
        if (clock->monotonic_ns != NULL)
            mono = clock->monotonic_ns(clock->ctx);
        if (clock->wall_time != NULL &&
            clock->wall_time(clock->ctx, &wall) != CAPTLS_OK) {
            wall.epoch_seconds = 0;
            wall.nanoseconds = 0;
            wall.provenance = CAPTLS_CLOCK_UNTRUSTED;
        }
    }
    CAPTLS_TRY(captls_audit_record_init(&rec, mono, &wall, actor, iface,
                                        method, event, outcome));
    if (detail != NULL)
        captls_audit_set_detail(&rec, (const uint8_t *)detail, detail_len);
    return sink->append(sink->ctx, &rec);
}

void captls_trust_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15u];
    }
    out[2 * n] = '\0';
}

size_t captls_trust_name_text(const captls_x509_name *name, char *out,
                              size_t cap)
{
    captls_text t;

    if (out == NULL || cap < 4) {
        if (out != NULL && cap > 0)
            out[0] = '\0';
        return 0;
    }
    captls_text_init(&t, out, cap - 3);
    captls_x509_name_append(&t, name);
    if (captls_text_finish(&t) != CAPTLS_OK) {
        size_t n = strlen(out);
        memcpy(out + n, "...", 4);
        return n + 3;
    }
    return strlen(out);
}
