"""`captls passwd NAME`: one --users line from a password on stdin, without
echo on a terminal. The hash is checked against Python's hashlib (OpenSSL's
PBKDF2 underneath)."""
import base64
import hashlib
import os
import re
import subprocess
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))
LINE = re.compile(r"^([A-Za-z0-9._-]+):pbkdf2-sha256\$([1-9][0-9]*)\$"
                  r"([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]{43}=)$")


def run(args, stdin):
    if not CAPTLS.exists():
        pytest.fail(f"{CAPTLS} is not built (make all)")
    return subprocess.run([str(CAPTLS), "passwd", *args], input=stdin,
                          capture_output=True, timeout=60)


def check_line(out, name, password, iterations):
    m = LINE.match(out)
    assert m, out
    assert m.group(1) == name
    assert int(m.group(2)) == iterations
    salt = base64.b64decode(m.group(3), validate=True)
    assert len(salt) == 16
    want = hashlib.pbkdf2_hmac("sha256", password, salt, iterations)
    assert base64.b64decode(m.group(4), validate=True) == want


def test_pipe_default_iterations():
    p = run(["alice"], b"correct horse\n")
    assert p.returncode == 0, p.stderr
    check_line(p.stdout.decode().rstrip("\n"), "alice", b"correct horse", 600000)
    assert b"correct horse" not in p.stdout + p.stderr


def test_crlf_no_newline_and_fresh_salt():
    a = run(["--iterations", "100000", "bob"], b"pw\r\n")
    b = run(["--iterations", "100000", "bob"], b"pw")
    for p in (a, b):
        assert p.returncode == 0, p.stderr
        check_line(p.stdout.decode().rstrip("\n"), "bob", b"pw", 100000)
    assert a.stdout != b.stdout  # a new salt each time


@pytest.mark.parametrize("args,stdin,rc,msg", [
    (["alice"], b"", 1, "empty password"),
    (["alice"], b"\n", 1, "empty password"),
    (["alice"], b"x" * 1025 + b"\n", 1, "longer than 1024"),
    (["a:b"], b"pw\n", 2, "NAME must be"),
    ([".x"], b"pw\n", 2, "NAME must be"),
    ([], b"pw\n", 2, "missing NAME"),
    (["a", "b"], b"pw\n", 2, "one NAME only"),
    (["--iterations", "99999", "a"], b"pw\n", 2, "--iterations"),
    (["--iterations", "1e6", "a"], b"pw\n", 2, "--iterations"),
    (["--bogus", "a"], b"pw\n", 2, "unknown option"),
])
def test_refusals(args, stdin, rc, msg):
    p = run(args, stdin)
    assert p.returncode == rc
    assert msg in p.stderr.decode()
    assert p.stdout == b""


def test_terminal_no_echo_and_confirmation():
    child = pexpect.spawn(str(CAPTLS), ["passwd", "--iterations", "100000", "carol"],
                          timeout=30)
    child.expect_exact("Password: ")
    child.sendline("s3cret-pw")
    child.expect_exact("Retype password: ")
    child.sendline("s3cret-pw")
    child.expect(pexpect.EOF)
    out = child.before.decode()
    assert "s3cret-pw" not in out  # never echoed
    line = [l for l in out.splitlines() if l.startswith("carol:")]
    assert len(line) == 1
    check_line(line[0].strip(), "carol", b"s3cret-pw", 100000)
    child.close()
    assert child.exitstatus == 0


def test_terminal_mismatch():
    child = pexpect.spawn(str(CAPTLS), ["passwd", "dave"], timeout=30)
    child.expect_exact("Password: ")
    child.sendline("one")
    child.expect_exact("Retype password: ")
    child.sendline("two")
    child.expect_exact("passwords do not match")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
