#!/usr/bin/env python3
"""Load bench of captls-telnetsd (issue 12 item 10), for `make bench`.

Runs on 127.0.0.1 against a gateway it starts itself (development PKI made
with openssl in a temporary directory, as pytests/telnetsd_harness.py
does):
  1. N sequential mTLS sessions (Python ssl, client certificate `alice`
     mapped by subject): connect, handshake, greeting and prompt, `exit`,
     wait for the close. Reports connections per second and the login
     latency (connect to first prompt) p50/p99/max.
  2. P sequential password logins (PBKDF2 at the users file's iteration
     count): login latency p50/p99 (connect to prompt after "Password:").
  3. M concurrent sessions held open at once, then all `exit`. Reports the
     gateway's RSS while they are open and its high-water mark (VmHWM).
Afterwards the gateway must be back to its baseline: stats live=0,
buffers_out=0/0/0, caps_live as at start, the same number of open file
descriptors, RSS within a small slack; otherwise the exit status is 1.

Memory per session = the per-slot cost paid at start for --max-conns
(idle RSS of a gateway with M+20 slots minus one with 1 slot, per slot:
slots, poll items and cap-table entries are allocated up front) + the
RSS growth while the M sessions are open (record buffers, allocator), per
session.

Usage: ci/bench_telnets.py [--sequential N] [--concurrent M]
       [--password P] [--quick] [--json FILE]
Binaries: $CAPTLS_BUILD_DIR (default build/), or $CAPTLS_TELNETSD and
$CAPTLS (see pytests/telnetsd_harness.py).
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pytests"))
import telnetsd_harness as h  # noqa: E402

PROMPT = r"{}@captls\$ "
RSS_SLACK_KB = 2048


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    i = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[i]


def vm_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def mtls_session(port, ctx):
    t0 = time.perf_counter()
    c = h.Client.tls(port, ctx)
    c.expect(PROMPT.format("alice"))
    t1 = time.perf_counter()
    c.logout()
    return t1 - t0


def password_session(port, ctx):
    t0 = time.perf_counter()
    c = h.Client.tls(port, ctx)
    c.expect("login: ")
    c.line("carol")
    c.expect("Password: ")
    c.line(h.PASSWORDS["carol"])
    c.expect(PROMPT.format("carol"))
    t1 = time.perf_counter()
    c.logout()
    return t1 - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sequential", type=int, default=10000)
    ap.add_argument("--concurrent", type=int, default=500)
    ap.add_argument("--password", type=int, default=100)
    ap.add_argument("--quick", action="store_true",
                    help="2,000 sequential, 200 concurrent, 20 password")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    if a.quick:
        a.sequential, a.concurrent, a.password = 2000, 200, 20
    for b in (h.TELNETSD, h.CAPTLS):
        if not b.exists():
            sys.exit(f"bench_telnets: {b} is not built")
    ok = True
    with tempfile.TemporaryDirectory(prefix="captls-bench-telnets-") as d:
        d = Path(d)
        pki = h.Pki(d / "pki")
        slots = a.concurrent + 20
        small = h.Gateway(pki, d / "w", quiet=True, audit=False,
                          extra=["--max-conns", "1"])
        rss_small = small.rss_kb()
        small.stop()
        g = h.Gateway(pki, d / "w", quiet=True, audit=False,
                      extra=["--max-conns", str(slots),
                             "--max-pending-per-source", str(slots)])
        try:
            rss_idle_cold = g.rss_kb()
            ctx = h.tls_context(pki, "alice")
            pctx = h.tls_context(pki)
            for _ in range(20):
                mtls_session(g.port, ctx)
            g.wait_idle()
            fds0, rss0 = g.fds(), g.rss_kb()

            lat = []
            t0 = time.perf_counter()
            for _ in range(a.sequential):
                lat.append(mtls_session(g.port, ctx))
            seq_s = time.perf_counter() - t0
            g.wait_idle(timeout=60)
            fds1, rss1 = g.fds(), g.rss_kb()

            plat = [password_session(g.port, pctx) for _ in range(a.password)]
            g.wait_idle(timeout=60)

            hwm_before = vm_hwm_kb(g.pid)
            cres = h.hold_sessions(g, ctx, a.concurrent, PROMPT.format("alice"),
                                   timeout=300)
            if cres["errors"]:
                print("telnets bench: FAIL: concurrent sessions: "
                      f"{cres['errors'][:3]}")
                return 1
            end = g.wait_idle(timeout=120)
            fds2, rss2 = g.fds(), g.rss_kb()
            hwm = vm_hwm_kb(g.pid)
            rc, final = g.stop()
        finally:
            g.kill()

    static_per_slot = (rss_idle_cold - rss_small) / max(1, slots - 1)
    dyn_per_session = (max(hwm, cres["rss_open_kb"]) - rss1) / a.concurrent
    fig = {
        "sequential": a.sequential,
        "sequential_seconds": round(seq_s, 2),
        "connections_per_second": round(a.sequential / seq_s, 1),
        "mtls_login_ms_p50": round(pct(lat, 50) * 1000, 2),
        "mtls_login_ms_p99": round(pct(lat, 99) * 1000, 2),
        "mtls_login_ms_max": round(max(lat) * 1000, 2),
        "password_logins": a.password,
        "password_login_ms_p50": round(pct(plat, 50) * 1000, 2),
        "password_login_ms_p99": round(pct(plat, 99) * 1000, 2),
        "concurrent": a.concurrent,
        "concurrent_open_seconds": round(cres["open_s"], 2),
        "concurrent_errors": len(cres["errors"]),
        "rss_kb": {"one_slot_idle": rss_small, "idle_cold": rss_idle_cold,
                   "idle_warm": rss0, "after_sequential": rss1,
                   "open_concurrent": cres["rss_open_kb"], "hwm": hwm,
                   "hwm_before_concurrent": hwm_before,
                   "after_concurrent": rss2},
        "fds": {"idle": fds0, "after_sequential": fds1,
                "open_concurrent": cres["fds_open"], "after_concurrent": fds2},
        "static_kb_per_slot": round(static_per_slot, 2),
        "dynamic_kb_per_session": round(dyn_per_session, 2),
        "peak_kb_per_session": round(static_per_slot + dyn_per_session, 2),
        "buffers_peak": list(end["buffers_peak"]),
        "exit_status": rc,
    }
    checks = [
        (cres["errors"] == [], f"concurrent errors: {cres['errors'][:3]}"),
        (cres.get("stats_open", {}).get("live") == a.concurrent,
         f"live while open: {cres.get('stats_open')} (want {a.concurrent})"),
        (fds1 == fds0 and fds2 == fds0, f"fds {fds0}->{fds1}->{fds2}"),
        (rss1 - rss0 < RSS_SLACK_KB and rss2 - rss0 < RSS_SLACK_KB,
         f"rss {rss0}->{rss1}->{rss2} kB"),
        (end["live"] == 0 and end["buffers_out"] == (0, 0, 0), f"end {end}"),
        (rc == 0 and final is not None and final["live"] == 0,
         f"exit {rc} {final}"),
    ]
    print(f"telnets bench: {a.sequential} sequential mTLS sessions in "
          f"{seq_s:.1f} s = {fig['connections_per_second']} connections/s")
    print(f"telnets bench: login latency (connect to prompt) mTLS p50 "
          f"{fig['mtls_login_ms_p50']} ms, p99 {fig['mtls_login_ms_p99']} ms, "
          f"max {fig['mtls_login_ms_max']} ms; password p50 "
          f"{fig['password_login_ms_p50']} ms, p99 "
          f"{fig['password_login_ms_p99']} ms ({a.password} logins)")
    print(f"telnets bench: {a.concurrent} concurrent sessions open in "
          f"{cres['open_s']:.1f} s; peak memory per session "
          f"{fig['peak_kb_per_session']} kB (slot {fig['static_kb_per_slot']} "
          f"kB + dynamic {fig['dynamic_kb_per_session']} kB; RSS "
          f"{rss1} -> {cres['rss_open_kb']} kB open, HWM {hwm} kB)")
    print(f"telnets bench: after: fds {fds0}->{fds1}->{fds2}, RSS "
          f"{rss0}->{rss1}->{rss2} kB, live={end['live']} "
          f"buffers_out={'/'.join(map(str, end['buffers_out']))}, exit {rc}")
    for good, what in checks:
        if not good:
            ok = False
            print(f"telnets bench: FAIL: {what}")
    if a.json:
        Path(a.json).write_text(json.dumps(fig, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
