"""The QEMU guest (port/capos) and its harness, ci/qemu-test.sh.

Builds nothing: run `make guest` first (the image-dependent tests skip
otherwise). Each test drives ci/qemu-test.sh the way CI does and checks
both what it prints and how it exits: 0 pass, 1 fail (including a hung
guest), 2 cannot run. Whole file: a few seconds plus the 5 s hang timeout.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ELF = ROOT / "build" / "guest" / "captls.elf"
SCRIPT = ROOT / "ci" / "qemu-test.sh"

# Cases the guest itself contributes: 7 crypto KATs (core/crypto/selftest.c)
# and 11 guest checks (port/capos/post.c). Other core suites add more.
MIN_CASES = 18
SUMMARY = re.compile(r"^POST: (\d+) passed, (\d+) failed$", re.M)

needs_image = pytest.mark.skipif(
    not ELF.is_file(), reason=f"{ELF.relative_to(ROOT)} missing: run `make guest` first"
)
needs_qemu = pytest.mark.skipif(
    shutil.which(os.environ.get("QEMU", "qemu-system-x86_64")) is None,
    reason="qemu-system-x86_64 not installed (Debian package qemu-system-x86)",
)


def run(*args, env_extra=None, timeout=60):
    env = dict(os.environ)
    env.update(env_extra or {})
    start = time.monotonic()
    p = subprocess.run(
        [str(SCRIPT), str(ELF), *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=timeout,
    )
    return p.returncode, p.stdout, time.monotonic() - start


@needs_image
@needs_qemu
def test_guest_boots_and_passes_post():
    rc, out, _ = run()
    assert rc == 0, out
    m = SUMMARY.findall(out)
    assert m, out
    passed, failed = map(int, m[-1])
    assert failed == 0 and passed >= MIN_CASES, out
    cases = re.findall(r"^POST: (.+) (ok|FAIL)$", out, re.M)
    assert len(cases) == passed, out
    assert "QEMU exit status 33" in out
    assert out.rstrip().splitlines()[-1] == "qemu-test: pass"


@needs_image
@needs_qemu
def test_post_fail_is_reported():
    rc, out, _ = run("--append", "post=fail")
    assert rc == 1, out
    assert "POST: guest.deliberate_failure FAIL" in out
    passed, failed = map(int, SUMMARY.findall(out)[-1])
    assert failed == 1 and passed >= MIN_CASES, out
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("qemu-test: fail (POST failed"), last
    assert "guest.deliberate_failure" in last


@needs_image
@needs_qemu
def test_hung_guest_times_out():
    rc, out, elapsed = run("--append", "post=hang", env_extra={"QEMU_TIMEOUT": "5"})
    assert rc == 1, out
    assert "post=hang: halting on purpose" in out
    assert "qemu-test: guest hung: no result after 5 s" in out
    assert not SUMMARY.search(out), out
    assert out.rstrip().splitlines()[-1] == "qemu-test: fail (guest hung)"
    assert elapsed < 12, f"took {elapsed:.1f} s"


def test_missing_qemu_is_a_setup_error():
    rc, out, _ = run(env_extra={"QEMU": "/nonexistent"})
    assert rc == 2, out
    assert "QEMU not found" in out and "qemu-system-x86" in out, out


def test_old_qemu_is_a_setup_error(tmp_path):
    fake = tmp_path / "qemu-system-x86_64"
    fake.write_text("#!/bin/sh\necho 'QEMU emulator version 6.2.0'\nexit 0\n")
    fake.chmod(0o755)
    rc, out, _ = run(env_extra={"QEMU": str(fake)})
    assert rc == 2, out
    assert "too old" in out and "qemu-system-x86" in out, out
