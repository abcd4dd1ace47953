"""build/captls: the command table, exit codes and output contracts of the
commands that exist so far (selftest, version, help). Later issues add
their commands' tests beside these."""
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTLS = Path(os.environ.get("CAPTLS", ROOT / "build" / "captls"))


def run(*args):
    if not CAPTLS.exists():
        pytest.fail(f"{CAPTLS} is not built (make all)")
    return subprocess.run([str(CAPTLS), *args], capture_output=True,
                          text=True, timeout=60)


def test_selftest_passes_and_counts():
    r = run("selftest")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.strip().splitlines()
    m = re.fullmatch(r"selftest: (\d+) passed, 0 failed", lines[-1])
    assert m, lines[-1]
    cases = lines[:-1]
    assert int(m.group(1)) == len(cases) > 0
    for line in cases:
        assert re.fullmatch(r"selftest: \S.* ok", line), line


def test_version_names_captls_and_bearssl():
    r = run("version")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"captls \d+\.\d+\.\d+", lines[0]), lines
    assert any(re.match(r"(?i)bearssl \d+\.\d+", ln) for ln in lines), lines


@pytest.mark.parametrize("arg", ["help", "--help", "-h"])
def test_help_lists_commands(arg):
    r = run(arg)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("usage: captls")
    for cmd in ("selftest", "version", "help"):
        assert re.search(rf"^\s+{cmd}\b", r.stdout, re.M), cmd
    assert r.stderr == ""


def test_command_help():
    r = run("selftest", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: captls selftest")


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    [],
    ["version", "extra"],
    ["selftest", "--bogus"],
    ["help", "x"],
])
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "usage: captls" in r.stderr


def test_unknown_command_is_named_sanitized():
    r = run("bad\x1bcmd")
    assert r.returncode == 2
    assert "unknown command 'bad\\x1bcmd'" in r.stderr
    assert "\x1b" not in r.stderr
