"""Pebble (Debian `pebble`, RFC 8555 test CA) and `pebble-challtestsrv`
(its fake DNS) started on loopback for the ACME end-to-end tests, and
`captls acme` argv builders.

The CA's HTTPS endpoint uses a certificate of the TLS test PKI
(vectors/tls/gen_tls_pki.py: server-ecdsa_p256, names localhost and
127.0.0.1); the issuing root is read from Pebble's management interface.
Pebble resolves every name through challtestsrv, which answers A queries
with 127.0.0.1 and no AAAA, so validation reaches our responders on
loopback. Nonce rejection (PEBBLE_WFE_NONCEREJECT) stays on, raised to 15%
so the badNonce retry runs in every test module; PEBBLE_VA_NOSLEEP=1 only
removes Pebble's random validation delay."""
import json
import ssl
import time
import urllib.request

import pytest

from tls_harness import CAPTLS, Procs, free_port, need_captls, run

NONCE_REJECT = "15"


class Pebble:
    def __init__(self, workdir, pki, validity=None):
        """validity: certificate lifetime in seconds (Pebble's default, five
        years, when None)."""
        self.workdir = workdir
        self.validity = validity
        self.pki = pki
        self.procs = Procs(workdir)
        self.acme_port = free_port()
        self.mgmt_port = free_port()
        self.http_port = free_port()   # where Pebble validates http-01
        self.tls_port = free_port()    # where Pebble validates tls-alpn-01
        self.dns_port = free_port()
        self.dns_api_port = free_port()
        self.directory = f"https://localhost:{self.acme_port}/dir"
        self.dns_api = f"http://127.0.0.1:{self.dns_api_port}"
        self.ca_roots = pki / "root-ca.crt.pem"
        self.issuer_roots = workdir / "pebble-root.pem"

    def start(self):
        for tool in ("pebble", "pebble-challtestsrv"):
            if run(["sh", "-c", f"command -v {tool}"]).returncode != 0:
                pytest.skip(f"{tool} is not installed (Debian package pebble)")
        cfg = {"pebble": {
            "listenAddress": f"127.0.0.1:{self.acme_port}",
            "managementListenAddress": f"127.0.0.1:{self.mgmt_port}",
            "certificate": str(self.pki / "server-ecdsa_p256.chain.pem"),
            "privateKey": str(self.pki / "server-ecdsa_p256.key.pem"),
            "httpPort": self.http_port, "tlsPort": self.tls_port,
            "ocspResponderURL": "", "externalAccountBindingRequired": False}}
        if self.validity is not None:
            cfg["pebble"]["certificateValidityPeriod"] = self.validity
        cfg_path = self.workdir / "pebble-config.json"
        cfg_path.write_text(json.dumps(cfg))
        self.dns = self.procs.start("challtestsrv", [
            "pebble-challtestsrv", "-defaultIPv4", "127.0.0.1",
            "-defaultIPv6", "", "-management", f"127.0.0.1:{self.dns_api_port}",
            "-dns01", f"127.0.0.1:{self.dns_port}", "-http01", "",
            "-https01", "", "-tlsalpn01", ""])
        env = {"PATH": "/usr/bin:/bin", "PEBBLE_VA_NOSLEEP": "1",
               "PEBBLE_WFE_NONCEREJECT": NONCE_REJECT}
        self.ca = self.procs.start("pebble", [
            "pebble", "-config", cfg_path,
            "-dnsserver", f"127.0.0.1:{self.dns_port}"], env=env)
        self.ca.wait_for(r"ACME directory available", where="both")
        self.dns.wait_for(r"management", where="both")
        self.issuer_roots.write_bytes(self.mgmt_get("/roots/0"))
        return self

    def mgmt_get(self, path, timeout=10):
        ctx = ssl.create_default_context(cafile=str(self.ca_roots))
        url = f"https://localhost:{self.mgmt_port}{path}"
        end = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, context=ctx, timeout=5) as r:
                    return r.read()
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)

    def stop(self):
        self.procs.stop_all()


def acme_argv(pebble, verb, *extra, account_key=None, issuer=True):
    need_captls()
    argv = [CAPTLS, "acme", verb, "--directory", pebble.directory,
            "--ca-roots", pebble.ca_roots]
    if issuer and verb in ("issue", "renew"):
        argv += ["--issuer-roots", pebble.issuer_roots]
    if account_key:
        argv += ["--account-key", account_key]
    return argv + list(extra)


def stages(stdout):
    """The stage word of every progress line, in order."""
    return [line.split(":", 1)[0] for line in stdout.splitlines() if ":" in line]


def main(argv):
    """`acme_harness.py WORKDIR PKIDIR`: Pebble and challtestsrv for a
    script (make demo). Writes WORKDIR/pebble.env (shell assignments:
    DIRECTORY, CA_ROOTS, ISSUER_ROOTS, HTTP_PORT, TLS_PORT, DNS_API),
    prints "ready", and stops both on SIGTERM or SIGINT."""
    import pathlib
    import signal
    import sys
    if len(argv) != 3:
        sys.exit("usage: acme_harness.py WORKDIR PKIDIR")
    work = pathlib.Path(argv[1])
    work.mkdir(parents=True, exist_ok=True)
    p = Pebble(work, pathlib.Path(argv[2]))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    try:
        p.start()
        (work / "pebble.env").write_text(
            f"DIRECTORY={p.directory}\nCA_ROOTS={p.ca_roots}\n"
            f"ISSUER_ROOTS={p.issuer_roots}\nHTTP_PORT={p.http_port}\n"
            f"TLS_PORT={p.tls_port}\nDNS_API={p.dns_api}\n")
        print("ready", flush=True)
        while True:
            signal.pause()
    finally:
        p.stop()


if __name__ == "__main__":
    import sys
    main(sys.argv)
