/* core/verify/profile_rules.h — certificate profile rules checked on a
 * complete path (internal to core/verify; called once per path by
 * captls_vfy_path, validate.c).
 *
 * Contract. captls_profile_check reads path[0..n) (leaf first, the anchor
 * excluded) and the anchor, writes nothing but *f on failure, allocates
 * nothing and cannot fail otherwise. Every failure is policyViolation
 * except B1 (badEku), P8 and P9 (unknownAnchor). The first broken rule, in the
 * order below, is reported with the certificate's index (n = the anchor).
 *
 * Under every preset (what OpenSSL 3.0's X509_V_FLAG_X509_STRICT and its
 * critical-extension list refuse; RFC 5280 clauses beside the code):
 *   P1  authorityKeyIdentifier present in every v3 certificate below the
 *       anchor (§4.2.1.1), never critical (any certificate, anchor too);
 *   P2  subjectKeyIdentifier present in every v3 CA certificate (§4.2.1.2),
 *       never critical;
 *   P3  subject empty while the certificate is a CA, may sign CRLs, or has
 *       no subjectAltName (§4.1.2.6); issuer empty (§4.1.2.4);
 *   P4  keyCertSign without basicConstraints cA (§4.2.1.3); a
 *       pathLenConstraint without cA or without keyCertSign (§4.2.1.9);
 *       a CA below the anchor whose basicConstraints is not critical
 *       (§4.2.1.9; the anchor's own is validate.c's); a CA without
 *       keyUsage (§4.2.1.3 "MUST be present");
 *   P5  an empty subject with a non-critical subjectAltName (§4.2.1.6);
 *   P6  authorityInfoAccess (§4.2.2.1 MUST be non-critical), the CT SCT
 *       list and the TLS feature extension marked critical (OpenSSL
 *       processes none of them and refuses them as unhandled critical);
 *   P7  a GeneralizedTime validity date before 2050 below the anchor
 *       (§4.1.2.5; a Mozilla root does it, so anchors are exempt);
 *   P8  an anchor certificate whose EKU excludes the purpose anchors
 *       nothing for it (unknownAnchor, the verdict a TrustStore filtering
 *       anchors by purpose gives; OpenSSL checks the anchor's purpose too
 *       and says badEku: conformance/KNOWN_DIFFERENCES.md §9);
 *   P9  an anchor certificate whose authorityKeyIdentifier keyIdentifier
 *       differs from its own subjectKeyIdentifier, or whose
 *       authorityCertSerialNumber differs from its serial, is not
 *       self-signed (unknownAnchor, as OpenSSL's X509_check_akid makes
 *       it look for an issuer). An authorityCertIssuer is not compared.
 * DER time syntax (UTCTime/GeneralizedTime with Z, seconds present, no
 * fractional seconds) is the parser's (core/base/der.c): such a
 * certificate never parses.
 *
 * Under policy->cabf_profile (webPkiStrict), also the CA/Browser Forum
 * Baseline Requirements profile (BR 2.0 §7.1):
 *   B1  the leaf's EKU holds no anyExtendedKeyUsage (§7.1.2.7.10; the
 *       purpose itself is validate.c's require_leaf_eku/accept_any_eku);
 *   B2  an anchor certificate with an extendedKeyUsage is not a web PKI
 *       root (§7.1.2.1.2);
 *   B3  the leaf is not a CA (basicConstraints cA TRUE; §7.1.2.7.8);
 *   B4  nameConstraints only in CA certificates and critical (BR §7.1.2.10.8,
 *       §7.1.2.3); a dNSName constraint with a leading period is
 *       malformed (RFC 5280 §4.2.1.10 gives that form to URIs and mail);
 *   B5  policyConstraints, when present, critical (BR §7.1.2.10);
 *   B6  an anchor certificate's authorityKeyIdentifier holds only
 *       keyIdentifier, equal to its own subjectKeyIdentifier (§7.1.2.1.3);
 *       the anchor's serial positive, non-zero, at most 20 octets (the
 *       path's own serials: validate.c, allow_nonconforming_serial);
 *   B7  every subject commonName of the leaf is byte for byte one of its
 *       SANs: a dNSName's bytes or an iPAddress in canonical text (IPv4
 *       dotted quad, IPv6 as RFC 5952 §4) (BR §7.1.2.7.2, "Common Name");
 *   B8  no underscore in a leaf dNSName (BR §7.1.2.7.12 since 2019's
 *       ballot SC12; RFC 5280 §4.2.1.6 preferred name syntax);
 *   B9  RSA moduli a multiple of 8 bits (and >= 2048, already every
 *       preset's floor) in every certificate and the anchor (§6.1.5);
 *   B10 a wildcard dNSName "*.X" in the leaf whose X is a public suffix
 *       (ICANN or PRIVATE section of the PSL; §3.2.2.6), judged with
 *       in->public_suffixes; with no list every wildcard is refused.
 *
 * NOT checked here: anything validate.c checks (validity, signatures,
 * cA of issuers, pathLen counting, EKU purpose, name constraints
 * semantics, host names). The anchor is judged from anchor->data (both
 * anchor sources fill it from the certificate); the anchor rules are
 * skipped for a bare {name, key} record (data.present false, which no
 * captls source produces). A path that is only the
 * anchor itself (a directly trusted self-signed leaf) is exempt, as in
 * OpenSSL (RFC 6818 §2).
 */
#ifndef CAPTLS_VERIFY_PROFILE_RULES_H
#define CAPTLS_VERIFY_PROFILE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verify/validate.h"

/* Profile faults of one certificate, as bits (the rules above that read
 * only the certificate; which of them apply depends on its place in the
 * path and the policy). Computed for every path certificate, and once for
 * an anchor by captls_anchor_cert_data_from, so an anchor judged from a
 * TrustStore record and the same anchor given as a certificate get the
 * same verdict. */
#define CAPTLS_PF_AKI_MISSING 0x000001u        /* P1 */
#define CAPTLS_PF_AKI_CRITICAL 0x000002u       /* P1 */
#define CAPTLS_PF_SKI_MISSING 0x000004u        /* P2 */
#define CAPTLS_PF_SKI_CRITICAL 0x000008u       /* P2 */
#define CAPTLS_PF_SUBJECT_EMPTY 0x000010u      /* P3 */
#define CAPTLS_PF_ISSUER_EMPTY 0x000020u       /* P3 */
#define CAPTLS_PF_SAN_NOT_CRITICAL 0x000040u   /* P5 */
#define CAPTLS_PF_CERT_SIGN_NOT_CA 0x000080u   /* P4 */
#define CAPTLS_PF_PATHLEN_MISUSED 0x000100u    /* P4 */
#define CAPTLS_PF_CA_NO_KEY_USAGE 0x000200u    /* P4 */
#define CAPTLS_PF_CA_BC_NOT_CRITICAL 0x000400u /* P4 */
#define CAPTLS_PF_EXT_CRITICAL 0x000800u       /* P6 */
#define CAPTLS_PF_GENERALIZED_TIME 0x001000u   /* P7 */
#define CAPTLS_PF_NOT_SELF_SIGNED 0x002000u    /* P9 (self-issued only) */
#define CAPTLS_PF_EKU_PRESENT 0x004000u        /* B2 */
#define CAPTLS_PF_NC_NOT_CA 0x008000u          /* B4 */
#define CAPTLS_PF_NC_NOT_CRITICAL 0x010000u    /* B4 */
#define CAPTLS_PF_NC_LEADING_PERIOD 0x020000u  /* B4 */
#define CAPTLS_PF_PC_NOT_CRITICAL 0x040000u    /* B5 */
#define CAPTLS_PF_ROOT_AKI_FIELDS 0x080000u    /* B6 */
#define CAPTLS_PF_SERIAL 0x100000u             /* B6 */
#define CAPTLS_PF_RSA_BITS 0x200000u           /* B9 */

uint32_t captls_profile_faults(const captls_certificate *cert);

bool captls_profile_check(const captls_verify_input *in,
                          const captls_certificate *const *path, size_t n,
                          const captls_trust_anchor *anchor, captls_vfail *f);

/* Writes the canonical text of a 4- or 16-byte address into out (at least
 * 40 bytes): dotted quad, or RFC 5952 §4 (lower-case hex, no leading
 * zeros, the longest run of two or more zero groups as "::", the first
 * such run on a tie). Returns the length, 0 for another size. */
size_t captls_profile_ip_text(const uint8_t *ip, size_t len, char out[40]);

#endif
