/* core/x509/certificate.h — X.509 v3 certificates (RFC 5280 §4), parsed once
 * into typed fields that borrow the caller's DER.
 *
 * Contract. captls_certificate_parse reads exactly one DER Certificate from
 * der[0..len) into a caller-owned captls_certificate (CAPTLS_CERTIFICATE_SIZE
 * bytes; no allocation, no copy). Every captls_slice in the result BORROWS
 * the input: keep it alive and unchanged as long as the parsed certificate
 * is used. Parsing is iterative (no recursion), bounded by the DER reader's
 * depth limit and by the fixed array maxima below: an input that needs more
 * room than a maximum is CAPTLS_ERR_LIMIT_EXCEEDED, never silently truncated.
 * The whole certificate is held in memory by the caller: this parser is not
 * resumable (a certificate is at most CAPTLS_DER_MAX_LENGTH bytes and is
 * always delivered whole by TLS and by files).
 *
 * Failure modes: CAPTLS_ERR_MALFORMED (not DER, not a certificate, or a MUST
 * of RFC 5280 broken: outer and inner signature AlgorithmIdentifiers not
 * byte-equal, duplicate extension, extensions in a v1 certificate, a SAN
 * iPAddress not 4/16 bytes, an explicitly encoded DEFAULT, ...),
 * CAPTLS_ERR_UNSUPPORTED (version 2: nothing issues v2 certificates and RFC
 * 5280 §4.1.2.1 says v3 when extensions are present, v1 otherwise),
 * CAPTLS_ERR_LIMIT_EXCEEDED (a maximum below or a DER bound),
 * CAPTLS_ERR_INVALID_ARGUMENT. When `err` is given, the first failure is
 * recorded with its byte offset in der[] and a short static reason, so a CLI
 * can print "malformed at byte N: <reason>". On failure *cert is zeroed: no
 * partially parsed field survives.
 *
 * What parsing accepts but records for the verifier (which decides):
 *   - an unknown or weak signature algorithm (sig.alg UNKNOWN / sig.weak):
 *     md5/sha1 RSA, ecdsa-with-SHA1, RSA-PSS with SHA-1;
 *   - a public key type captls cannot use (key.type == CAPTLS_KEY_NONE,
 *     spki_raw still set): DSA, P-521, Ed448, RSA below 1024 bits, ...;
 *     its SubjectPublicKeyInfo is still checked strictly (MALFORMED
 *     otherwise): DER, an AlgorithmIdentifier with a parseable OID and at
 *     most one well-formed parameters element, a subjectPublicKey BIT
 *     STRING with 0 unused bits, nothing after it;
 *   - a serial that is negative, zero, or longer than 20 octets (flags);
 *   - a GeneralizedTime validity date before 2050 (time_nonconforming);
 *   - critical extensions this parser does not process (unknown_critical[]):
 *     includes policyMappings, policyConstraints, inhibitAnyPolicy and
 *     issuerAltName when marked critical (captls does no policy processing),
 *     and the CT precertificate poison. RFC 5280 §4.2: a verifier MUST
 *     reject a certificate with a critical extension it does not recognise.
 * NOT checked here (the verifier's job): validity at any time, key usage or
 * EKU consistency, whether a CA has basicConstraints, signatures, name
 * constraints semantics, policy processing. Character sets of directory
 * string values are not validated beyond the DER reader's tag checks.
 */
#ifndef CAPTLS_X509_CERTIFICATE_H
#define CAPTLS_X509_CERTIFICATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/base/der.h"
#include "core/base/result.h"
#include "core/crypto/hash.h"
#include "core/crypto/sig_scheme.h"
#include "core/crypto/spki.h"

/* ---- maxima (why these numbers) --------------------------------------- */
/* SANs: the CA/B Forum sets no cap; Let's Encrypt issues at most 100 names,
 * the largest public certificates seen carry a few hundred. 256 keeps one
 * parsed certificate near 10 KiB. */
#define CAPTLS_X509_MAX_SANS 256u
/* EKUs: real certificates carry 1..4; 16 leaves room for private PKIs. */
#define CAPTLS_X509_MAX_EKUS 16u
/* Certificate policies: real ones carry 1..4 (a reserved OID + a CPS). */
#define CAPTLS_X509_MAX_POLICIES 16u
/* Name-constraint subtrees, per list (permitted / excluded): constrained
 * intermediates carry a handful; 64 bounds the verifier's comparisons. */
#define CAPTLS_X509_MAX_SUBTREES 64u
/* AIA OCSP / caIssuers URIs and CRL distribution point URIs. */
#define CAPTLS_X509_MAX_AIA_URIS 4u
#define CAPTLS_X509_MAX_CRLDP_URIS 8u
/* Extensions in one certificate (real ones: 6..12). Also bounds the
 * quadratic duplicate check to 32*32/2 OID comparisons. */
#define CAPTLS_X509_MAX_EXTENSIONS 32u
/* Critical extensions not processed here (the verifier fails on any). */
#define CAPTLS_X509_MAX_UNKNOWN_CRITICAL 8u
/* RFC 5280 §4.1.2.2: conforming serials are at most 20 octets. */
#define CAPTLS_X509_MAX_CONFORMING_SERIAL 20u

/* ---- names ------------------------------------------------------------ */

/* A Name (RDNSequence), validated at parse time: every RDN is a non-empty
 * SET of AttributeTypeAndValue { OID, value }. */
typedef struct captls_x509_name {
    captls_slice raw;  /* the whole SEQUENCE TLV (for hashing / equality) */
    captls_slice rdns; /* its contents: the RDNs */
} captls_x509_name;

/* One attribute of a name, in DER order. */
typedef struct captls_x509_attr {
    captls_slice type;   /* OID contents octets (e.g. 2.5.4.3 for CN) */
    uint32_t value_tag;  /* e.g. CAPTLS_DER_UTF8_STRING */
    captls_slice value;  /* value contents octets */
    size_t rdn_index;    /* 0-based RDN number */
    bool continues_rdn;  /* true if this attr is a 2nd+ member of its RDN */
} captls_x509_attr;

/* Iterator over a name's attributes (RDN by RDN, member by member). */
typedef struct captls_x509_name_iter {
    captls_der rdns;
    captls_der set;
    bool in_set;
    size_t rdn_index;
    bool first_in_set;
} captls_x509_name_iter;

void captls_x509_name_iter_init(captls_x509_name_iter *it,
                                const captls_x509_name *name);
/* OK: *attr filled. CAPTLS_EOF: no more attributes. MALFORMED only for a
 * name that was not produced by this parser. */
CAPTLS_MUST_CHECK captls_result captls_x509_name_next(captls_x509_name_iter *it,
                                                     captls_x509_attr *attr);
/* Parses a Name from der[0..len) (e.g. a directoryName or a TrustFilter
 * subject given as DER); the name borrows der. */
CAPTLS_MUST_CHECK captls_result captls_x509_name_parse(const uint8_t *der,
                                                      size_t len,
                                                      captls_x509_name *out);
/* Number of RDNs (0 for an empty name). */
size_t captls_x509_name_rdn_count(const captls_x509_name *name);
bool captls_x509_name_is_empty(const captls_x509_name *name);

/* RFC 5280 §7.1 name comparison. Byte-equal DER is a fast path. Otherwise
 * the names match iff they have the same number of RDNs, each RDN has the
 * same number of attributes, and attribute i of RDN j has the same type and
 * an equal value, where values compare:
 *   - PrintableString, UTF8String, TeletexString (T61), IA5String, and
 *     VisibleString values compare across these tags (a PrintableString
 *     "Example" equals a UTF8String "example") after RFC 4518-style
 *     insignificant-space handling (leading/trailing spaces dropped,
 *     internal runs of spaces folded to one) and ASCII case folding;
 *   - other tags (BMPString, UniversalString, non-string values) compare
 *     tag and bytes exactly.
 * Simplified, documented: no Unicode normalisation (NFKC) or non-ASCII case
 * folding — non-ASCII UTF-8 bytes must be equal; multi-valued RDN members
 * are compared in encoded (DER SET) order, not as an unordered set;
 * T61String bytes are treated as Latin-1/ASCII. Malformed names never
 * compare equal unless byte-identical. */
bool captls_x509_name_equal(const captls_x509_name *a,
                            const captls_x509_name *b);

/* ---- general names ----------------------------------------------------- */

/* GeneralName CHOICE (RFC 5280 §4.2.1.6); values are the context tags. */
typedef enum captls_general_name_type {
    CAPTLS_GN_OTHER_NAME = 0,
    CAPTLS_GN_RFC822 = 1,        /* IA5String contents */
    CAPTLS_GN_DNS = 2,           /* IA5String contents */
    CAPTLS_GN_X400 = 3,          /* raw contents, not interpreted */
    CAPTLS_GN_DIRECTORY = 4,     /* value = the Name's SEQUENCE TLV */
    CAPTLS_GN_EDI_PARTY = 5,     /* raw contents, not interpreted */
    CAPTLS_GN_URI = 6,           /* IA5String contents */
    CAPTLS_GN_IP = 7,            /* 4/16 bytes; in name constraints 8/32:
                                    address then mask */
    CAPTLS_GN_REGISTERED_ID = 8, /* OID contents */
} captls_general_name_type;

typedef struct captls_general_name {
    captls_general_name_type type;
    captls_slice value;
} captls_general_name;

/* For a CAPTLS_GN_DIRECTORY value: the Name. */
CAPTLS_MUST_CHECK captls_result captls_general_name_directory(
    const captls_general_name *gn, captls_x509_name *out);
/* For a name-constraint CAPTLS_GN_IP value (8 or 32 bytes, mask contiguous
 * as checked at parse time): address and mask, 4 or 16 bytes each. */
CAPTLS_MUST_CHECK captls_result captls_general_name_ip_constraint(
    const captls_general_name *gn, captls_slice *addr, captls_slice *mask);

/* ---- extensions -------------------------------------------------------- */

/* keyUsage bits (RFC 5280 §4.2.1.3): bit n of the BIT STRING -> 1u << n. */
#define CAPTLS_KU_DIGITAL_SIGNATURE 0x0001u
#define CAPTLS_KU_NON_REPUDIATION 0x0002u /* contentCommitment */
#define CAPTLS_KU_KEY_ENCIPHERMENT 0x0004u
#define CAPTLS_KU_DATA_ENCIPHERMENT 0x0008u
#define CAPTLS_KU_KEY_AGREEMENT 0x0010u
#define CAPTLS_KU_KEY_CERT_SIGN 0x0020u
#define CAPTLS_KU_CRL_SIGN 0x0040u
#define CAPTLS_KU_ENCIPHER_ONLY 0x0080u
#define CAPTLS_KU_DECIPHER_ONLY 0x0100u

/* Known EKUs as bits of captls_certificate.eku_known. */
typedef enum captls_eku {
    CAPTLS_EKU_SERVER_AUTH = 1u << 0,      /* 1.3.6.1.5.5.7.3.1 */
    CAPTLS_EKU_CLIENT_AUTH = 1u << 1,      /* 1.3.6.1.5.5.7.3.2 */
    CAPTLS_EKU_CODE_SIGNING = 1u << 2,     /* 1.3.6.1.5.5.7.3.3 */
    CAPTLS_EKU_EMAIL_PROTECTION = 1u << 3, /* 1.3.6.1.5.5.7.3.4 */
    CAPTLS_EKU_TIME_STAMPING = 1u << 4,    /* 1.3.6.1.5.5.7.3.8 */
    CAPTLS_EKU_OCSP_SIGNING = 1u << 5,     /* 1.3.6.1.5.5.7.3.9 */
    CAPTLS_EKU_ANY = 1u << 6,              /* 2.5.29.37.0 */
} captls_eku;

/* X.509 signature algorithms captls recognises. */
typedef enum captls_x509_sig_alg {
    CAPTLS_X509_SIG_UNKNOWN = 0,
    CAPTLS_X509_SIG_RSA_PKCS1_MD5,    /* weak */
    CAPTLS_X509_SIG_RSA_PKCS1_SHA1,   /* weak */
    CAPTLS_X509_SIG_RSA_PKCS1_SHA256,
    CAPTLS_X509_SIG_RSA_PKCS1_SHA384,
    CAPTLS_X509_SIG_RSA_PKCS1_SHA512,
    CAPTLS_X509_SIG_RSA_PSS,          /* params in hash/mgf1_hash/salt_len */
    CAPTLS_X509_SIG_ECDSA_SHA1,       /* weak */
    CAPTLS_X509_SIG_ECDSA_SHA256,
    CAPTLS_X509_SIG_ECDSA_SHA384,
    CAPTLS_X509_SIG_ECDSA_SHA512,
    CAPTLS_X509_SIG_ED25519,
} captls_x509_sig_alg;

/* A signature AlgorithmIdentifier, parsed. For a supported, non-weak alg,
 * (padding, hash, mgf1_hash, salt_len) are exactly what
 * captls_sig_verify_alg takes. Weak algorithms have hash NONE. */
typedef struct captls_x509_sig_info {
    captls_x509_sig_alg alg;
    bool weak;                 /* MD5 or SHA-1 (RFC 6151, SHAttered) */
    captls_sig_padding padding;
    captls_hash_alg hash;
    captls_hash_alg mgf1_hash; /* PSS only */
    uint32_t salt_len;         /* PSS only */
    captls_slice oid;          /* algorithm OID contents */
    captls_slice der;          /* the whole AlgorithmIdentifier TLV */
} captls_x509_sig_info;

/* One extension as found (for display and duplicate detection). */
typedef struct captls_x509_extension {
    captls_slice oid;   /* OID contents */
    bool critical;
    bool handled;       /* parsed into a typed field below */
    captls_slice value; /* contents of the extnValue OCTET STRING */
    size_t offset;      /* of the Extension SEQUENCE in der[] */
} captls_x509_extension;

/* ---- the certificate ---------------------------------------------------- */

typedef struct captls_certificate {
    captls_slice der;       /* the whole Certificate */
    captls_slice tbs;       /* the TBSCertificate TLV: the signed bytes */
    captls_x509_sig_info sig;   /* outer == inner (byte-equal DER) */
    captls_slice signature; /* signatureValue BIT STRING bytes */

    uint8_t version;        /* 1 or 3 (X.509 v1 / v3) */
    captls_slice serial;    /* INTEGER contents, two's complement, as is */
    bool serial_negative;
    bool serial_zero;
    bool serial_too_long;   /* > 20 octets (RFC 5280 §4.1.2.2) */

    captls_x509_name issuer;
    captls_x509_name subject;
    int64_t not_before;     /* epoch seconds, UTC */
    int64_t not_after;
    /* RFC 5280 §4.1.2.5 says dates through 2049 MUST be UTCTime; a
     * GeneralizedTime before 2050 is recorded here instead of refused,
     * because a Mozilla root (Certum Trusted Network CA 2, 2011) does it
     * and OpenSSL, Go and webpki accept it. Verifiers may refuse it for
     * non-anchor certificates. */
    bool time_nonconforming;

    captls_public_key key;  /* type NONE if the algorithm is unsupported */
    captls_slice spki_raw;  /* the SubjectPublicKeyInfo TLV (always set) */
    captls_slice spki_alg_oid; /* its algorithm OID contents */
    captls_result key_status;  /* captls_spki_read's result (OK or why not) */

    /* extensions, in order */
    size_t ext_count;
    captls_x509_extension ext[CAPTLS_X509_MAX_EXTENSIONS];
    size_t unknown_critical_count;
    captls_slice unknown_critical[CAPTLS_X509_MAX_UNKNOWN_CRITICAL]; /* OIDs */

    bool san_present;
    bool san_critical;
    size_t san_count;
    captls_general_name san[CAPTLS_X509_MAX_SANS];

    bool key_usage_present;
    uint16_t key_usage;     /* CAPTLS_KU_* bits */

    bool eku_present;
    uint32_t eku_known;     /* CAPTLS_EKU_* bits of the recognised OIDs */
    size_t eku_count;
    captls_slice eku[CAPTLS_X509_MAX_EKUS]; /* every OID, in order */

    bool bc_present;
    bool bc_critical;
    bool bc_ca;
    bool bc_pathlen_present;
    uint32_t bc_pathlen;

    bool nc_present;
    bool nc_critical;
    size_t nc_permitted_count;
    captls_general_name nc_permitted[CAPTLS_X509_MAX_SUBTREES];
    size_t nc_excluded_count;
    captls_general_name nc_excluded[CAPTLS_X509_MAX_SUBTREES];

    bool ski_present;
    captls_slice ski;       /* subjectKeyIdentifier octets */
    bool aki_present;
    captls_slice aki_key_id; /* keyIdentifier octets (empty if absent) */
    captls_slice aki_issuer; /* authorityCertIssuer GeneralNames (raw) */
    captls_slice aki_serial; /* authorityCertSerialNumber (raw INTEGER) */

    bool policies_present;
    size_t policy_count;
    captls_slice policies[CAPTLS_X509_MAX_POLICIES]; /* OIDs */

    size_t crldp_count;
    captls_slice crldp[CAPTLS_X509_MAX_CRLDP_URIS];  /* URIs */
    size_t ocsp_count;
    captls_slice ocsp[CAPTLS_X509_MAX_AIA_URIS];     /* URIs */
    size_t ca_issuers_count;
    captls_slice ca_issuers[CAPTLS_X509_MAX_AIA_URIS]; /* URIs */

    bool scts_present;
    captls_slice scts;      /* SignedCertificateTimestampList (TLS bytes) */
    bool must_staple;       /* TLS Feature (RFC 7633) lists status_request */
} captls_certificate;

/* Worst case over 64-bit targets; a static assertion in certificate.c keeps
 * it honest. */
#define CAPTLS_CERTIFICATE_SIZE 16384u

/* Parses one Certificate from der[0..len). See the contract above. */
CAPTLS_MUST_CHECK captls_result captls_certificate_parse(captls_certificate *cert,
                                                        const uint8_t *der,
                                                        size_t len,
                                                        captls_der_error *err);

/* Writes the certificate's digest under alg into out (captls_hash_size(alg)
 * bytes; *out_len set). SHA-256 is the fingerprint used for pins and
 * display. */
CAPTLS_MUST_CHECK captls_result captls_certificate_fingerprint(
    const captls_certificate *cert, captls_hash_alg alg,
    uint8_t out[CAPTLS_HASH_MAX_SIZE], size_t *out_len);

/* True if issuer and subject are equal names (captls_x509_name_equal). */
bool captls_certificate_is_self_issued(const captls_certificate *cert);

/* Finds the extension with this OID (contents octets) or returns NULL. */
const captls_x509_extension *captls_certificate_find_extension(
    const captls_certificate *cert, const uint8_t *oid, size_t oid_len);

/* Name of a signature algorithm ("sha256WithRSAEncryption", ...). */
const char *captls_x509_sig_alg_name(captls_x509_sig_alg alg);

/* Well-known OIDs (contents octets). */
extern const uint8_t captls_oid_at_common_name[3];   /* 2.5.4.3 */
extern const uint8_t captls_oid_ext_san[3];          /* 2.5.29.17 */
extern const uint8_t captls_oid_ext_name_constraints[3]; /* 2.5.29.30 */
extern const uint8_t captls_oid_ext_basic_constraints[3]; /* 2.5.29.19 */
extern const uint8_t captls_oid_ext_key_usage[3];    /* 2.5.29.15 */
extern const uint8_t captls_oid_ext_eku[3];          /* 2.5.29.37 */

#endif
