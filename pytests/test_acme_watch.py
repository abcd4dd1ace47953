"""`captls acme renew --watch`, the renewal service (issue 13, item 6),
against a Pebble that issues 30-second certificates: renewal is due after
two thirds of that (20 s), so the service renews on its own while
`captls tls-server --store` serves the entry, which follows the rotation
without a restart. And its refusals: a CA that cannot be reached is
retried with a growing delay, a setup error stops the service, a chain put
by hand is checked at once."""
import re
import subprocess
import threading
import time

import pytest

from acme_harness import Pebble, acme_argv
from test_acme_pebble import served_leaf_sha256, store_chain
from test_store_cli import StoreServer
from tls_harness import CAPTLS, free_port, run, show

DOMAIN = "www.example.org"
VALIDITY = 30


@pytest.fixture(scope="module")
def pebble(tmp_path_factory, tls_pki):
    p = Pebble(tmp_path_factory.mktemp("pebble-short"), tls_pki,
               validity=VALIDITY).start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def account_key(pebble, tmp_path_factory):
    key = tmp_path_factory.mktemp("acct") / "account.pem"
    r = run(acme_argv(pebble, "account", "--agree-tos", account_key=key),
            timeout=60)
    assert r.returncode == 0, show(r)
    return key


class Watch:
    """The service, its stdout collected line by line by a thread."""

    def __init__(self, argv):
        self.proc = subprocess.Popen([str(a) for a in argv],
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.cv = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for ln in self.proc.stdout:
            with self.cv:
                self.lines.append(ln.rstrip("\n"))
                self.cv.notify_all()

    def wait_for(self, pattern, timeout):
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                for ln in self.lines:
                    m = re.search(pattern, ln)
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None
                self.cv.wait(min(left, 0.5))

    def count(self, pattern):
        with self.cv:
            return sum(1 for ln in self.lines if re.search(pattern, ln))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)
        err = self.proc.stderr.read()
        time.sleep(0.05)
        return self.proc.returncode, err

    def text(self):
        with self.cv:
            return "\n".join(self.lines)


def watch_argv(pebble, account_key, st, *handles, interval=5, extra=()):
    argv = acme_argv(pebble, "renew", "--watch", "--challenge", "dns-01",
                     "--dns-api", pebble.dns_api, "--store", st,
                     "--check-interval", str(interval),
                     account_key=account_key)
    for h in handles:
        argv += ["--handle", h]
    return argv + list(extra)


def issue(pebble, account_key, st, handle, domain=DOMAIN):
    r = run(acme_argv(pebble, "issue", "--domain", domain, "--challenge",
                      "dns-01", "--dns-api", pebble.dns_api, "--store", st,
                      "--handle", handle, account_key=account_key),
            timeout=90)
    assert r.returncode == 0, show(r)
    return re.search(r"^issued: \S+ version 1 leaf ([0-9a-f]{64}) ",
                     r.stdout, re.M).group(1)


def test_service_renews_when_due_and_the_server_follows(pebble, account_key,
                                                        tmp_path):
    st = tmp_path / "st"
    v1 = issue(pebble, account_key, st, "web")
    issued_at = time.monotonic()
    issue(pebble, account_key, st, "api", domain="api.example.org")
    srv = StoreServer(st, "web", st / "web.key.pem")
    w = Watch(watch_argv(pebble, account_key, st, "web", "api"))
    try:
        assert srv.port, srv.lines
        assert served_leaf_sha256(srv.port) == v1
        assert w.wait_for(r"^watch: 2 entries in .*, checked at most 5 s "
                          r"apart$", 30), w.text()
        assert w.wait_for(r"^watch: web: not due, next check ", 60), w.text()
        assert w.wait_for(r"^watch: api: not due, next check ", 60), w.text()
        m = w.wait_for(r"^renewed: web version 2 leaf ([0-9a-f]{64}) ",
                       VALIDITY + 60)
        assert m, w.text()
        # not before two thirds of the lifetime (a second's slack for the
        # notBefore rounding)
        assert time.monotonic() - issued_at >= VALIDITY * 2 / 3 - 2, w.text()
        assert w.wait_for(r"^watch: web: renewed, next check ", 30), w.text()
        v2 = m.group(1)
        assert srv.wait_for(r"rotation: web version 2", timeout=30), srv.lines
        assert served_leaf_sha256(srv.port) == v2 != v1
        # each entry on its own schedule
        assert w.wait_for(r"^renewed: api version 2 ", 30), w.text()
    finally:
        rc, err = w.stop()
        srv.stop()
    assert rc == 0, err
    assert w.text().endswith("watch: stopped (SIGTERM)"), w.text()
    leaf, rest, _ = store_chain(st, "web", tmp_path)
    r = run([CAPTLS, "verify", "--roots", pebble.issuer_roots, "--untrusted",
             rest, "--host", DOMAIN, leaf])
    assert r.returncode == 0, show(r)


def test_a_chain_put_by_hand_is_checked_at_once(pebble, account_key,
                                                tmp_path):
    st = tmp_path / "st"
    issue(pebble, account_key, st, "web")
    leaf, rest, _ = store_chain(st, "web", tmp_path)
    w = Watch(watch_argv(pebble, account_key, st, "web", interval=600))
    try:
        assert w.wait_for(r"^watch: web: not due, next check ", 60), w.text()
        chain = tmp_path / "chain.pem"
        chain.write_text(leaf.read_text() + rest.read_text())
        r = run([CAPTLS, "store", "--dir", st, "put", "web", chain])
        assert r.returncode == 0, show(r)
        assert w.wait_for(r"^watch: web: the stored chain changed$", 10), \
            w.text()
        # checked again at once, not in ten minutes
        end = time.monotonic() + 30
        while w.count(r"^watch: web: not due") < 2:
            assert time.monotonic() < end, w.text()
            time.sleep(0.1)
    finally:
        rc, err = w.stop()
    assert rc == 0, err


def test_unreachable_ca_is_retried_with_growing_delays(pebble, account_key,
                                                       tmp_path):
    st = tmp_path / "st"
    issue(pebble, account_key, st, "web")
    argv = watch_argv(pebble, account_key, st, "web", interval=4)
    argv[argv.index(pebble.directory)] = \
        f"https://localhost:{free_port()}/dir"
    w = Watch(argv)
    try:
        end = time.monotonic() + 40
        while w.count(r"^watch: web: failed") < 3:
            assert time.monotonic() < end and w.proc.poll() is None, w.text()
            time.sleep(0.1)
    finally:
        rc, err = w.stop()
    assert rc == 0, err
    assert re.search(r"^error: directory: transport: ", err, re.M), err
    # delays 1, 2, 4 (the first is a minute or a quarter of a shorter
    # interval; each doubles): they grow and stay within the interval
    waits = [int(x) for x in re.findall(r"^watch: web: failed, retry in "
                                        r"(\d+) s", w.text(), re.M)]
    assert waits == sorted(waits) and waits[0] < waits[-1] <= 4, w.text()


def test_setup_errors_stop_the_service(pebble, account_key, tmp_path):
    st = tmp_path / "st"
    # no account key, or no stored chain for an entry: a setup error,
    # the service stops at once
    r = run(watch_argv(pebble, tmp_path / "nokey.pem", st, "web"), timeout=30)
    assert r.returncode == 2, show(r)
    assert "watch: web: setup error, stopping" in r.stderr, show(r)
    r = run(watch_argv(pebble, account_key, st, "nothing"), timeout=30)
    assert r.returncode == 2, show(r)
    assert re.search(r"^error: nothing: no stored chain to renew in .*: run "
                     r"`captls acme issue` first\n.*watch: nothing: setup "
                     r"error, stopping", r.stderr, re.M | re.S), show(r)
    for extra, want in ((("--force",), "no --force"),
                        (("--check-interval", "0"), "--check-interval")):
        r = run(watch_argv(pebble, account_key, st, "web", extra=extra),
                timeout=30)
        assert r.returncode == 2 and want in r.stderr, show(r)
    r = run(acme_argv(pebble, "renew", "--challenge", "dns-01", "--dns-api",
                      pebble.dns_api, "--store", st, "--handle", "a",
                      "--handle", "b", account_key=account_key), timeout=30)
    assert r.returncode == 2 and "several only with --watch" in r.stderr, \
        show(r)
