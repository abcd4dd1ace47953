"""Shared fixtures. Keep this small: module-specific helpers live beside
their tests (the TLS peers harness is pytests/tls_harness.py)."""
import fcntl
import os
import subprocess
from pathlib import Path

import pytest

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
