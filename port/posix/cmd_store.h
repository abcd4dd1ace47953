/* port/posix/cmd_store.h — `captls store`, the operator's view of a
 * CertificateStore directory (core/store over posix_cert_store.h):
 *
 *   captls store --dir DIR [--audit FILE] put HANDLE CHAIN.pem [--bind]
 *   captls store --dir DIR get HANDLE
 *   captls store --dir DIR list
 *   captls store --dir DIR delete HANDLE
 *   captls store --dir DIR watch HANDLE
 *
 * put stores the chain (PEM, leaf first) as the next version of HANDLE
 * after checking it (every certificate parses; with --bind the entry is
 * bound to the leaf's key, and once bound every later chain must carry the
 * same key) and prints "HANDLE version N leaf SHA256". get prints the chain
 * as PEM, leaf first. list prints one handle per line. delete removes it.
 * watch prints one line per rotation event,
 *   HANDLE VERSION LEAF-SHA256 ROTATED-AT(ISO 8601 UTC)
 * (version 0 and leaf "-" for a deletion), until SIGINT/SIGTERM; it polls
 * the directory every 100 ms (another process writes it).
 * Every put and delete (and every refusal) is audited to DIR/audit.log
 * (or --audit FILE). Exit 0; 1 for a refused operation (unknown handle,
 * corrupted record, key mismatch, store being written by another process,
 * full disk) with "error: ..." on stderr; 2 for usage errors. */
#ifndef CAPTLS_PORT_POSIX_CMD_STORE_H
#define CAPTLS_PORT_POSIX_CMD_STORE_H

#define CAPTLS_CMD_STORE_ARGS                                                \
    "--dir DIR [--audit FILE] put HANDLE CHAIN.pem [--bind] | get HANDLE | " \
    "list | delete HANDLE | watch HANDLE"
#define CAPTLS_CMD_STORE_SUMMARY                                             \
    "certificate store: versioned chains under stable handles, watchable"

int captls_cmd_store(int argc, char **argv);

#endif
