/* See audit.h. */
#include "core/cap/audit.h"

#include <string.h>

#include "core/base/sanitize.h"
#include "core/base/text.h"

static bool event_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

captls_result captls_audit_record_init(captls_audit_record *rec,
                                       uint64_t monotonic_ns,
                                       const captls_wall_time *wall,
                                       captls_cap_owner actor,
                                       captls_interface_id iface,
                                       uint16_t method, const char *event,
                                       captls_result outcome)
{
    size_t n;
    if (rec == NULL || wall == NULL || event == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    for (n = 0; event[n] != '\0'; n++) {
        if (n + 1 >= CAPTLS_AUDIT_EVENT_MAX || !event_char(event[n]))
            return CAPTLS_ERR_INVALID_ARGUMENT;
    }
    if (n == 0)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    memset(rec, 0, sizeof(*rec));
    rec->monotonic_ns = monotonic_ns;
    rec->wall = *wall;
    rec->actor = actor;
    rec->iface = iface;
    rec->method = method;
    rec->outcome = outcome;
    memcpy(rec->event, event, n + 1);
    return CAPTLS_OK;
}

void captls_audit_set_detail(captls_audit_record *rec, const uint8_t *text,
                             size_t len)
{
    if (rec == NULL)
        return;
    (void)captls_sanitize(text, len, rec->detail, sizeof(rec->detail));
}

captls_result captls_audit_format(const captls_audit_record *rec, char *out,
                                  size_t cap, size_t *len)
{
    captls_text t;
    if (rec == NULL || len == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    captls_text_init(&t, out, cap);
    captls_text_str(&t, "audit mono=");
    captls_text_u64(&t, rec->monotonic_ns);
    captls_text_str(&t, " wall=");
    captls_text_i64(&t, rec->wall.epoch_seconds);
    captls_text_str(&t, ".");
    captls_text_u64_padded(&t, rec->wall.nanoseconds, 9);
    captls_text_str(&t, rec->wall.provenance == CAPTLS_CLOCK_TRUSTED
                            ? " clock=trusted"
                            : " clock=untrusted");
    captls_text_str(&t, " actor=");
    captls_text_u64(&t, rec->actor);
    captls_text_str(&t, " iface=");
    captls_text_str(&t, captls_interface_name(rec->iface));
    captls_text_str(&t, " method=");
    captls_text_u64(&t, rec->method);
    captls_text_str(&t, " event=");
    captls_text_str(&t, rec->event);
    captls_text_str(&t, " outcome=");
    captls_text_str(&t, captls_result_name(rec->outcome));
    captls_text_str(&t, " detail=\"");
    /* The detail was sanitized when stored; re-sanitizing here would
     * double-escape, but a record built by hand might not be, so check. */
    captls_text_str_sanitized(&t, rec->detail);
    captls_text_str(&t, "\"");
    *len = captls_text_len(&t);
    return captls_text_finish(&t);
}
