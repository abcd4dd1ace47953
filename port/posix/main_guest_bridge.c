/* port/posix/main_guest_bridge.c — build/captls-guest-bridge: carries TCP
 * connections into the QEMU guest over its COM2 serial line.
 *
 *   captls-guest-bridge --listen HOST:PORT --guest SOCKET [--audit FILE]
 *                       [--store DIR] [--host-time]
 *
 * --guest is the UNIX socket QEMU serves for the guest's COM2:
 *   qemu-system-x86_64 ... -chardev socket,id=br,path=SOCKET,server=on,wait=off
 *                          -serial <COM1> -serial chardev:br
 * The bridge connects to it (and reconnects every 200 ms while it is
 * gone), accepts TCP connections on HOST:PORT (port 0: any; the port is
 * printed) and runs each as one stream of the shared protocol
 * (core/bridge/bridge_link.h, role HOST). --audit appends each audit line
 * the guest sends, one per line, flushed at once. --store gives the guest
 * a read-only view of a CertificateStore directory (`captls store --dir
 * DIR`): each GET the guest sends is answered with the file of that key
 * (keys are checked by the link: no path can be named), and a CHANGED
 * goes to the guest when the link comes up and whenever the directory
 * changes (the store renames each new record into place, which changes
 * the directory's mtime; checked every 250 ms), so a rotation pushed on
 * the host reaches the guest's gateway. The bridge never writes there.
 * --host-time sends the host's wall clock (CLOCK_REALTIME) when the link
 * comes up and every minute: the operator vouches for it, and the guest's
 * clock becomes trusted (its audit records say clock=trusted) instead of
 * the RTC's untrusted reading.
 *
 * Flow control: the bridge reads from a client only while the guest has
 * granted credit on that stream, and reads from the guest's stream only
 * after the client took the previous chunk, so a slow or stalled client
 * holds back its own stream only. TCP connections arriving while the
 * guest's link is down wait in the kernel's backlog. When the guest side
 * goes away every client connection is reset; the bridge itself keeps
 * running. When the bridge goes away the guest sees its streams reset and
 * keeps running until a bridge connects again.
 *
 *   captls-guest-bridge pack --chain F --key F --client-ca F
 *                            --client-map F --users F --out MODULE
 *   captls-guest-bridge check MODULE
 * pack writes the guest's configuration module (core/bridge/guest_config.h;
 * boot it with QEMU -initrd MODULE), after running the same checks the
 * guest runs at boot, so a bad set is refused on the host first; check
 * runs those checks on an existing module. Exit 0 ok, 1 refused (the
 * reason on stderr), 2 usage.
 *
 * stderr, one line per event: "bridge: listening on H:P",
 * "bridge: guest link up", "bridge: guest link down (...)",
 * "bridge: open N PEER", "bridge: close N WHY", and the link's refusal
 * counters when it goes down or the bridge stops (SIGINT/SIGTERM).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/bridge/bridge_link.h"
#include "core/bridge/guest_config.h"
#include "core/gateway/credential_store.h"

#define RECONNECT_NS 200000000ull
#define STORE_CHECK_NS 250000000ull
#define TIME_EVERY_NS 60000000000ull
#define OUTBUF CAPTLS_BRIDGE_WINDOW

typedef struct client {
    int fd; /* -1: unused */
    uint64_t serial;
    bool client_eof;   /* the client half-closed: SHUT sent */
    bool guest_eof;    /* the guest half-closed: shutdown(SHUT_WR) done */
    size_t out_off, out_len;
    uint8_t out[OUTBUF];
} client;

static captls_bridge_link link_state;
static client clients[CAPTLS_BRIDGE_MAX_STREAMS];
static volatile sig_atomic_t stop;
static FILE *audit_file;

/* --store: the answer being sent (one GET at a time: a new GET replaces
 * an unfinished answer, which the guest has given up on). */
static const char *store_dir;
static struct {
    bool pending, loaded;
    uint32_t request;
    char key[CAPTLS_BLOB_KEY_MAX + 1];
    uint32_t status, total, sent;
} answer;
static uint8_t answer_buf[CAPTLS_BRIDGE_BLOB_MAX];
static struct timespec store_mtime;
static bool changed_owed;
static uint64_t next_store_check;

/* --host-time */
static bool host_time;
static uint64_t next_time;

static void send_time(uint64_t t)
{
    struct timespec ts;
    if (!host_time || t < next_time)
        return;
    if (clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
        captls_bridge_time(&link_state, (int64_t)ts.tv_sec,
                           (uint32_t)ts.tv_nsec) == CAPTLS_OK)
        next_time = t + TIME_EVERY_NS;
}
static uint64_t serial;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void audit_line(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    if (audit_file == NULL)
        return;
    fwrite(line, 1, len, audit_file);
    fputc('\n', audit_file);
    fflush(audit_file);
}

static void blob_heard(void *ctx, uint32_t request, const char *key)
{
    (void)ctx;
    memset(&answer, 0, sizeof answer);
    answer.pending = true;
    answer.request = request;
    snprintf(answer.key, sizeof answer.key, "%s", key);
}

/* Reads DIR/KEY (the key is valid: no '/', no leading '.'); O_NOFOLLOW so
 * a link planted in the directory cannot point the guest elsewhere. */
static void answer_load(void)
{
    char path[4096];
    int fd;
    ssize_t r;
    answer.loaded = true;
    answer.status = CAPTLS_BRIDGE_BLOB_IO;
    if (store_dir == NULL) {
        answer.status = CAPTLS_BRIDGE_BLOB_NOT_FOUND;
        return;
    }
    snprintf(path, sizeof path, "%s/%s", store_dir, answer.key);
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            answer.status = CAPTLS_BRIDGE_BLOB_NOT_FOUND;
        return;
    }
    answer.total = 0;
    while ((r = read(fd, answer_buf + answer.total,
                     sizeof answer_buf - answer.total)) > 0)
        answer.total += (uint32_t)r;
    /* an error or a file larger than the protocol allows: IO */
    if (r == 0 && answer.total < sizeof answer_buf)
        answer.status = CAPTLS_BRIDGE_BLOB_OK;
    else
        answer.total = 0;
    close(fd);
}

/* Sends what fits of the current answer. */
static void answer_step(void)
{
    if (!answer.pending)
        return;
    if (!answer.loaded)
        answer_load();
    if (answer.status != CAPTLS_BRIDGE_BLOB_OK) {
        if (captls_bridge_blob_part(&link_state, answer.request, answer.status,
                                    0, 0, NULL, 0) != CAPTLS_WOULD_BLOCK)
            answer.pending = false;
        return;
    }
    do {
        uint32_t n = answer.total - answer.sent;
        if (n > CAPTLS_BRIDGE_BLOB_PART_MAX)
            n = CAPTLS_BRIDGE_BLOB_PART_MAX;
        captls_result r = captls_bridge_blob_part(
            &link_state, answer.request, CAPTLS_BRIDGE_BLOB_OK, answer.total,
            answer.sent, answer_buf + answer.sent, n);
        if (r == CAPTLS_WOULD_BLOCK)
            return;
        if (r != CAPTLS_OK) {
            answer.pending = false; /* the link went down */
            return;
        }
        answer.sent += n;
    } while (answer.sent < answer.total);
    answer.pending = false;
}

/* A CHANGED when the store directory's mtime moved (or one is owed to a
 * new session). */
static void store_watch(uint64_t t)
{
    struct stat st;
    if (store_dir == NULL)
        return;
    if (t >= next_store_check) {
        next_store_check = t + STORE_CHECK_NS;
        if (stat(store_dir, &st) == 0 &&
            (st.st_mtim.tv_sec != store_mtime.tv_sec ||
             st.st_mtim.tv_nsec != store_mtime.tv_nsec)) {
            store_mtime = st.st_mtim;
            changed_owed = true;
        }
    }
    if (changed_owed && captls_bridge_blob_changed(&link_state) == CAPTLS_OK)
        changed_owed = false;
}

static void print_counters(const char *when)
{
    const captls_bridge_counters *c = &link_state.counters;
    fprintf(stderr,
            "bridge: counters (%s): frames_in=%llu frames_out=%llu "
            "resync_bytes=%llu oversized=%llu bad_messages=%llu "
            "unknown_stream=%llu late_frames=%llu window_violations=%llu "
            "opens_refused=%llu sessions=%llu link_timeouts=%llu "
            "audit_lines=%llu blob_gets=%llu blob_refused=%llu\n",
            when, (unsigned long long)c->frames_in,
            (unsigned long long)c->frames_out,
            (unsigned long long)c->resync_bytes,
            (unsigned long long)c->oversized,
            (unsigned long long)c->bad_messages,
            (unsigned long long)c->unknown_stream,
            (unsigned long long)c->late_frames,
            (unsigned long long)c->window_violations,
            (unsigned long long)c->opens_refused,
            (unsigned long long)c->sessions,
            (unsigned long long)c->link_timeouts,
            (unsigned long long)c->audit_lines,
            (unsigned long long)c->blob_gets,
            (unsigned long long)c->blob_refused);
}

static int parse_hostport(const char *s, struct sockaddr_in *out)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    char *end;
    long port;
    size_t n;

    if (colon == NULL || (n = (size_t)(colon - s)) == 0 || n >= sizeof host)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0)
        strcpy(host, "127.0.0.1");
    port = strtol(colon + 1, &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
        return -1;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
        return -1;
    return 0;
}

static int guest_connect(const char *path)
{
    struct sockaddr_un a;
    int fd;

    if (strlen(path) >= sizeof a.sun_path)
        return -1;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    strcpy(a.sun_path, path);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Ends the client's TCP connection; `reset` sends an RST. */
static void client_drop(captls_bridge_handle h, bool reset, const char *why)
{
    client *c = &clients[h];
    if (c->fd < 0)
        return;
    if (reset) {
        struct linger lg = {1, 0};
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(c->fd);
    c->fd = -1;
    fprintf(stderr, "bridge: close %llu %s\n", (unsigned long long)c->serial,
            why);
}

static void client_end(captls_bridge_handle h, captls_bridge_close_reason r,
                       bool reset, const char *why)
{
    captls_result cr = captls_bridge_close(&link_state, h, r);
    (void)cr; /* a live handle: cannot fail */
    client_drop(h, reset, why);
}

static void drop_all_clients(const char *why)
{
    for (captls_bridge_handle h = 0; h < (captls_bridge_handle)CAPTLS_BRIDGE_MAX_STREAMS; h++) {
        if (clients[h].fd >= 0)
            client_end(h, CAPTLS_BRIDGE_CLOSE_RESET, true, why);
    }
}

static void accept_clients(int lfd)
{
    for (;;) {
        struct sockaddr_in a;
        socklen_t alen = sizeof a;
        char peer[CAPTLS_BRIDGE_PEER_MAX + 1], ip[INET_ADDRSTRLEN];
        captls_bridge_handle h;
        int one = 1;
        int fd = accept4(lfd, (struct sockaddr *)&a, &alen,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
        snprintf(peer, sizeof peer, "%s:%u", ip, ntohs(a.sin_port));
        if (captls_bridge_open(&link_state, peer, &h) != CAPTLS_OK) {
            struct linger lg = {1, 0};
            (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
            close(fd);
            fprintf(stderr, "bridge: refused %s (no stream slot)\n", peer);
            continue;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        memset(&clients[h], 0, sizeof clients[h]);
        clients[h].fd = fd;
        clients[h].serial = ++serial;
        fprintf(stderr, "bridge: open %llu %s\n",
                (unsigned long long)serial, peer);
    }
}

/* Moves what can move for one client, both ways. */
static void client_step(captls_bridge_handle h)
{
    client *c = &clients[h];
    uint8_t buf[CAPTLS_BRIDGE_MAX_DATA];

    /* guest -> client */
    for (;;) {
        if (c->out_off < c->out_len) {
            ssize_t w = send(c->fd, c->out + c->out_off,
                             c->out_len - c->out_off, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    break;
                client_end(h, CAPTLS_BRIDGE_CLOSE_RESET, true, "client-error");
                return;
            }
            c->out_off += (size_t)w;
            continue;
        }
        size_t got = 0;
        captls_result r = captls_bridge_read(&link_state, h, c->out,
                                             sizeof c->out, &got);
        if (r == CAPTLS_OK) {
            c->out_off = 0;
            c->out_len = got;
            continue;
        }
        if (r == CAPTLS_EOF) {
            if (captls_bridge_peer_closed(&link_state, h, NULL)) {
                client_end(h, CAPTLS_BRIDGE_CLOSE_NORMAL, false, "guest-closed");
                return;
            }
            if (!c->guest_eof) {
                (void)shutdown(c->fd, SHUT_WR);
                c->guest_eof = true;
            }
        } else if (r == CAPTLS_ERR_CONN_RESET) {
            client_end(h, CAPTLS_BRIDGE_CLOSE_RESET, true, "guest-reset");
            return;
        }
        break;
    }
    /* client -> guest, within the stream's credit */
    while (!c->client_eof) {
        size_t room = captls_bridge_writable(&link_state, h), put = 0;
        ssize_t n;
        if (room == 0)
            break;
        if (room > sizeof buf)
            room = sizeof buf;
        n = recv(c->fd, buf, room, 0);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            client_end(h, CAPTLS_BRIDGE_CLOSE_RESET, false, "client-reset");
            return;
        }
        if (n == 0) {
            captls_result sr = captls_bridge_shutdown(&link_state, h);
            (void)sr; /* a live handle: cannot fail */
            c->client_eof = true;
            break;
        }
        /* room was checked: the whole chunk fits */
        if (captls_bridge_write(&link_state, h, buf, (size_t)n, &put) !=
                CAPTLS_OK ||
            put != (size_t)n) {
            client_end(h, CAPTLS_BRIDGE_CLOSE_RESET, true, "internal");
            return;
        }
    }
    if (c->client_eof && c->guest_eof && c->out_off == c->out_len)
        client_end(h, CAPTLS_BRIDGE_CLOSE_NORMAL, false, "done");
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        n > (long)CAPTLS_GUEST_CONFIG_MAX || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static captls_result host_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        size_t n = len > 256 ? 256 : len;
        if (getentropy(out, n) != 0)
            return CAPTLS_ERR_ENTROPY_FAILURE;
        out += n;
        len -= n;
    }
    return CAPTLS_OK;
}

static int check_module(const uint8_t *m, size_t len)
{
    static captls_guest_config_work work;
    captls_guest_config cfg;
    captls_entropy e = {NULL, host_entropy};
    const char *why = "";
    if (captls_guest_config_parse(m, len, &cfg, &why) != CAPTLS_OK ||
        captls_guest_config_check(&cfg, e, CAPTLS_CRED_MIN_ITERATIONS, &work,
                                  &why) != CAPTLS_OK) {
        fprintf(stderr, "%s\n", why);
        return 1;
    }
    fprintf(stderr, "config: ok (chain %zu certs, client CA %zu, client map %zu, users %zu)\n",
            work.nchain, work.nca, work.nmap, work.nusers);
    return 0;
}

static int cmd_pack(int argc, char **argv)
{
    static const char *const opts[CAPTLS_GUEST_CONFIG_PARTS] = {
        "--chain", "--key", "--client-ca", "--client-map", "--users"};
    const char *paths[CAPTLS_GUEST_CONFIG_PARTS] = {0};
    const uint8_t *parts[CAPTLS_GUEST_CONFIG_PARTS] = {0};
    size_t lens[CAPTLS_GUEST_CONFIG_PARTS] = {0}, len = 0;
    const char *outp = NULL;
    static uint8_t out[CAPTLS_GUEST_CONFIG_MAX];
    FILE *f;
    int rc;

    for (int i = 2; i < argc; i++) {
        bool known = false;
        for (unsigned k = 0; k < CAPTLS_GUEST_CONFIG_PARTS; k++) {
            if (strcmp(argv[i], opts[k]) == 0 && i + 1 < argc) {
                paths[k] = argv[++i];
                known = true;
            }
        }
        if (!known && strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            outp = argv[++i];
            known = true;
        }
        if (!known) {
            fprintf(stderr, "pack: unknown argument '%s'\n", argv[i]);
            return 2;
        }
    }
    for (unsigned k = 0; k < CAPTLS_GUEST_CONFIG_PARTS; k++) {
        if (paths[k] == NULL || outp == NULL) {
            fprintf(stderr, "usage: captls-guest-bridge pack --chain F --key F "
                            "--client-ca F --client-map F --users F --out MODULE\n");
            return 2;
        }
        if ((parts[k] = slurp(paths[k], &lens[k])) == NULL) {
            fprintf(stderr, "pack: cannot read %s\n", paths[k]);
            return 1;
        }
    }
    if (captls_guest_config_encode(parts, lens, out, sizeof out, &len) != CAPTLS_OK) {
        fprintf(stderr, "pack: a part is empty or too large (1..%u bytes each, %u in all)\n",
                CAPTLS_GUEST_CONFIG_PART_MAX, CAPTLS_GUEST_CONFIG_MAX);
        return 1;
    }
    if ((rc = check_module(out, len)) != 0)
        return rc;
    f = fopen(outp, "wb");
    if (f == NULL || fwrite(out, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "pack: cannot write %s\n", outp);
        return 1;
    }
    fprintf(stderr, "pack: wrote %s (%zu bytes)\n", outp, len);
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: captls-guest-bridge --listen HOST:PORT "
                    "--guest SOCKET [--audit FILE] [--store DIR] "
                    "[--host-time]\n");
}

int main(int argc, char **argv)
{
    const char *listen_s = NULL, *guest_path = NULL, *audit_path = NULL;
    struct sockaddr_in la;
    socklen_t lalen = sizeof la;
    int lfd, gfd = -1, one = 1;
    uint64_t next_connect = 0;
    uint32_t epoch;
    struct sigaction sa;

    if (argc >= 2 && strcmp(argv[1], "pack") == 0)
        return cmd_pack(argc, argv);
    if (argc == 3 && strcmp(argv[1], "check") == 0) {
        size_t len = 0;
        uint8_t *m = slurp(argv[2], &len);
        if (m == NULL) {
            fprintf(stderr, "check: cannot read %s\n", argv[2]);
            return 1;
        }
        return check_module(m, len);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen_s = argv[++i];
        else if (strcmp(argv[i], "--guest") == 0 && i + 1 < argc)
            guest_path = argv[++i];
        else if (strcmp(argv[i], "--audit") == 0 && i + 1 < argc)
            audit_path = argv[++i];
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            store_dir = argv[++i];
        else if (strcmp(argv[i], "--host-time") == 0)
            host_time = true;
        else {
            usage();
            return 2;
        }
    }
    if (listen_s == NULL || guest_path == NULL || parse_hostport(listen_s, &la) != 0) {
        usage();
        return 2;
    }
    if (store_dir != NULL) {
        struct stat st;
        if (stat(store_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "bridge: --store %s: not a directory\n",
                    store_dir);
            return 1;
        }
    }
    if (audit_path != NULL && (audit_file = fopen(audit_path, "a")) == NULL) {
        fprintf(stderr, "bridge: cannot open %s: %s\n", audit_path,
                strerror(errno));
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&la, sizeof la) != 0 || listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&la, &lalen) != 0) {
        fprintf(stderr, "bridge: cannot listen on %s: %s\n", listen_s,
                strerror(errno));
        return 1;
    }
    {
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &la.sin_addr, ip, sizeof ip);
        fprintf(stderr, "bridge: listening on %s:%u\n", ip, ntohs(la.sin_port));
    }
    if (getentropy(&epoch, sizeof epoch) != 0 || epoch == 0)
        epoch = (uint32_t)now_ns() | 1u;
    if (captls_bridge_init(&link_state, CAPTLS_BRIDGE_HOST, epoch, now_ns()) !=
        CAPTLS_OK)
        return 1;
    link_state.audit_fn = audit_line;
    link_state.blob_fn = blob_heard;
    for (size_t i = 0; i < CAPTLS_BRIDGE_MAX_STREAMS; i++)
        clients[i].fd = -1;

    bool was_up = false;
    while (!stop) {
        struct pollfd pf[2 + CAPTLS_BRIDGE_MAX_STREAMS];
        captls_bridge_handle who[2 + CAPTLS_BRIDGE_MAX_STREAMS];
        nfds_t n = 0;
        uint64_t t = now_ns();
        size_t txn;
        bool up;

        if (gfd < 0 && t >= next_connect) {
            gfd = guest_connect(guest_path);
            next_connect = t + RECONNECT_NS;
            if (gfd >= 0) {
                fprintf(stderr, "bridge: guest socket connected\n");
                captls_bridge_transport_up(&link_state, t);
            }
        }
        captls_bridge_tick(&link_state, t);
        up = captls_bridge_is_up(&link_state);
        if (up != was_up) {
            fprintf(stderr, up ? "bridge: guest link up\n"
                               : "bridge: guest link down\n");
            if (!up)
                print_counters("link down");
            else {
                changed_owed = true; /* the guest reloads what it follows */
                next_time = 0;       /* and hears the time at once */
            }
            answer.pending = false;
            was_up = up;
        }
        if (up) {
            send_time(t);
            store_watch(t);
            answer_step();
        }
        for (captls_bridge_handle h = 0; h < (captls_bridge_handle)CAPTLS_BRIDGE_MAX_STREAMS; h++) {
            if (clients[h].fd >= 0)
                client_step(h);
        }
        captls_bridge_tick(&link_state, t);
        /* guest link: write what the ring holds */
        while (gfd >= 0) {
            const uint8_t *p = captls_bridge_tx_peek(&link_state, &txn);
            ssize_t w;
            if (txn == 0)
                break;
            w = send(gfd, p, txn, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    close(gfd);
                    gfd = -1;
                    captls_bridge_transport_down(&link_state);
                    drop_all_clients("guest-gone");
                }
                break;
            }
            captls_bridge_tx_consume(&link_state, (size_t)w);
        }

        if (gfd >= 0) {
            (void)captls_bridge_tx_peek(&link_state, &txn);
            pf[n].fd = gfd;
            pf[n].events = POLLIN | (txn > 0 ? POLLOUT : 0);
            who[n++] = -1;
        }
        if (captls_bridge_is_up(&link_state)) {
            pf[n].fd = lfd;
            pf[n].events = POLLIN;
            who[n++] = -2;
        }
        for (captls_bridge_handle h = 0; h < (captls_bridge_handle)CAPTLS_BRIDGE_MAX_STREAMS; h++) {
            client *c = &clients[h];
            short ev = 0;
            if (c->fd < 0)
                continue;
            if (!c->client_eof && captls_bridge_writable(&link_state, h) > 0)
                ev |= POLLIN;
            if (c->out_off < c->out_len)
                ev |= POLLOUT;
            pf[n].fd = c->fd;
            pf[n].events = ev;
            who[n++] = h;
        }
        if (poll(pf, n, 50) < 0 && errno != EINTR)
            break;
        t = now_ns();
        for (nfds_t i = 0; i < n; i++) {
            if (pf[i].revents == 0)
                continue;
            if (who[i] == -1) {
                uint8_t buf[65536];
                ssize_t r = recv(gfd, buf, sizeof buf, 0);
                if (r > 0) {
                    captls_bridge_feed(&link_state, buf, (size_t)r, t);
                } else if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                    fprintf(stderr, "bridge: guest socket closed\n");
                    close(gfd);
                    gfd = -1;
                    next_connect = t + RECONNECT_NS;
                    captls_bridge_transport_down(&link_state);
                    drop_all_clients("guest-gone");
                }
            } else if (who[i] == -2) {
                accept_clients(lfd);
            }
        }
    }
    drop_all_clients("bridge-stopping");
    print_counters("exit");
    if (gfd >= 0)
        close(gfd);
    close(lfd);
    if (audit_file != NULL)
        fclose(audit_file);
    return 0;
}
