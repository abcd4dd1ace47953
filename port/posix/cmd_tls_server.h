/* port/posix/cmd_tls_server.h — `captls tls-server`: a TLS 1.3 server on
 * the captls engine, many connections in one poll(2) event loop.
 *
 *   captls tls-server --listen HOST:PORT --cert CHAIN.pem --key KEY.pem
 *       [--client-ca CA.pem [--require-client-cert]] [--alpn LIST]
 *       [--suites LIST] [--groups LIST] (--echo | --www)
 *       [--port-file FILE] [--tickets N] [--key-update] [--max-conns N]
 *       [--record-size-limit N] [--handshake-timeout SECONDS] [--quiet]
 *   captls tls-server ... --store DIR --handle HANDLE --key KEY.pem ...
 *       serves the CertificateStore entry HANDLE (instead of --cert) and
 *       follows its rotations without restart (port/posix/
 *       tls_store_identity.h): "serving|rotation: HANDLE version N leaf
 *       SHA256" and "rotation refused: ..." lines on stderr, audit lines.
 *
 * Output contract (tests and the interop matrix match it), on stderr:
 *   "listening on HOST:PORT"   once bound (the real port when PORT is 0;
 *                              HOST numeric, IPv6 in brackets);
 *   "conn N: accepted from ADDR"
 *   "conn N: handshake ok version=TLSv1.3 suite=S group=G sig=SCHEME
 *    resumed=yes|no alpn=P|none client-auth=none|verified|no-certificate|
 *    failed:<FailureReason>"   (one line; fields split at spaces)
 *   "conn N: error: <alert name> (alert sent|received)" or another cause
 *    ("handshake timeout", "connection reset", "connection closed without
 *    close_notify", ...)
 *   "conn N: closed"
 *   --quiet drops the accepted/handshake/closed lines (errors stay).
 * --echo sends every byte of application data back; on the client's
 * close_notify it answers with its own and closes. --www reads one HTTP
 * request (up to "\r\n\r\n", at most 8 KiB), answers "HTTP/1.0 200 OK" with
 * a text/plain page of "key: value" lines (version, suite, group,
 * signature, resumed, alpn, client-auth, client-identity), sends
 * close_notify and closes once the client's close_notify or EOF arrives
 * (or 5 s later).
 * A handshake that has not finished --handshake-timeout seconds (default
 * 10) after accept is aborted (user_canceled). A connection's failure never
 * affects another. SIGINT/SIGTERM end the loop: open connections are
 * aborted, exit 0. Setup errors (unreadable file, key that does not match
 * the certificate, bad list name, --require-client-cert without
 * --client-ca, neither --echo nor --www, ...) print "error: <what>" and
 * exit 2 before listening.
 * Tickets: --tickets N (0..4, default 2) NewSessionTickets per handshake,
 * sealed with a ticket key created at start (core/tls/ticket_key.h);
 * 0 disables resumption. Client certificates are verified with --client-ca
 * anchors under webPkiLenient, purpose tlsClientAuth (tls_options.h).
 * SSLKEYLOGFILE, when set, receives NSS key log lines.
 */
#ifndef CAPTLS_PORT_POSIX_CMD_TLS_SERVER_H
#define CAPTLS_PORT_POSIX_CMD_TLS_SERVER_H

#define CAPTLS_CMD_TLS_SERVER_ARGS                                           \
    "--listen HOST:PORT (--cert CHAIN.pem | --store DIR --handle HANDLE) "   \
    "--key KEY.pem "                                                         \
    "[--client-ca CA.pem [--require-client-cert]] [--alpn LIST] "            \
    "[--suites LIST] [--groups LIST] (--echo | --www) [--port-file FILE] "   \
    "[--tickets N] [--key-update] [--max-conns N] [--record-size-limit N] "  \
    "[--handshake-timeout SECONDS] [--ocsp RESPONSE.der] [--quiet]"
#define CAPTLS_CMD_TLS_SERVER_SUMMARY                                        \
    "TLS 1.3 server (echo or a status page) on the captls engine"

/* argv[0] is "tls-server". Returns the exit status. */
int captls_cmd_tls_server(int argc, char **argv);

#endif
