"""Shared fixtures. Keep this small: module-specific helpers live beside
their tests (the TLS peers harness is pytests/tls_harness.py).

Skips under CI: with CI=true a skipped test is reported as a failure (a
required component -- QEMU, the CA bundle, a peer program, a Python module
-- that is missing must not pass quietly), unless its reason starts with
"environment: " (a fact about the machine, e.g. no IPv6 loopback, not
root). ci/run-unit.sh applies the same rule to cmocka tests."""
import fcntl
import os
import subprocess
from pathlib import Path

import pytest

ENVIRONMENT_SKIP = "environment: "


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if not (rep.skipped and in_ci()) or hasattr(rep, "wasxfail"):
        return
    reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
    if reason.startswith("Skipped: "):
        reason = reason[len("Skipped: "):]
    if reason.startswith(ENVIRONMENT_SKIP):
        return
    rep.outcome = "failed"
    rep.longrepr = ("skipped under CI, which counts as a failure (a required "
                    f"component is missing): {reason}")

ROOT = Path(__file__).resolve().parents[1]
TLS_PKI_GEN = ROOT / "vectors" / "tls" / "gen_tls_pki.py"


@pytest.fixture(scope="session")
def tls_pki():
    """The TLS test PKI (vectors/tls/gen_tls_pki.py) in build/vectors/tls.
    Regenerated only when its manifest is missing or older than the
    generator; a file lock keeps parallel xdist workers from racing."""
    out = ROOT / "build" / "vectors" / "tls"
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    with open(out.parent / "tls.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (not manifest.exists()
                or manifest.stat().st_mtime < TLS_PKI_GEN.stat().st_mtime):
            if manifest.exists():
                manifest.unlink()
            subprocess.run(["/usr/bin/python3", str(TLS_PKI_GEN), str(out)],
                           check=True, timeout=120)
    return out
