/* port/posix/cmd_verify.h — `captls verify`: chain + policy + time.
 *
 *   captls verify [--roots FILE] [--untrusted FILE] [--host NAME | --ip ADDR]
 *                 [--purpose serverAuth|clientAuth|codeSigning]
 *                 [--policy webPkiStrict|webPkiLenient|privateMtls|codeSigning]
 *                 [--at EPOCH|YYYY-MM-DDTHH:MM:SSZ] [--max-chain N]
 *                 [--clock-skew SECONDS] [--min-scts N] [--require-ocsp yes|no]
 *                 [--audit FILE] LEAF
 *   captls verify --roots-info
 *
 * Output contract (tests match it):
 *   valid:    "ok", then the subject of each certificate of the path, one
 *             per line, leaf first, anchor last (escaped: core/x509/
 *             name_text.h); exit 0.
 *   invalid:  "fail: <FailureReason>" (the seed's name, e.g. "fail: expired"),
 *             then "detail: <text>" when the verifier gave one, then
 *             "skipped: N malformed untrusted certificate(s) (see stderr)"
 *             when some were left out (below); exit 1.
 *   bad input (unreadable file, not a certificate, malformed DER/PEM of the
 *             leaf or of a root):
 *             "error: <file>: <what> [certificate N] [at byte M]" on stdout;
 *             exit 2.
 *   a malformed certificate among the untrusted intermediates (--untrusted,
 *             or the LEAF file after its first certificate) is reported on
 *             stderr ("captls verify: skipped: <file>: certificate N: ...")
 *             and left out of path building: the verdict is whatever the
 *             other certificates give (issue 16).
 *   bad usage: the usage on stderr; exit 2.
 * Files are PEM (every CERTIFICATE block; other blocks are skipped) or one
 * DER certificate. The LEAF file's first certificate is the leaf; further
 * certificates in it join the untrusted pool (a fullchain file works).
 * Defaults: the Mozilla roots compiled in from Debian's ca-certificates
 * (port/posix/mozilla_roots.h; purpose tlsServerAuth only, as Debian ships
 * them), purpose serverAuth, policy webPkiLenient (codeSigning when
 * --purpose codeSigning is given without --policy) — webPkiStrict demands
 * SCTs and OCSP, which fail closed (insufficientScts) until the CT and
 * OCSP issues land — and the host wall clock (its provenance is passed to
 * the verifier). --roots FILE anchors serve what their EKU allows (all
 * purposes without EKU). --max-chain N (1..255) replaces the policy's
 * maxChainLength (certificates in the path, leaf and anchor included;
 * self-issued intermediates count here, as OpenSSL's -verify_depth counts
 * them, although RFC 5280 §6.1.4 (l) leaves them out of
 * pathLenConstraint). VerificationPolicy field overrides (issue 16):
 * --clock-skew SECONDS (0..86400; every preset's default is 0),
 * --min-scts N (0..255), --require-ocsp yes|no — so that webPkiStrict can
 * be checked offline: --policy webPkiStrict --min-scts 0 --require-ocsp no.
 * --audit FILE appends the CertVerifier's audit record of this
 * verification as one JSON object per line: mono_ns, wall, wall_ns, clock,
 * actor, iface, method, event ("verify.chain"), outcome, detail (the
 * record's sanitized text), plus policy and verdict ("ok" or the
 * FailureReason); an unwritable FILE is exit 2.
 */
#ifndef CAPTLS_PORT_POSIX_CMD_VERIFY_H
#define CAPTLS_PORT_POSIX_CMD_VERIFY_H

#include "port/posix/mozilla_roots.h"

#define CAPTLS_CMD_VERIFY_ARGS                                               \
    "[--roots FILE] [--untrusted FILE] [--host NAME | --ip ADDR] "           \
    "[--purpose serverAuth|clientAuth|codeSigning] "                         \
    "[--policy webPkiStrict|webPkiLenient|privateMtls|codeSigning] "         \
    "[--at EPOCH|YYYY-MM-DDTHH:MM:SSZ] [--max-chain N] "                   \
    "[--clock-skew SECONDS] [--min-scts N] [--require-ocsp yes|no] "          \
    "[--audit FILE] LEAF"
#define CAPTLS_CMD_VERIFY_SUMMARY                                            \
    "verify LEAF's chain (ok + the chain, or fail: <reason>); defaults: "   \
    "Mozilla roots (--roots-info), serverAuth, webPkiLenient "                \
    "(webPkiStrict fails closed until CT/OCSP land), now"

/* argv[0] is "verify". Returns the exit status. */
int captls_cmd_verify(int argc, char **argv);

#endif
