"""Crash test of the CertificateStore on the POSIX port (issue 11): puts
killed with SIGKILL at random points never leave a torn chain.

1,000 `captls store put` runs (CAPTLS_CRASH_PUTS to change it) alternate
between two different chains under one handle; about half are killed with
SIGKILL after a random delay of 0..6 ms (covering exec, read, parse, the
temp file write, fsync, rename and the directory fsync). After every run the
record is checked INDEPENDENTLY of captls: its layout and SHA-256 checksum
are parsed here in Python (core/store/cert_record.h), its chain must be
exactly the old or the new one, its version must never go down and must
move by at most one per run, and the handle must stay listed; every 25
runs (and at the end) `captls store get` must print one of the two chains.
A summary line gives the figures (runs, kills that landed, puts that
completed, versions).
"""
import hashlib
import os
import random
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))
PUTS = int(os.environ.get("CAPTLS_CRASH_PUTS", "1000"))


def parse_record(data):
    """core/store/cert_record.h layout; raises on anything wrong."""
    assert data[:8] == b"CTLSCR01", "magic"
    body, digest = data[:-32], data[-32:]
    assert hashlib.sha256(body).digest() == digest, "checksum"
    p = 8
    version, _rotated = struct.unpack(">Qq", data[p:p + 16])
    p += 16
    hl = data[p]
    handle = data[p + 1:p + 1 + hl].decode()
    p += 1 + hl
    (bl,) = struct.unpack(">H", data[p:p + 2])
    p += 2 + bl
    count = data[p]
    p += 1
    certs = []
    for _ in range(count):
        (n,) = struct.unpack(">I", data[p:p + 4])
        certs.append(data[p + 4:p + 4 + n])
        p += 4 + n
    assert p == len(body), "trailing bytes"
    return version, handle, certs


def der_chain(pem_path):
    r = subprocess.run(["openssl", "x509", "-in", str(pem_path), "-outform",
                        "DER"], capture_output=True, check=True)
    return [r.stdout]


@pytest.fixture(scope="module")
def chains(tmp_path_factory):
    d = tmp_path_factory.mktemp("crash")
    out = []
    for name in ("a", "b"):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                        "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(d / f"{name}.key"), "-subj",
                        f"/CN=crash-{name}", "-days", "2", "-out",
                        str(d / f"{name}.pem")], check=True,
                       capture_output=True)
        out.append(d / f"{name}.pem")
    return out


def test_sigkill_during_puts(chains, tmp_path):
    if not CAPTLS.exists():
        pytest.skip(f"{CAPTLS} not built")
    st = tmp_path / "st"
    rng = random.Random(int(os.environ.get("CAPTLS_CRASH_SEED", "11")))
    valid = [der_chain(c) for c in chains]
    pems = [c.read_bytes() for c in chains]
    # a first put that completes
    subprocess.run([str(CAPTLS), "store", "--dir", str(st), "put", "web",
                    str(chains[0])], check=True, capture_output=True)
    last_version = 1
    kills = completed = refused = 0
    torn_tmp = kills_after_rename = 0
    t0 = time.monotonic()
    for i in range(PUTS):
        which = i % 2
        proc = subprocess.Popen([str(CAPTLS), "store", "--dir", str(st),
                                 "put", "web", str(chains[which])],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0, 0.006))
            proc.send_signal(signal.SIGKILL)
        rc = proc.wait()
        if rc == -signal.SIGKILL:
            kills += 1
        elif rc == 0:
            completed += 1
        else:
            refused += 1
        if rc == -signal.SIGKILL and any(
                p.name.endswith(".tmp") for p in st.iterdir()):
            torn_tmp += 1  # killed between temp file creation and rename
        data = (st / "cert.web").read_bytes()
        version, handle, certs = parse_record(data)
        assert handle == "web"
        assert certs in valid, f"run {i}: a chain that was never put"
        assert last_version <= version <= last_version + 1, (i, version)
        if rc == -signal.SIGKILL and version == last_version + 1:
            kills_after_rename += 1
        if rc == 0:
            assert version == last_version + 1
            assert certs == valid[which]
        last_version = version
        assert b"web\n" in (st / "index").read_bytes()
        if i % 25 == 24 or i == PUTS - 1:
            r = subprocess.run([str(CAPTLS), "store", "--dir", str(st), "get",
                                "web"], capture_output=True, check=True)
            assert r.stdout in (pems[0].replace(b"\r\n", b"\n"),
                                pems[1].replace(b"\r\n", b"\n"))
    elapsed = time.monotonic() - t0
    leftovers = [p.name for p in st.iterdir() if p.name.endswith(".tmp")]
    print(f"\ncrash test: {PUTS} put runs, {kills} killed by SIGKILL while "
          f"running ({torn_tmp} left a temp file behind, {kills_after_rename} "
          f"landed after the rename), {completed} completed, {refused} "
          f"refused; final version "
          f"{last_version}; {len(leftovers)} temp files left (swept by the "
          f"next writer); {elapsed:.1f} s")
    # a writer after the crashes sweeps the temp files and works
    subprocess.run([str(CAPTLS), "store", "--dir", str(st), "put", "web",
                    str(chains[0])], check=True, capture_output=True)
    assert not [p for p in st.iterdir() if p.name.endswith(".tmp")]
    assert kills >= PUTS // 4 and completed >= PUTS // 4
    assert refused == 0
    assert torn_tmp > 0  # some kills did land inside the write
