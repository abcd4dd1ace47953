/* core/tls/msg_certificate_verify.c — CertificateVerify (RFC 8446 §4.4.3)
 * decoder, encoder and signed content (see core/tls/msg.h). */
#include <string.h>

#include "core/tls/msg.h"

captls_result captls_tls_certificate_verify_decode(
    const uint8_t *body, size_t len, captls_tls_certificate_verify *out)
{
    captls_tls_reader r;
    memset(out, 0, sizeof *out);
    captls_tls_reader_init(&r, body, len);
    /* struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } */
    uint16_t scheme = captls_tls_read_u16(&r);
    captls_slice sig = captls_tls_read_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0)
        return CAPTLS_TLS_ERR(DECODE_ERROR);
    /* An empty signature is well formed but can never verify: §4.4.3 "If
     * the verification fails, the receiver MUST terminate the handshake
     * with a "decrypt_error" alert." */
    if (sig.len == 0)
        return CAPTLS_TLS_ERR(DECRYPT_ERROR);
    out->scheme = scheme;
    out->signature = sig;
    return CAPTLS_OK;
}

captls_result captls_tls_certificate_verify_encode(captls_tls_writer *w,
                                                   uint16_t scheme,
                                                   const uint8_t *sig,
                                                   size_t sig_len)
{
    if (sig_len == 0 || sig_len > 0xFFFF || sig == NULL)
        return CAPTLS_ERR_INVALID_ARGUMENT;
    size_t hs = captls_tls_handshake_begin(w, CAPTLS_HS_CERTIFICATE_VERIFY);
    captls_tls_write_u16(w, scheme);
    size_t m = captls_tls_writer_open_vec(w, 2);
    captls_tls_write_bytes(w, sig, sig_len);
    captls_tls_writer_close_vec(w, m);
    captls_tls_handshake_end(w, hs);
    return w->overflow ? CAPTLS_ERR_BUFFER_TOO_SMALL : CAPTLS_OK;
}

/* §4.4.3: "The digital signature is then computed over the concatenation
 * of: - A string that consists of octet 32 (0x20) repeated 64 times - The
 * context string - A single 0 byte which serves as the separator - The
 * content to be signed" */
size_t captls_tls_certificate_verify_content(bool server,
                                             const uint8_t *transcript_hash,
                                             size_t hash_len,
                                             uint8_t out[CAPTLS_TLS_CV_CONTENT_MAX])
{
    static const char server_ctx[] = "TLS 1.3, server CertificateVerify";
    static const char client_ctx[] = "TLS 1.3, client CertificateVerify";
    const char *ctx = server ? server_ctx : client_ctx;
    size_t ctx_len = sizeof server_ctx - 1; /* both 33 bytes */
    if (hash_len > 64 || (hash_len != 0 && transcript_hash == NULL))
        return 0;
    memset(out, 0x20, 64);
    memcpy(out + 64, ctx, ctx_len);
    out[64 + ctx_len] = 0;
    if (hash_len != 0)
        memcpy(out + 64 + ctx_len + 1, transcript_hash, hash_len);
    return 64 + ctx_len + 1 + hash_len;
}
