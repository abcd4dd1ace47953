/* port/posix/cmd_acme.h — `captls acme`: an ACME (RFC 8555) account,
 * issuance, renewal and revocation from the command line, over the
 * sans-I/O AcmeClient (core/acme/acme_client.h), the HTTPS transport
 * (port/posix/https_client.h) and a CertificateStore directory.
 *
 *   captls acme account --directory URL --ca-roots PEM [--account-key FILE]
 *                       [--contact mailto:...]... [--agree-tos]
 *   captls acme issue   --directory URL --ca-roots PEM --domain NAME...
 *                       --challenge http-01|dns-01|tls-alpn-01
 *                       [--http-listen ADDR] [--dns-api URL]
 *                       [--dns-zone ZONE]... [--tls-listen ADDR]
 *                       --store DIR --handle NAME [--key FILE]
 *                       [--key-type p256|ed25519] [--issuer-roots PEM]
 *                       [--account-key FILE]
 *   captls acme renew   (as issue, without --domain: the names come from
 *                       the stored leaf) [--force]
 *   captls acme revoke  --directory URL --ca-roots PEM --store DIR
 *                       --handle NAME [--reason 0-10] [--account-key FILE]
 *
 * Contract.
 *  - --ca-roots authenticates the CA's HTTPS endpoint; the issued chain is
 *    verified (tlsServerAuth, webPkiLenient, every name in the leaf's SAN,
 *    the leaf's key equal to ours) against --issuer-roots, by default the
 *    same file. Nothing is stored unless every check passes.
 *  - Keys come from a KeyVault whose KeySource is the DEVELOPMENT one: PEM
 *    key files on disk, imported into the vault with a purpose (the account
 *    key as acmeAccount, the certificate key as tls); the AcmeClient only
 *    holds vault handles. `account` creates --account-key (default
 *    ./acme-account.pem, P-256, mode 0600) when it does not exist; `issue`
 *    creates --key (default DIR/HANDLE.key.pem, --key-type, default p256)
 *    when it does not exist. CAPTLS_KEY_PROFILE=production refuses the
 *    development KeySource (exit 2). The program says which files it uses.
 *  - `issue`, `renew` and `revoke` find the account by its key
 *    (onlyReturnExisting, RFC 8555 §7.3.1): run `account` once first.
 *  - Each step is printed as it happens, one line "STAGE: text" on stdout
 *    (directory, account, order, authorization, challenge, finalize,
 *    download, verified, stored, renewal, revoked, retry, wait); the last
 *    line of a success is "issued: HANDLE version N leaf SHA256 notAfter
 *    DATE", "renewed: ..." (same fields), "renewal: not due until DATE",
 *    "revoked: HANDLE serial HEX reason N" or "account: URL".
 *  - Errors: one line "error: ..." on stderr naming the ACME problem type
 *    or the client's own check and the CA's sanitized detail. Exit 0 on
 *    success (renewal not due included), 1 when the CA or a check refused
 *    (nothing stored), 2 for usage and setup errors (bad option, unreadable
 *    file, listener cannot bind, no account for the key).
 *  - Solvers: http-01 serves /.well-known/acme-challenge/ on --http-listen
 *    (default 0.0.0.0:80) for the run only; dns-01 publishes TXT records
 *    through --dns-api (pebble-challtestsrv's management API) for names
 *    under --dns-zone (default: the --domain names); tls-alpn-01 answers
 *    ALPN acme-tls/1 on --tls-listen (default 0.0.0.0:443).
 */
#ifndef CAPTLS_PORT_POSIX_CMD_ACME_H
#define CAPTLS_PORT_POSIX_CMD_ACME_H

#define CAPTLS_CMD_ACME_ARGS                                                 \
    "account|issue|renew|revoke --directory URL --ca-roots PEM [options] "  \
    "(`captls acme` alone prints every option)"
#define CAPTLS_CMD_ACME_SUMMARY                                              \
    "ACME (RFC 8555): account, issue, renew, revoke into a certificate store"

int captls_cmd_acme(int argc, char **argv);

#endif
