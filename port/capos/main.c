/* port/capos/main.c — the guest kernel's main: console, CPU checks, POST.
 *
 * Boot order: COM1 and the exception handlers first (so anything after can
 * report), then the multiboot command line, the CPU feature checks, the
 * port (timer calibration, entropy, RTC), and the POST: the core's
 * known-answer tests (captls_selftest_all) followed by the guest's own
 * (post.c). Console protocol, one line each, relied on by ci/qemu-test.sh
 * and pytests/test_guest.py:
 *
 *   POST: <case> ok | POST: <case> FAIL     one per case, in order
 *   POST: <N> passed, <M> failed            last line before the exit
 *
 * then isa-debug-exit with CAPOS_EXIT_PASS (M == 0) or CAPOS_EXIT_FAIL
 * (trap.h: QEMU exit status 33 / 35).
 *
 * Command line switches (QEMU -append, whitespace-separated tokens):
 *   post=hang  print the banner, then halt forever without a result, so
 *              the harness's timeout path can be tested;
 *   post=fail  add one deliberately failing POST case;
 *   serve=echo after a passing POST, do not exit: bring up COM2 and the
 *              bridge link (guest_net.h) and run the echo service
 *              (guest_echo.h) for ever. Console lines, in order:
 *              "serve: echo listening at <ms> ms from kernel entry",
 *              "bridge: up" / "bridge: down" as the host bridge comes and
 *              goes, "echo: open <n> <peer>", "echo: close <n> <why>".
 *              A failed POST still exits: nothing serves on a guest whose
 *              self-tests failed.
 *   serve=telnets  the same, then the telnets gateway (guest_telnets.h)
 *              on the configuration module's identity, client CA, client
 *              map and users (the module is required); console
 *              "telnets: listening on port 992 (auth A, profile P) at <ms>
 *              ms from kernel entry", then "telnets: <connection story>".
 *              auth=mtls (default) | mtls-or-password | password and
 *              profile=production (default) | dev choose the gateway's
 *              authentication and deploy profile, as captls-telnetsd's
 *              --auth and --profile do. store=HANDLE makes the chain
 *              follow that CertificateStore entry of the bridge's
 *              --store directory (rotations pushed on the host).
 *   config=required  with serve=: refuse to listen unless the first
 *              multiboot module (QEMU -initrd) is a configuration module
 *              (core/bridge/guest_config.h) that parses and checks; a
 *              module given without this switch is checked all the same.
 *              The console says "config: ok" or the exact reason, then
 *              "serve: not listening (configuration refused)" and the
 *              guest halts without listening (fail closed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/base/ct.h"
#include "core/base/selftest.h"
#include "core/bridge/guest_config.h"
#include "core/keys/key_vault.h"
#include "core/store/cert_record.h"
#include "port/capos/arena.h"
#include "port/capos/capos_port.h"
#include "port/capos/console.h"
#include "port/capos/com2.h"
#include "port/capos/cpu.h"
#include "port/capos/guest_echo.h"
#include "port/capos/guest_net.h"
#include "port/capos/guest_telnets.h"
#include "port/capos/irq.h"
#include "port/capos/post.h"
#include "port/capos/trap.h"

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MB_INFO_MEMORY (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MODS (1u << 3)
#define CMDLINE_MAX 1024
#define STACK_PAINT 0xA5
#define STACK_PAINT_MARGIN 512 /* keep clear of main's own live frame */

/* The fields of the multiboot-1 information structure the guest reads. */
typedef struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower; /* KiB below 1 MiB */
    uint32_t mem_upper; /* KiB above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline; /* physical address of a NUL-terminated string */
    uint32_t mods_count;
    uint32_t mods_addr; /* physical address of mods_count module entries */
} multiboot_info;

typedef struct multiboot_module {
    uint32_t mod_start, mod_end, string, reserved;
} multiboot_module;

/* From boot.S. */
extern uint8_t boot_stack_bottom[], boot_stack_top[];

void capos_main(uint32_t magic, uint32_t info_addr);

/* Guest working memory for services that come after the POST (connection
 * contexts and record buffers); bss, so it costs no image bytes. */
static uint8_t guest_heap[1u << 20] __attribute__((aligned(4096)));
static capos_arena guest_arena;

static capos_port_state port_state;
static captls_port port;
static capos_guest_net guest_net;
static const multiboot_info *boot_mbi;

/* The configuration module's check and the KeyVault it fills. */
static captls_guest_config_work config_work;
static captls_cap_slot vault_slots[8];
static captls_cap_table vault_caps;
static captls_vault_key vault_keys[2];
static captls_key_vault vault;
static captls_guest_config config;
static captls_cap_handle config_key; /* the leaf's PrivateKey, purpose tls */
#define VAULT_OWNER 1
#define TELNETS_PORT 992

/* The first whitespace-separated token of cmdline that is `word` (exact)
 * or starts with it (prefix); its length in *len. NULL if none. */
static const char *cmdline_token(const char *cmdline, const char *word,
                                 bool prefix, size_t *len)
{
    size_t wlen = strlen(word);
    const char *p = cmdline;

    while (*p != '\0') {
        size_t n = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        while (p[n] != '\0' && p[n] != ' ' && p[n] != '\t')
            n++;
        if (n != 0 && (prefix ? n > wlen : n == wlen) &&
            memcmp(p, word, wlen) == 0) {
            *len = n;
            return p;
        }
        p += n;
    }
    return NULL;
}

/* Whole-token match, so "post=failure" or "xpost=fail" do not count. */
static bool cmdline_has(const char *cmdline, const char *token)
{
    size_t n;
    return cmdline_token(cmdline, token, false, &n) != NULL;
}

static const char *boot_cmdline = "";

/* The value of a "name=value" token (name given with its '='), copied
 * into out (at most cap - 1 bytes); NULL when absent or too long. */
static const char *cmdline_value(const char *cmdline, const char *name,
                                 char *out, size_t cap)
{
    size_t n, nlen = strlen(name);
    const char *t = cmdline_token(cmdline, name, true, &n);
    if (t == NULL || n - nlen >= cap)
        return NULL;
    memcpy(out, t + nlen, n - nlen);
    out[n - nlen] = '\0';
    return out;
}

static bool store_changed(void *ctx)
{
    return capos_guest_net_store_changed(ctx);
}

static void post_line(void *ctx, const char *name, bool passed)
{
    (void)ctx;
    capos_console_puts("POST: ");
    capos_console_puts(name);
    capos_console_puts(passed ? " ok\n" : " FAIL\n");
}

static void print_cpu(bool *sse2_ok)
{
    capos_cpuid_regs v = capos_cpuid(0, 0);
    capos_cpuid_regs f = capos_cpuid(1, 0);
    char vendor[13];
    bool rdseed = capos_cpuid_max(0) >= 7 &&
                  (capos_cpuid(7, 0).ebx & (1u << 18)) != 0;

    memcpy(vendor, &v.ebx, 4);
    memcpy(vendor + 4, &v.edx, 4);
    memcpy(vendor + 8, &v.ecx, 4);
    vendor[12] = '\0';
    *sse2_ok = (f.edx & (1u << 26)) != 0;
    capos_console_puts("cpu: ");
    capos_console_puts(vendor);
    capos_console_puts(*sse2_ok ? " sse2" : " no-sse2");
    capos_console_puts((f.ecx & (1u << 30)) ? " rdrand" : " no-rdrand");
    capos_console_puts(rdseed ? " rdseed" : " no-rdseed");
    capos_console_puts((f.ecx & (1u << 25)) ? " aesni" : " no-aesni");
    capos_console_puts((f.ecx & (1u << 1)) ? " pclmul" : " no-pclmul");
    capos_console_puts("\n");
}

/* Paint the unused part of the boot stack so the POST's deepest use can
 * be measured afterwards (the guest's stacks are small by design). */
static void paint_stack(void)
{
    uint8_t *limit = (uint8_t *)__builtin_frame_address(0) -
                     STACK_PAINT_MARGIN;
    memset(boot_stack_bottom, STACK_PAINT,
           (size_t)(limit - boot_stack_bottom));
}

static size_t stack_used(void)
{
    const uint8_t *p = boot_stack_bottom;
    while (p < boot_stack_top && *p == STACK_PAINT)
        p++;
    return (size_t)(boot_stack_top - p);
}

static void echo_log(const char *what, uint64_t n, const char *detail)
{
    capos_console_puts("echo: ");
    capos_console_puts(what);
    capos_console_puts(" ");
    capos_console_put_u64(n);
    if (detail[0] != '\0') {
        capos_console_puts(" ");
        capos_console_puts(detail);
    }
    capos_console_puts("\n");
}

static const char *echo_peer(void *ctx, captls_stream_id s)
{
    return capos_guest_net_peer(ctx, s);
}

/* The first multiboot module (QEMU -initrd), or NULL. */
static uint8_t *config_module(size_t *len)
{
    const multiboot_module *m;
    if (boot_mbi == NULL || (boot_mbi->flags & MB_INFO_MODS) == 0 ||
        boot_mbi->mods_count == 0 || boot_mbi->mods_addr == 0)
        return NULL;
    m = (const multiboot_module *)(uintptr_t)boot_mbi->mods_addr;
    if (m->mod_end <= m->mod_start)
        return NULL;
    *len = m->mod_end - m->mod_start;
    return (uint8_t *)(uintptr_t)m->mod_start;
}

/* Parses and checks the configuration module, imports its key into the
 * KeyVault and wipes the module's copy. On failure *why says exactly
 * what is wrong; nothing is kept. */
static captls_result load_config(const char **why)
{
    size_t len = 0;
    uint8_t *mod = config_module(&len);
    captls_guest_config *cfg = &config;
    captls_cap_handle vh;
    captls_result r;

    CAPTLS_TRY(captls_guest_config_parse(mod, len, cfg, why));
    r = captls_guest_config_check(cfg, port.entropy,
                                  CAPTLS_CRED_MIN_ITERATIONS, &config_work,
                                  why);
    if (r == CAPTLS_OK) {
        *why = "config: key: KeyVault refused the import";
        r = captls_cap_table_init(&vault_caps, vault_slots, 8);
        if (r == CAPTLS_OK)
            r = captls_key_vault_init(&vault, &vault_caps, VAULT_OWNER,
                                      vault_keys, 2, port.entropy,
                                      CAPTLS_KEY_PROFILE_DEVELOPMENT,
                                      port.clock, (captls_audit_sink){0});
        if (r == CAPTLS_OK)
            r = captls_key_vault_mint(&vault, VAULT_OWNER, CAPTLS_RIGHTS_ALL,
                                      &vh);
        if (r == CAPTLS_OK)
            r = captls_key_vault_import_dev(
                &vault, VAULT_OWNER, vh, cfg->part[CAPTLS_GC_KEY - 1],
                cfg->part_len[CAPTLS_GC_KEY - 1], CAPTLS_KEY_PURPOSE_TLS,
                "gateway-tls", config_work.scratch,
                sizeof config_work.scratch, &config_key);
        if (r == CAPTLS_OK)
            *why = "config: ok";
    }
    /* The module's key bytes go whatever happened: the vault holds the
     * only copy from here on (or none). */
    captls_guest_config_wipe_key(mod, cfg);
    return r;
}

static uint64_t tsc_at_entry;

static uint64_t ms_since_entry(void)
{
    return (uint64_t)(((unsigned __int128)(capos_rdtsc() - tsc_at_entry) *
                       port_state.timer.ns_mult) >>
                      32) /
           1000000u;
}

static captls_gateway_auth telnets_auth(void)
{
    if (cmdline_has(boot_cmdline, "auth=mtls-or-password"))
        return CAPTLS_GATEWAY_AUTH_MTLS_OR_PASSWORD;
    if (cmdline_has(boot_cmdline, "auth=password"))
        return CAPTLS_GATEWAY_AUTH_PASSWORD;
    return CAPTLS_GATEWAY_AUTH_MTLS;
}

/* After a passing POST with serve=echo or serve=telnets: interrupts,
 * COM2, the bridge link as the port's net and audit capabilities, then
 * the service. */
static __attribute__((noreturn)) void serve(bool telnets)
{
    uint32_t epoch = 0;

    if (port.clock.monotonic_ns == NULL)
        capos_panic("serve: no monotonic clock");
    if (port.entropy.fill(port.entropy.ctx, (uint8_t *)&epoch,
                          sizeof epoch) != CAPTLS_OK)
        capos_panic("serve: no entropy for the link epoch");
    if (telnets || cmdline_has(boot_cmdline, "config=required") ||
        config_module(&(size_t){0}) != NULL) {
        const char *why = "config: ?";
        captls_result r = load_config(&why);
        capos_console_puts(why);
        capos_console_puts("\n");
        if (r != CAPTLS_OK) {
            /* Fail closed: no listener, and the console said why. */
            capos_console_puts("serve: not listening (configuration refused)\n");
            capos_halt_forever();
        }
        capos_console_puts("config: chain ");
        capos_console_put_u64(config_work.nchain);
        capos_console_puts(" certs, client CA ");
        capos_console_put_u64(config_work.nca);
        capos_console_puts(", client map ");
        capos_console_put_u64(config_work.nmap);
        capos_console_puts(", users ");
        capos_console_put_u64(config_work.nusers);
        capos_console_puts(", key in KeyVault, module copy wiped\n");
    }
    capos_irq_init();
    capos_com2_init();
    if (capos_guest_net_init(&guest_net, &port.clock, epoch, &port.net,
                             &port.audit) != CAPTLS_OK)
        capos_panic("serve: guest net init");
    capos_irq_enable();
    /* the bridge's host time, when it sends it, over the RTC */
    capos_guest_net_clock(&guest_net, &port.clock);
    if (telnets) {
        capos_telnets_setup ts = {
            .port = &port,
            .auth = telnets_auth(),
            .deploy = cmdline_has(boot_cmdline, "profile=dev")
                          ? CAPTLS_DEPLOY_DEV
                          : CAPTLS_DEPLOY_PRODUCTION,
            .cfg = &config,
            .work = &config_work,
            .vault = &vault,
            .vault_owner = VAULT_OWNER,
            .key = config_key,
            .listen_port = TELNETS_PORT,
            .stack_used = stack_used,
            .stack_size = (size_t)(boot_stack_top - boot_stack_bottom),
        };
        static char handle[CAPTLS_CERT_HANDLE_MAX];
        ts.store_handle = cmdline_value(boot_cmdline, "store=", handle,
                                        sizeof handle);
        if (ts.store_handle != NULL) {
            if (!captls_cert_handle_valid(ts.store_handle)) {
                capos_console_puts("telnets: not listening: store=: not a "
                                   "valid store handle\n");
                capos_halt_forever();
            }
            capos_guest_net_blob_store(&guest_net, &ts.store);
            ts.store_changed = store_changed;
            ts.store_ctx = &guest_net;
        }
        capos_guest_telnets_serve(&ts, ms_since_entry);
    }
    capos_console_puts("serve: echo listening at ");
    capos_console_put_u64(ms_since_entry());
    capos_console_puts(" ms from kernel entry\n");
    capos_guest_echo_serve(&port.net, 7, echo_log, echo_peer, &guest_net);
}

void capos_main(uint32_t magic, uint32_t info_addr)
{
    uint64_t tsc_entry = capos_rdtsc();
    const multiboot_info *mbi = NULL;
    const char *cmdline = "";
    captls_selftest_report report = {NULL, post_line};
    captls_selftest_counts counts = {0, 0};
    bool sse2_ok, want_fail;
    uint64_t post_ns;

    capos_console_init();
    capos_trap_init();
    capos_console_puts("\ncaptls guest: booting\n");

    if (magic == MULTIBOOT_BOOTLOADER_MAGIC && info_addr != 0) {
        mbi = (const multiboot_info *)(uintptr_t)info_addr;
        if ((mbi->flags & MB_INFO_CMDLINE) && mbi->cmdline != 0 &&
            strnlen((const char *)(uintptr_t)mbi->cmdline, CMDLINE_MAX) <
                CMDLINE_MAX)
            cmdline = (const char *)(uintptr_t)mbi->cmdline;
    } else {
        capos_console_puts("boot: not started by a multiboot loader\n");
    }
    boot_mbi = mbi;
    boot_cmdline = cmdline;
    capos_console_puts("cmdline: ");
    capos_console_puts(cmdline);
    capos_console_puts("\n");
    if (mbi != NULL && (mbi->flags & MB_INFO_MEMORY)) {
        capos_console_puts("memory: ");
        capos_console_put_u64(mbi->mem_upper / 1024u + 1u);
        capos_console_puts(" MiB\n");
    }

    print_cpu(&sse2_ok);
    /* x86_64 makes SSE2 architectural and compiled code has used it since
     * boot.S enabled it; this only catches a broken or odd CPU model. */
    if (!sse2_ok)
        capos_panic("CPU lacks SSE2");

    if (cmdline_has(cmdline, "post=hang")) {
        capos_console_puts("post=hang: halting on purpose, no POST result "
                           "will follow\n");
        capos_halt_forever();
    }
    want_fail = cmdline_has(cmdline, "post=fail");

    paint_stack();
    if (capos_port_init(&port_state, &port) != CAPTLS_OK)
        capos_console_puts("port: incomplete (see POST)\n");
    if (capos_arena_init(&guest_arena, guest_heap, sizeof guest_heap) !=
        CAPTLS_OK)
        capos_panic("arena init");
    if (port_state.timer_status == CAPTLS_OK) {
        capos_console_puts("timer: tsc ");
        capos_console_put_u64(port_state.timer.tsc_hz / 1000000u);
        capos_console_puts(" MHz\n");
    }

    captls_selftest_all(&report, &counts);
    capos_post_guest(&report, &counts, &port, &port_state, want_fail);

    if (port_state.timer_status == CAPTLS_OK) {
        /* From capos_main's first instruction; excludes firmware and the
         * QEMU loader, which the host-side harness measures. */
        post_ns = (uint64_t)(((unsigned __int128)(capos_rdtsc() -
                                                  tsc_entry) *
                              port_state.timer.ns_mult) >>
                             32);
        capos_console_puts("post: ");
        capos_console_put_u64(post_ns / 1000000u);
        capos_console_puts(" ms from kernel entry\n");
    }
    capos_console_puts("post: stack high-water ");
    capos_console_put_u64(stack_used());
    capos_console_puts(" of ");
    capos_console_put_u64((uint64_t)(boot_stack_top - boot_stack_bottom));
    capos_console_puts(" bytes\n");

    capos_console_puts("POST: ");
    capos_console_put_u64(counts.passed);
    capos_console_puts(" passed, ");
    capos_console_put_u64(counts.failed);
    capos_console_puts(" failed\n");
    tsc_at_entry = tsc_entry;
    if (counts.failed == 0 && cmdline_has(cmdline, "serve=telnets"))
        serve(true);
    if (counts.failed == 0 && cmdline_has(cmdline, "serve=echo"))
        serve(false);
    capos_exit(counts.failed == 0 ? CAPOS_EXIT_PASS : CAPOS_EXIT_FAIL);
}
