/* core/tls/msg.h — TLS 1.3 handshake message codecs (RFC 8446 §4): one
 * decoder and one encoder per message, plus the bounded wire reader/writer
 * they share. The engine (core/tls/conn*.c, client.c, server.c) decides
 * what a message MEANS; these files only decide whether it is well formed.
 *
 * Contract.
 *  - Decoders take the message BODY (after the 4-byte handshake header) and
 *    fill a view struct whose slices BORROW the body: keep it unchanged
 *    while the view is used. Nothing is allocated or copied.
 *  - Decoders are strict: every length must match exactly, vectors must
 *    respect their RFC bounds (e.g. cipher_suites<2..2^16-2> even length),
 *    no trailing bytes anywhere, no extension twice in one block (RFC 8446
 *    §4.2), inner lists well formed (server_name: exactly one host_name of
 *    1..255 bytes; ALPN: names 1..255 bytes, list not empty; key_share
 *    entries each with a well-formed length; supported_versions; ...).
 *  - Errors are TLS alerts in the alert band (core/tls/alert.h):
 *    CAPTLS_TLS_ERR(DECODE_ERROR) for anything that does not parse
 *    (a vector outside its bounds, e.g. a zero-length key_exchange, is
 *    DECODE_ERROR: RFC 8446 §6 "some field was out of the specified range"),
 *    CAPTLS_TLS_ERR(ILLEGAL_PARAMETER) for a duplicate extension, a value
 *    the RFC forbids outright in that message (legacy_compression_method
 *    != 0 in a TLS 1.3 ServerHello, record_size_limit < 64, a ticket
 *    lifetime > 604800, KeyUpdate > 1), and a RECOGNIZED extension that the
 *    RFC 8446 §4.2 table does not allow in that message (e.g. key_share in
 *    EncryptedExtensions; §4.2: "it MUST abort the handshake with an
 *    illegal_parameter alert"), CAPTLS_TLS_ERR(UNSUPPORTED_EXTENSION) for
 *    an extension a server may send in that message but that we never
 *    offer (max_fragment_length, use_srtp, ...) and for unknown types in
 *    server messages (§4.2: a client MUST abort on an extension it did not
 *    offer). Unknown extension TYPES are skipped in a ClientHello (and
 *    recorded in a bit), and in CertificateRequest / NewSessionTicket
 *    ("Clients MUST ignore unrecognized extensions"). An extension block
 *    holding more than 64 extensions is ILLEGAL_PARAMETER (a bound for the
 *    duplicate check; see core/tls/extensions.h).
 *    Semantic checks that need the engine's state (did we offer this
 *    group? is this the suite we asked for?) are the engine's.
 *  - Encoders write a COMPLETE handshake message (4-byte header included)
 *    through a captls_tls_writer; if it runs out of room the writer's
 *    `overflow` flag is set and the encoder returns
 *    CAPTLS_ERR_BUFFER_TOO_SMALL (nothing else is written afterwards).
 */
#ifndef CAPTLS_TLS_MSG_H
#define CAPTLS_TLS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/tls/alert.h"

/* ---- handshake types (RFC 8446 §4) ------------------------------------ */
enum {
    CAPTLS_HS_CLIENT_HELLO = 1,
    CAPTLS_HS_SERVER_HELLO = 2,
    CAPTLS_HS_NEW_SESSION_TICKET = 4,
    CAPTLS_HS_END_OF_EARLY_DATA = 5,
    CAPTLS_HS_ENCRYPTED_EXTENSIONS = 8,
    CAPTLS_HS_CERTIFICATE = 11,
    CAPTLS_HS_CERTIFICATE_REQUEST = 13,
    CAPTLS_HS_CERTIFICATE_VERIFY = 15,
    CAPTLS_HS_FINISHED = 20,
    CAPTLS_HS_KEY_UPDATE = 24,
    CAPTLS_HS_MESSAGE_HASH = 254,
};

/* ---- extension types (RFC 8446 §4.2, RFC 8449, RFC 7301, RFC 6066) ---- */
enum {
    CAPTLS_EXT_SERVER_NAME = 0,
    CAPTLS_EXT_MAX_FRAGMENT_LENGTH = 1,
    CAPTLS_EXT_STATUS_REQUEST = 5,
    CAPTLS_EXT_SUPPORTED_GROUPS = 10,
    CAPTLS_EXT_SIGNATURE_ALGORITHMS = 13,
    CAPTLS_EXT_ALPN = 16,
    CAPTLS_EXT_SCT = 18,
    CAPTLS_EXT_PADDING = 21,
    CAPTLS_EXT_COMPRESS_CERTIFICATE = 27, /* RFC 8879 (recognized, unused) */
    CAPTLS_EXT_RECORD_SIZE_LIMIT = 28,
    CAPTLS_EXT_PRE_SHARED_KEY = 41,
    CAPTLS_EXT_EARLY_DATA = 42,
    CAPTLS_EXT_SUPPORTED_VERSIONS = 43,
    CAPTLS_EXT_COOKIE = 44,
    CAPTLS_EXT_PSK_KEY_EXCHANGE_MODES = 45,
    CAPTLS_EXT_CERTIFICATE_AUTHORITIES = 47,
    CAPTLS_EXT_OID_FILTERS = 48,
    CAPTLS_EXT_POST_HANDSHAKE_AUTH = 49,
    CAPTLS_EXT_SIGNATURE_ALGORITHMS_CERT = 50,
    CAPTLS_EXT_KEY_SHARE = 51,
    CAPTLS_EXT_RENEGOTIATION_INFO = 0xff01,
};

#define CAPTLS_TLS_VERSION_13 0x0304
#define CAPTLS_TLS_VERSION_12 0x0303
#define CAPTLS_TLS_RANDOM_SIZE 32u
#define CAPTLS_TLS_MAX_SESSION_ID 32u
#define CAPTLS_TLS_MAX_KEY_SHARES 8u   /* entries a ClientHello may carry */
#define CAPTLS_TLS_MAX_PSK_IDENTITIES 8u
#define CAPTLS_TLS_MAX_KEY_EXCHANGE 133u /* P-521 uncompressed; we use <= 65 */

/* ---- bounded reader / writer ------------------------------------------ */
typedef struct captls_tls_reader {
    const uint8_t *p;
    size_t len; /* bytes left */
    bool bad;   /* set by any read past the end; sticky */
} captls_tls_reader;

void captls_tls_reader_init(captls_tls_reader *r, const uint8_t *p, size_t len);
uint8_t captls_tls_read_u8(captls_tls_reader *r);
uint16_t captls_tls_read_u16(captls_tls_reader *r);
uint32_t captls_tls_read_u24(captls_tls_reader *r);
uint32_t captls_tls_read_u32(captls_tls_reader *r);
/* A slice of n bytes (empty and bad if fewer remain). */
captls_slice captls_tls_read_bytes(captls_tls_reader *r, size_t n);
/* A vector with a `len_bytes`-byte (1, 2 or 3) length prefix whose length is
 * within [min, max]; bad otherwise. */
captls_slice captls_tls_read_vec(captls_tls_reader *r, unsigned len_bytes,
                                 size_t min, size_t max);

typedef struct captls_tls_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow; /* sticky: nothing more is written once set */
} captls_tls_writer;

void captls_tls_writer_init(captls_tls_writer *w, uint8_t *buf, size_t cap);
void captls_tls_write_u8(captls_tls_writer *w, uint8_t v);
void captls_tls_write_u16(captls_tls_writer *w, uint16_t v);
void captls_tls_write_u24(captls_tls_writer *w, uint32_t v);
void captls_tls_write_u32(captls_tls_writer *w, uint32_t v);
void captls_tls_write_bytes(captls_tls_writer *w, const void *p, size_t n);
/* Opens a length-prefixed vector (len_bytes 1..3); returns a mark for
 * captls_tls_writer_close_vec, which fills in the length (overflow if the
 * content exceeds what len_bytes can express). */
size_t captls_tls_writer_open_vec(captls_tls_writer *w, unsigned len_bytes);
void captls_tls_writer_close_vec(captls_tls_writer *w, size_t mark);

/* ---- u16 list helpers (cipher suites, groups, schemes, versions) ------- */
/* True if the big-endian u16 list `list` (even length) contains v. */
bool captls_tls_u16_list_has(captls_slice list, uint16_t v);

/* ---- ClientHello (RFC 8446 §4.1.2) ------------------------------------- */
typedef struct captls_tls_key_share_entry {
    uint16_t group;
    captls_slice key_exchange; /* 1..2^16-1 bytes */
} captls_tls_key_share_entry;

/* Bits of captls_tls_client_hello.ext_seen: 1 << (index below). */
enum {
    CAPTLS_CH_SEEN_SERVER_NAME = 1u << 0,
    CAPTLS_CH_SEEN_SUPPORTED_GROUPS = 1u << 1,
    CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS = 1u << 2,
    CAPTLS_CH_SEEN_SIGNATURE_ALGORITHMS_CERT = 1u << 3,
    CAPTLS_CH_SEEN_KEY_SHARE = 1u << 4,
    CAPTLS_CH_SEEN_SUPPORTED_VERSIONS = 1u << 5,
    CAPTLS_CH_SEEN_ALPN = 1u << 6,
    CAPTLS_CH_SEEN_PSK = 1u << 7,
    CAPTLS_CH_SEEN_PSK_MODES = 1u << 8,
    CAPTLS_CH_SEEN_COOKIE = 1u << 9,
    CAPTLS_CH_SEEN_STATUS_REQUEST = 1u << 10,
    CAPTLS_CH_SEEN_SCT = 1u << 11,
    CAPTLS_CH_SEEN_RECORD_SIZE_LIMIT = 1u << 12,
    CAPTLS_CH_SEEN_EARLY_DATA = 1u << 13,
    CAPTLS_CH_SEEN_POST_HANDSHAKE_AUTH = 1u << 14,
    CAPTLS_CH_SEEN_MAX_FRAGMENT_LENGTH = 1u << 15,
    CAPTLS_CH_SEEN_UNKNOWN = 1u << 16, /* at least one unknown type skipped */
};

/* PSK key exchange modes (RFC 8446 §4.2.9), as bits of psk_modes. */
#define CAPTLS_PSK_MODE_KE_BIT 0x01u     /* psk_ke (0) */
#define CAPTLS_PSK_MODE_DHE_KE_BIT 0x02u /* psk_dhe_ke (1) */

typedef struct captls_tls_client_hello {
    uint16_t legacy_version;
    captls_slice random;          /* 32 bytes */
    captls_slice session_id;      /* 0..32 */
    captls_slice cipher_suites;   /* u16 list, 2..65534 bytes, even */
    captls_slice compression;     /* 1..255 bytes (engine: must be {0}) */
    uint32_t ext_seen;
    captls_slice server_name;     /* host_name, 1..255 bytes */
    captls_slice supported_groups;/* u16 list */
    captls_slice sig_algs;        /* u16 list */
    captls_slice sig_algs_cert;   /* u16 list */
    captls_slice supported_versions; /* u16 list (2..254 bytes) */
    captls_slice alpn;            /* ProtocolNameList contents (validated) */
    captls_slice cookie;          /* 1..2^16-1 */
    uint8_t psk_modes;            /* CAPTLS_PSK_MODE_*_BIT */
    uint16_t record_size_limit;   /* value as sent (< 64: ILLEGAL_PARAMETER) */
    /* Shares: at most CAPTLS_TLS_MAX_KEY_SHARES (more: ILLEGAL_PARAMETER),
     * groups distinct and listed in supported_groups when that is present
     * (§4.2.8, ILLEGAL_PARAMETER). key_exchange lengths are not checked
     * against the group here (hybrid groups send 1216 bytes). */
    size_t key_share_count;
    captls_tls_key_share_entry key_shares[CAPTLS_TLS_MAX_KEY_SHARES];
    /* pre_shared_key: MUST be the last extension (RFC 8446 §4.2.11,
     * illegal_parameter otherwise). */
    /* identities == binders (else illegal_parameter); identities beyond
     * CAPTLS_TLS_MAX_PSK_IDENTITIES are checked but not kept. */
    size_t psk_count;
    captls_slice psk_identity[CAPTLS_TLS_MAX_PSK_IDENTITIES];
    uint32_t psk_obfuscated_age[CAPTLS_TLS_MAX_PSK_IDENTITIES];
    captls_slice psk_binder[CAPTLS_TLS_MAX_PSK_IDENTITIES]; /* 32..255 */
    /* Length of the body prefix covered by the binders: everything up to
     * (not including) the binders list's 2-byte length (RFC 8446 §4.2.11.2
     * "Transcript-Hash(Truncate(ClientHello1))" — add the 4-byte header). */
    size_t binders_offset;
} captls_tls_client_hello;

/* server_name: exactly one host_name (else DECODE_ERROR); longer than 255
 * bytes or holding a NUL: UNRECOGNIZED_NAME. status_request is recorded only
 * for status_type ocsp. No extension block at all (a pre-1.3 hello) decodes
 * with ext_seen 0. Presence rules (§9.2 missing_extension, psk without
 * psk_key_exchange_modes) and legacy_version are the engine's. */
CAPTLS_MUST_CHECK captls_result captls_tls_client_hello_decode(
    const uint8_t *body, size_t len, captls_tls_client_hello *out);

/* What the client sends. psk_* with psk_count == 0: no pre_shared_key. The
 * encoder writes binders as zero bytes of psk_binder_len each and reports
 * where they start (offset from the start of the MESSAGE, header included)
 * so the engine can hash the truncated message and fill them in. */
typedef struct captls_tls_client_hello_params {
    const uint8_t *random;        /* 32 */
    const uint8_t *session_id;    /* legacy_session_id, 32 bytes (middlebox
                                   * compatibility, RFC 8446 §D.4), or NULL */
    size_t session_id_len;
    const uint16_t *suites; size_t suite_count;
    const uint8_t *server_name; size_t server_name_len; /* 0: omitted */
    const uint16_t *groups; size_t group_count;
    const captls_tls_key_share_entry *shares; size_t share_count;
    const uint16_t *sig_algs; size_t sig_alg_count;
    const uint16_t *sig_algs_cert; size_t sig_alg_cert_count; /* 0: omitted */
    const char *const *alpn; size_t alpn_count;               /* 0: omitted */
    uint16_t record_size_limit;   /* 0: omitted */
    bool status_request;          /* OCSP, empty responder list */
    bool sct;
    const uint8_t *cookie; size_t cookie_len;                 /* 0: omitted */
    bool psk_modes_dhe;           /* send psk_key_exchange_modes {psk_dhe_ke} */
    size_t psk_count;
    const captls_slice *psk_identity;
    const uint32_t *psk_obfuscated_age;
    size_t psk_binder_len;        /* hash length of the PSK's suite */
} captls_tls_client_hello_params;

/* Extension order: server_name, supported_groups, key_share,
 * supported_versions {TLS 1.3}, signature_algorithms,
 * signature_algorithms_cert, status_request, signed_certificate_timestamp,
 * ALPN, psk_key_exchange_modes, record_size_limit, cookie, pre_shared_key.
 * supported_groups (group_count >= 1) and signature_algorithms are
 * mandatory; parameters that would give a message RFC 8446 forbids (share
 * for an unlisted or repeated group, PSK without psk_modes_dhe, empty or
 * > 255-byte ALPN name, ...) are CAPTLS_ERR_INVALID_ARGUMENT.
 * *binders_offset (0 without PSK) is the offset, from the message start,
 * of the binders list's 2-byte length: the message prefix the binders
 * cover (§4.2.11.2); binder i starts at offset + 2 + i * (1 + len) + 1. */

CAPTLS_MUST_CHECK captls_result captls_tls_client_hello_encode(
    captls_tls_writer *w, const captls_tls_client_hello_params *p,
    size_t *binders_offset);

/* ---- ServerHello / HelloRetryRequest (§4.1.3, §4.1.4) ------------------ */
/* The HelloRetryRequest random (SHA-256 of "HelloRetryRequest"). */
extern const uint8_t captls_tls_hrr_random[32];

typedef struct captls_tls_server_hello {
    bool is_hrr;                  /* random == captls_tls_hrr_random */
    uint16_t legacy_version;
    captls_slice random;
    captls_slice session_id_echo;
    uint16_t cipher_suite;
    uint8_t compression;          /* 0 in a TLS 1.3 SH (checked here) */
    uint32_t ext_seen;            /* CAPTLS_SH_SEEN_* */
    uint16_t selected_version;
    uint16_t key_share_group;     /* SH: share.group; HRR: selected_group */
    captls_slice key_share;       /* SH only */
    uint16_t selected_psk;
    captls_slice cookie;          /* HRR only */
} captls_tls_server_hello;

enum {
    CAPTLS_SH_SEEN_SUPPORTED_VERSIONS = 1u << 0,
    CAPTLS_SH_SEEN_KEY_SHARE = 1u << 1,
    CAPTLS_SH_SEEN_PSK = 1u << 2,
    CAPTLS_SH_SEEN_COOKIE = 1u << 3,
};

/* Allowed extensions: SH: supported_versions, key_share, pre_shared_key;
 * HRR: supported_versions, key_share (selected_group only), cookie. Others
 * recognized by RFC 8446 are ILLEGAL_PARAMETER, unknown ones
 * UNSUPPORTED_EXTENSION. A ServerHello without supported_versions is
 * decoded (selected_version 0) so the engine can answer protocol_version:
 * its extensions are then only checked for structure and duplicates, and
 * its compression byte is returned unjudged. */
CAPTLS_MUST_CHECK captls_result captls_tls_server_hello_decode(
    const uint8_t *body, size_t len, captls_tls_server_hello *out);

typedef struct captls_tls_server_hello_params {
    bool is_hrr;
    const uint8_t *random;        /* 32; ignored for an HRR */
    const uint8_t *session_id; size_t session_id_len; /* echo */
    uint16_t cipher_suite;
    uint16_t key_share_group;
    const uint8_t *key_share; size_t key_share_len;   /* SH only */
    bool have_psk; uint16_t selected_psk;              /* SH only */
    const uint8_t *cookie; size_t cookie_len;          /* HRR only, 0: none */
} captls_tls_server_hello_params;

/* SH extension order: pre_shared_key, key_share, supported_versions (RFC
 * 8448 §3, §4); HRR: key_share (omitted if key_share_group is 0), cookie,
 * supported_versions (RFC 8448 §5). */

CAPTLS_MUST_CHECK captls_result captls_tls_server_hello_encode(
    captls_tls_writer *w, const captls_tls_server_hello_params *p);

/* ---- EncryptedExtensions (§4.3.1) ------------------------------------- */
typedef struct captls_tls_encrypted_extensions {
    bool server_name_ack;         /* empty server_name */
    captls_slice alpn;            /* the ONE protocol chosen (1..255) */
    bool has_record_size_limit;
    uint16_t record_size_limit;   /* >= 64 (else ILLEGAL_PARAMETER) */
    bool has_supported_groups;    /* allowed, ignored by clients */
    bool early_data;              /* engine: illegal (we never offer) */
} captls_tls_encrypted_extensions;

/* Allowed: server_name (empty), supported_groups, ALPN (exactly one name),
 * record_size_limit, early_data (empty). max_fragment_length and the other
 * §4.2 EE extensions we never offer: UNSUPPORTED_EXTENSION; extensions §4.2
 * does not allow in EE: ILLEGAL_PARAMETER. Encoder order (RFC 8448 §3):
 * supported_groups, record_size_limit, server_name, ALPN. */
CAPTLS_MUST_CHECK captls_result captls_tls_encrypted_extensions_decode(
    const uint8_t *body, size_t len, captls_tls_encrypted_extensions *out);

typedef struct captls_tls_encrypted_extensions_params {
    bool server_name_ack;
    const uint8_t *alpn; size_t alpn_len;  /* 0: none */
    uint16_t record_size_limit;            /* 0: omitted */
    const uint16_t *groups; size_t group_count; /* 0: omitted */
} captls_tls_encrypted_extensions_params;

CAPTLS_MUST_CHECK captls_result captls_tls_encrypted_extensions_encode(
    captls_tls_writer *w, const captls_tls_encrypted_extensions_params *p);

/* ---- CertificateRequest (§4.3.2) -------------------------------------- */
typedef struct captls_tls_certificate_request {
    captls_slice context;         /* 0..255; empty in the handshake */
    captls_slice sig_algs;        /* REQUIRED (missing_extension) */
    captls_slice sig_algs_cert;   /* optional */
    captls_slice authorities;     /* optional, DistinguishedName list, raw */
} captls_tls_certificate_request;

/* Unknown extensions are ignored here (RFC 8446 §4.3.2: "Clients MUST
 * ignore unrecognized extensions"); recognized ones not allowed in a
 * CertificateRequest are ILLEGAL_PARAMETER; status_request and SCT must be
 * empty; certificate_authorities and oid_filters are checked for
 * structure. The encoder writes an empty context and signature_algorithms
 * only. */
CAPTLS_MUST_CHECK captls_result captls_tls_certificate_request_decode(
    const uint8_t *body, size_t len, captls_tls_certificate_request *out);

CAPTLS_MUST_CHECK captls_result captls_tls_certificate_request_encode(
    captls_tls_writer *w, const uint16_t *sig_algs, size_t sig_alg_count);

/* ---- Certificate (§4.4.2) --------------------------------------------- */
typedef struct captls_tls_certificate_entry {
    captls_slice cert_data;       /* DER, 1..2^24-1 */
    captls_slice ocsp_response;   /* status_request: OCSPResponse DER */
    /* signed_certificate_timestamp: the whole extension_data, i.e. the
     * SignedCertificateTimestampList WITH its 2-byte length (RFC 6962
     * §3.3), the form the encoder takes back. */
    captls_slice sct_list;
} captls_tls_certificate_entry;

#define CAPTLS_TLS_MAX_CHAIN_ENTRIES 8u
typedef struct captls_tls_certificate {
    captls_slice context;
    size_t count;                 /* <= CAPTLS_TLS_MAX_CHAIN_ENTRIES */
    captls_tls_certificate_entry entries[CAPTLS_TLS_MAX_CHAIN_ENTRIES];
} captls_tls_certificate;

/* More than 8 entries: CAPTLS_TLS_ERR(BAD_CERTIFICATE) (we refuse chains
 * we will not walk). Per-entry extensions
 * allowed: status_request (CertificateStatus with status_type ocsp(1) and a
 * non-empty response) and signed_certificate_timestamp (non-empty list);
 * others are UNSUPPORTED_EXTENSION. An empty list (count 0) is valid here;
 * the engine decides (client: decode_error per §4.4.2.4; server:
 * certificate_required or accept). */
CAPTLS_MUST_CHECK captls_result captls_tls_certificate_decode(
    const uint8_t *body, size_t len, captls_tls_certificate *out);

/* certs[i] DER; ocsp/sct attached to the first entry when non-empty
 * (ocsp_response: the OCSPResponse DER, wrapped here in a
 * CertificateStatus; sct_list: a whole SignedCertificateTimestampList). */
CAPTLS_MUST_CHECK captls_result captls_tls_certificate_encode(
    captls_tls_writer *w, const uint8_t *context, size_t context_len,
    const captls_slice *certs, size_t count, captls_slice ocsp_response,
    captls_slice sct_list);

/* ---- CertificateVerify (§4.4.3) --------------------------------------- */
typedef struct captls_tls_certificate_verify {
    uint16_t scheme;
    captls_slice signature;       /* 1..2^16-1 */
} captls_tls_certificate_verify;

/* An empty signature is well formed (signature<0..2^16-1>) but can never
 * verify: DECRYPT_ERROR, the alert §4.4.3 names for a failed check. */
CAPTLS_MUST_CHECK captls_result captls_tls_certificate_verify_decode(
    const uint8_t *body, size_t len, captls_tls_certificate_verify *out);
CAPTLS_MUST_CHECK captls_result captls_tls_certificate_verify_encode(
    captls_tls_writer *w, uint16_t scheme, const uint8_t *sig, size_t sig_len);

/* The content signed in CertificateVerify (§4.4.3): 64 spaces, the context
 * string ("TLS 1.3, server CertificateVerify" / "TLS 1.3, client
 * CertificateVerify"), a zero byte, the transcript hash. Writes at most
 * CAPTLS_TLS_CV_CONTENT_MAX bytes; returns the length (0 if hash_len >
 * 64). */
#define CAPTLS_TLS_CV_CONTENT_MAX (64u + 34u + 1u + 64u)
size_t captls_tls_certificate_verify_content(bool server,
                                             const uint8_t *transcript_hash,
                                             size_t hash_len,
                                             uint8_t out[CAPTLS_TLS_CV_CONTENT_MAX]);

/* ---- Finished (§4.4.4) ------------------------------------------------- */
/* verify_data must be exactly hash_len bytes: DECODE_ERROR otherwise. */
CAPTLS_MUST_CHECK captls_result captls_tls_finished_decode(
    const uint8_t *body, size_t len, size_t hash_len, captls_slice *verify_data);
CAPTLS_MUST_CHECK captls_result captls_tls_finished_encode(
    captls_tls_writer *w, const uint8_t *verify_data, size_t len);

/* ---- NewSessionTicket (§4.6.1) ---------------------------------------- */
typedef struct captls_tls_new_session_ticket {
    uint32_t lifetime;            /* <= 604800 (else ILLEGAL_PARAMETER) */
    uint32_t age_add;
    captls_slice nonce;           /* 0..255 */
    captls_slice ticket;          /* 1..2^16-1 */
    bool early_data;              /* max_early_data_size present (ignored) */
} captls_tls_new_session_ticket;

/* Unknown extensions are ignored (§4.6.1 "Clients MUST ignore unrecognized
 * extensions"); recognized ones other than early_data are ILLEGAL_PARAMETER.
 * The encoder writes no extensions. */
CAPTLS_MUST_CHECK captls_result captls_tls_new_session_ticket_decode(
    const uint8_t *body, size_t len, captls_tls_new_session_ticket *out);
CAPTLS_MUST_CHECK captls_result captls_tls_new_session_ticket_encode(
    captls_tls_writer *w, uint32_t lifetime, uint32_t age_add,
    const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
    size_t ticket_len);

/* ---- KeyUpdate (§4.6.3) ------------------------------------------------ */
/* request_update must be 0 or 1 (ILLEGAL_PARAMETER otherwise). */
CAPTLS_MUST_CHECK captls_result captls_tls_key_update_decode(
    const uint8_t *body, size_t len, bool *update_requested);
CAPTLS_MUST_CHECK captls_result captls_tls_key_update_encode(
    captls_tls_writer *w, bool update_requested);

/* ---- handshake header -------------------------------------------------- */
/* Writes type + u24 length placeholder; returns a mark for _end. */
size_t captls_tls_handshake_begin(captls_tls_writer *w, uint8_t type);
void captls_tls_handshake_end(captls_tls_writer *w, size_t mark);

#endif
