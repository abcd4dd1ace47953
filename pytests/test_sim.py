"""Drives build/captls-sim: transcripts, determinism by seed, the hash line,
scenario errors (file:line:col), failed expectations and budgets.

Run after `make build/captls-sim`:
    /usr/bin/python3 -m pytest pytests/test_sim.py
CAPTLS_SIM=build/asan/captls-sim runs the same tests on another build.
"""
import hashlib
import os
import re
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM = os.path.join(ROOT, os.environ.get("CAPTLS_SIM", "build/captls-sim"))
ECHO = os.path.join(ROOT, "sim", "scenarios", "echo.scn")
NEGATIVE = os.path.join(ROOT, "sim", "scenarios", "negative",
                        "echo_wrong_expect.scn")
HASH_RE = re.compile(r"^transcript sha256: ([0-9a-f]{64})$")
LINE_RE = re.compile(r"^\[ *\d+\.\d{3}ms\] [a-z0-9_/-]+: \S")


def sim(*args, timeout=60):
    if not os.path.exists(SIM):
        pytest.fail("build/captls-sim is missing: run `make build/captls-sim`")
    return subprocess.run([SIM, *args], capture_output=True, timeout=timeout,
                          cwd=ROOT)


def run_ok(path, *extra):
    p = sim("run", path, *extra)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return p.stdout.decode()


def last_hash(out):
    m = HASH_RE.match(out.rstrip("\n").split("\n")[-1])
    assert m, "the last line must be the transcript hash"
    return m.group(1)


def test_help():
    p = sim("--help")
    assert p.returncode == 0
    assert b"captls-sim run FILE [--seed N]" in p.stdout


@pytest.mark.parametrize("args", [
    [],
    ["walk", ECHO],
    ["run"],
    ["run", ECHO, "--seed"],
    ["run", ECHO, "--seed", "x1"],
    ["run", ECHO, "--seed", "99999999999999999999999"],
    ["run", ECHO, "--frobnicate"],
    ["run", ECHO, ECHO],
    ["run", ECHO, "--runs", "3"],
])
def test_usage_errors_exit_2(args):
    p = sim(*args)
    assert p.returncode == 2
    assert p.stderr.startswith(b"captls-sim: ")
    assert p.stdout == b""


def test_unreadable_file_exit_2(tmp_path):
    p = sim("run", str(tmp_path / "absent.scn"))
    assert p.returncode == 2
    assert b"cannot read" in p.stderr


def test_echo_transcript():
    out = run_ok(ECHO)
    lines = out.rstrip("\n").split("\n")
    for line in lines[:-1]:
        assert LINE_RE.match(line), line
    for want in [
        "beta/echo: listening on port 7",
        "alpha/pinger: connecting to beta:7",
        "beta/echo: accepted connection 1",
        "alpha/pinger: connected",
        'alpha/pinger: sent 6 bytes "hello\\x0a"',
        'beta/echo: connection 1: recv 6 bytes "hello\\x0a"',
        'alpha/pinger: recv 6 bytes "world\\x0a"',
        'alpha/pinger: ipc call Echo.echo("ping") nonce ',
        'beta/echo: ipc call Echo.echo("ping") with 1 cap(s)',
        'beta/echo: ipc call Notifier.notify("ping") through the passed cap',
        'alpha/pinger: Echo.echo returned "ping"',
        "nonce matches",
        "beta/echo: dropped the Notifier cap: ok",
        "alpha/pinger: check ok: 12 bytes echoed back intact",
        "sim: done: ",
        "7 of 7 expectations hold",
    ]:
        assert want in out, want
    # Virtual time never goes backwards.
    times = [float(re.match(r"^\[ *([\d.]+)ms\]", l).group(1))
             for l in lines[:-1]]
    assert times == sorted(times)


def test_hash_is_sha256_of_transcript():
    out = run_ok(ECHO)
    body = out[: out.rstrip("\n").rfind("\n") + 1]
    assert hashlib.sha256(body.encode()).hexdigest() == last_hash(out)


def test_same_seed_same_hash():
    a = run_ok(ECHO, "--seed", "7")
    b = run_ok(ECHO, "--seed", "7")
    assert a == b
    assert run_ok(ECHO) == run_ok(ECHO, "--seed", "1")  # default seed 1
    assert run_ok(ECHO, "--seed=7") == a


def test_different_seed_different_hash():
    hashes = {last_hash(run_ok(ECHO, "--seed", str(s))) for s in range(1, 9)}
    assert len(hashes) == 8


def test_negative_scenario_exit_1():
    p = sim("run", NEGATIVE)
    assert p.returncode == 1
    out = p.stdout.decode()
    assert 'expect pinger received "goodbye\\x0a": FAILED, got "hello\\x0a"' \
        in out
    assert 'expect pinger received "hello\\x0a": ok' in out
    last_hash(out)  # the hash line is still last
    err = p.stderr.decode()
    assert re.search(r"echo_wrong_expect\.scn:12: error: expectation failed: "
                     r"expect pinger received", err), err


def test_budget_stop_exit_1(tmp_path):
    f = tmp_path / "budget.scn"
    f.write_text("limit events=5\nhost a\nhost b\nlink a b\n"
                 "service echo on b port=7\n"
                 "client c on a program=echo-client\n"
                 "at 1ms c connect b:7\n")
    p = sim("run", str(f))
    assert p.returncode == 1
    assert b"sim: stopped: event budget exceeded (5 events)" in p.stdout
    assert b"run stopped" in p.stderr
    last_hash(p.stdout.decode())


def test_runaway_time_is_bounded(tmp_path):
    f = tmp_path / "late.scn"
    f.write_text("limit time=10ms\nhost a\n"
                 "client c on a program=echo-client\n"
                 "at 20ms c check\n")
    p = sim("run", str(f))
    assert p.returncode == 1
    assert b"virtual time budget exceeded" in p.stdout


def test_peer_bytes_are_sanitized(tmp_path):
    f = tmp_path / "nasty.scn"
    f.write_text('host a\nhost b\nlink a b\nservice echo on b port=7\n'
                 'client c on a program=echo-client\n'
                 'at 1ms c connect b:7\n'
                 'at 5ms c send "\\x1b[2J\\x07\\xff\\n"\n')
    p = sim("run", str(f))
    assert p.returncode == 0
    assert b"\x1b" not in p.stdout and b"\x07" not in p.stdout
    assert b"\xff" not in p.stdout
    assert b'recv 7 bytes "\\x1b[2J\\x07\\xff\\x0a"' in p.stdout


MALFORMED = [
    ("hots alpha\n", 1, 1, "expected a directive"),
    ("host alpha\nhost alpha\n", 2, 6, "already declared on line 1"),
    ("host a\nlink a b latency=2ms\n", 2, 8, "unknown host 'b'"),
    ("host a\nhost b\nlink a b latency=fast\n", 3, 18,
     "expected a duration like 2ms"),
    ("host a wall=2026-02-30T00:00:00Z\n", 1, 13, "expected a UTC time"),
    ("host a\nservice echo on a\n", 2, 18, "expected port=..."),
    ("host a\nclient c on a program=echo-client\nat 5ms c sned \"x\"\n",
     3, 10, "unknown action 'sned'"),
    ("host a\nclient c on a program=echo-client\nat 5ms c send \"x\n",
     3, 15, "unterminated string"),
    ("host a\nclient c on a program=echo-client\n"
     "expect c recieved \"x\"\n", 3, 10, "unknown fact 'recieved'"),
    ("host a\x00\n", 1, 7, "unexpected byte 0x00"),
    ("\x89PNG\r\n", 1, 1, "unexpected byte 0x89"),
]


@pytest.mark.parametrize("text,line,col,msg", MALFORMED)
def test_malformed_scenario_exit_2(tmp_path, text, line, col, msg):
    f = tmp_path / "bad.scn"
    f.write_bytes(text.encode("latin-1"))
    p = sim("run", str(f))
    assert p.returncode == 2
    assert p.stdout == b""
    err = p.stderr.decode()
    assert err.startswith(f"{f}:{line}:{col}: error: "), err
    assert msg in err, err


def test_random_bytes_never_crash(tmp_path):
    import random
    rnd = random.Random(1234)
    f = tmp_path / "junk.scn"
    for _ in range(40):
        f.write_bytes(bytes(rnd.randrange(256)
                            for _ in range(rnd.randrange(1, 400))))
        p = sim("run", str(f), timeout=30)
        assert p.returncode in (0, 1, 2), p.returncode
        if p.returncode == 2:
            assert re.match(rf"^{re.escape(str(f))}:\d+:\d+: error: ",
                            p.stderr.decode()), p.stderr


def test_oversized_file_exit_2(tmp_path):
    f = tmp_path / "big.scn"
    f.write_bytes(b"# " + b"x" * (1024 * 1024 + 10) + b"\n")
    p = sim("run", str(f))
    assert p.returncode == 2
    assert re.match(rf"^{re.escape(str(f))}:1:1: error: expected a scenario "
                    rf"of at most 1048576 bytes", p.stderr.decode())


def test_empty_scenario_runs():
    p = sim("run", "/dev/null")
    assert p.returncode == 0
    assert b"sim: done: 0 events" in p.stdout
    last_hash(p.stdout.decode())


def test_bench_reports_events_per_second():
    p = sim("bench", ECHO, "--runs", "50")
    assert p.returncode == 0
    assert re.match(rb"^50 runs, \d+ events in [\d.]+ s: \d+ events/s",
                    p.stdout)
