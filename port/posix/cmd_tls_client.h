/* port/posix/cmd_tls_client.h — `captls tls-client`: a TLS 1.3 client on
 * the captls engine, like `openssl s_client -quiet`.
 *
 *   captls tls-client --connect HOST:PORT [--servername NAME]
 *       [--roots CA.pem] [--cert CHAIN.pem --key KEY.pem] [--alpn LIST]
 *       [--suites LIST] [--groups LIST] [--reconnect] [--key-update]
 *       [--record-size-limit N] [--timeout SECONDS] [--quiet-summary]
 *
 * Data: stdin goes to the peer, the peer's data to stdout, until the peer
 * closes. On stdin EOF the client sends close_notify and keeps reading
 * until the peer's close_notify (RFC 8446 §6.1).
 * Summary on stderr after the handshake (--quiet-summary: not printed):
 *   handshake: ok / version: TLSv1.3 / suite: S / group: G|none /
 *   signature: SCHEME|none / hello-retry: yes|no / resumed: yes|no /
 *   alpn: P|none / peer: <leaf subject>|none / verify: ok
 * (one "key: value" per line, in that order). A resumed session carries
 * no certificate and no CertificateVerify ("signature: none"): "peer" and
 * "verify: ok" then stand for the verified identity of the handshake that
 * issued the ticket (the engine keeps it with the session).
 * Exit status: 0 when the handshake and verification succeeded and the
 * session ended with the peer's close_notify; 1 with
 *   "fail: <FailureReason>"   the server's certificate did not verify
 *                             (camelCase seed name, as captls verify), or
 *   "error: <what>"           an alert ("handshake_failure (alert
 *                             received)", "decode_error (alert sent)"),
 *                             "connection refused", "handshake timeout",
 *                             "connection closed without close_notify", ...
 * 2 with "error: <what>" for usage and setup errors (bad option, unreadable
 * file, key that does not match the certificate, bad list name).
 * Trust: --roots CA.pem (webPkiLenient, for private CAs) or, without it,
 * the Mozilla roots compiled in (webPkiStrict minus the SCT/OCSP demands
 * that nothing evaluates yet); purpose tlsServerAuth; see tls_options.h.
 * --servername defaults to HOST; an IP literal is checked against the
 * certificate's IP SANs and not sent as SNI.
 * --reconnect: after the first session ends cleanly, connects again
 * offering the last ticket received, replays the same stdin bytes (kept
 * in memory, up to 1 MiB) and prints the summary again; the exit status
 * covers both sessions. --key-update: one KeyUpdate with update_requested
 * right after the handshake. --timeout: seconds for connect + handshake
 * (default 10). SSLKEYLOGFILE, when set, receives NSS key log lines.
 */
#ifndef CAPTLS_PORT_POSIX_CMD_TLS_CLIENT_H
#define CAPTLS_PORT_POSIX_CMD_TLS_CLIENT_H

#define CAPTLS_CMD_TLS_CLIENT_ARGS                                           \
    "--connect HOST:PORT [--servername NAME] [--roots CA.pem] "              \
    "[--cert CHAIN.pem --key KEY.pem] [--alpn LIST] [--suites LIST] "        \
    "[--groups LIST] [--reconnect] [--key-update] [--record-size-limit N] "  \
    "[--timeout SECONDS] [--quiet-summary]"
#define CAPTLS_CMD_TLS_CLIENT_SUMMARY                                        \
    "TLS 1.3 client: stdin to the peer, the peer's data to stdout"

/* argv[0] is "tls-client". Returns the exit status. */
int captls_cmd_tls_client(int argc, char **argv);

#endif
