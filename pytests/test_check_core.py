"""make check-core must fail, naming the file, on each kind of violation of
the core's freestanding rules (DESIGN.md), and pass on the real tree."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def copy_tree(tmp_path, parts):
    for part in parts:
        shutil.copytree(ROOT / "core" / part, tmp_path / "core" / part)
    (tmp_path / "port").mkdir()
    shutil.copy(ROOT / "port" / "port.h", tmp_path / "port" / "port.h")
    shutil.copytree(ROOT / "port" / "capos" / "include",
                    tmp_path / "port" / "capos" / "include")
    shutil.copytree(ROOT / "ci", tmp_path / "ci")
    return tmp_path


@pytest.fixture
def tree(tmp_path):
    """A copy of just what check-core reads."""
    return copy_tree(tmp_path, [p.name for p in (ROOT / "core").iterdir()
                                if p.is_dir()])


@pytest.fixture
def small_tree(tmp_path):
    """core/base and core/cap only, to plant violations in: the planted
    file must be named whatever else the small tree lacks (symbols of the
    folders left out), and compiling all of core four more times would
    cost minutes."""
    return copy_tree(tmp_path, ["base", "cap"])


def check(root):
    return subprocess.run(["bash", str(root / "ci" / "check-core.sh"), str(root)],
                          capture_output=True, text=True, timeout=300)


def plant(path, text, at_top=True):
    old = path.read_text()
    path.write_text(text + old if at_top else old + text)


def test_clean_tree_passes(tree):
    r = check(tree)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "check-core: ok" in r.stdout


def test_planted_stdio_include_fails_naming_file(small_tree):
    tree = small_tree
    plant(tree / "core" / "cap" / "cap_table.c", "#include <stdio.h>\n")
    r = check(tree)
    assert r.returncode == 1
    assert "core/cap/cap_table.c" in r.stdout
    assert "stdio.h" in r.stdout
    assert "FAIL" in r.stdout


def test_compiler_header_outside_allow_list_fails(small_tree):
    tree = small_tree
    # stdarg.h exists in the compiler's freestanding set but is not allowed
    plant(tree / "core" / "base" / "text.c", "#include <stdarg.h>\n")
    r = check(tree)
    assert r.returncode == 1
    assert "core/base/text.c" in r.stdout and "stdarg.h" in r.stdout


def test_project_header_outside_core_fails(small_tree):
    tree = small_tree
    (tree / "sim").mkdir()
    (tree / "sim" / "evil.h").write_text("#define EVIL 1\n")
    plant(tree / "core" / "base" / "result.c", '#include "sim/evil.h"\n')
    r = check(tree)
    assert r.returncode == 1
    assert "core/base/result.c" in r.stdout and "sim/evil.h" in r.stdout


def test_undefined_libc_symbol_fails_naming_symbol(small_tree):
    tree = small_tree
    plant(tree / "core" / "base" / "text.c",
          "\nvoid *malloc(size_t n);\n"
          "void *captls_planted(void);\n"
          "void *captls_planted(void) { return malloc(1); }\n",
          at_top=False)
    r = check(tree)
    assert r.returncode == 1
    assert "core/base/text.c: uses symbol 'malloc'" in r.stdout
