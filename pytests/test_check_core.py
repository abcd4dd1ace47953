"""make check-core must fail, naming the file, on each kind of violation of
the core's freestanding rules (DESIGN.md), and pass on the real tree."""
import os
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


def check(root, cc="gcc"):
    env = dict(os.environ, CHECK_CORE_CC=cc)
    return subprocess.run(["bash", str(root / "ci" / "check-core.sh"), str(root)],
                          capture_output=True, text=True, timeout=300, env=env)


def plant(path, text, at_top=True):
    old = path.read_text()
    path.write_text(text + old if at_top else old + text)


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_clean_tree_passes(tree, cc):
    # clang names its header pieces differently (__stddef_*.h): the
    # allow-list must know both compilers' spellings.
    r = check(tree, cc)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"check-core: ok ({cc}:" in r.stdout


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


def sim_header(tree):
    (tree / "sim").mkdir(exist_ok=True)
    (tree / "sim" / "x.h").write_text("#define CAPTLS_FROM_SIM 1\n")


def test_dotdot_include_fails_naming_file(small_tree):
    # "core/../sim/x.h" matched core/*.h in the dependency list.
    tree = small_tree
    sim_header(tree)
    plant(tree / "core" / "base" / "text.c", '#include "core/../sim/x.h"\n')
    r = check(tree)
    assert r.returncode == 1
    lines = [l for l in r.stdout.splitlines() if "core/../sim/x.h" in l]
    assert lines and all("core/base/text.c" in l and "'..'" in l
                         for l in lines), r.stdout


def test_symlink_out_of_core_fails(small_tree):
    tree = small_tree
    sim_header(tree)
    os.symlink("../../sim/x.h", tree / "core" / "base" / "evil.h")
    plant(tree / "core" / "base" / "text.c", '#include "core/base/evil.h"\n')
    r = check(tree)
    assert r.returncode == 1
    assert any("core/base/text.c" in l and "sim/x.h" in l
               for l in r.stdout.splitlines()), r.stdout


HOSTED_BRANCH = ("#if __STDC_HOSTED__\n#include <stdio.h>\n"
                 "static void captls_hosted_log(void) { printf(\"x\"); }\n"
                 "#endif\n")


@pytest.mark.parametrize("cc", ["gcc", "clang"])
def test_hosted_only_branch_fails(small_tree, cc):
    # A freestanding compile never sees this branch (__STDC_HOSTED__ is 0).
    tree = small_tree
    plant(tree / "core" / "base" / "text.c", HOSTED_BRANCH)
    r = check(tree, cc)
    assert r.returncode == 1
    out = r.stdout
    assert "core/base/text.c:1: uses __STDC_HOSTED__" in out, out
    assert "core/base/text.c:2: includes <stdio.h>" in out, out
    assert "core/base/text.c:3: calls printf()" in out, out


@pytest.mark.parametrize("text,needle", [
    ("#ifdef __STDC_HOSTED__\n#include <stdio.h>\n#endif\n",
     "uses __STDC_HOSTED__"),
    # dead branch: the include is refused whatever the condition
    ("#if 0\n#include <stdio.h>\n#endif\n", "includes <stdio.h>"),
    # trigraph and digraph spellings of '#', and a spliced line
    ("#if 0\n??=include <stdlib.h>\n#endif\n", "includes <stdlib.h>"),
    ("#if 0\n%:include <stdlib.h>\n#endif\n", "includes <stdlib.h>"),
    ("#if 0\n#inc\\\nlude <stdlib.h>\n#endif\n", "includes <stdlib.h>"),
    ("#if 0\n# /* hidden */ include <stdlib.h>\n#endif\n",
     "includes <stdlib.h>"),
    # computed include, include_next, header probing
    ("#define CAPTLS_H <stdio.h>\n#include CAPTLS_H\n", "computed include"),
    ("#include_next <string.h>\n", "#include_next"),
    ("#if __has_include(<stdio.h>)\n#endif\n", "uses __has_include"),
    # a branch on an environment macro the check cannot flip
    ("#ifdef __linux__\nint captls_linux_only;\n#endif\n",
     "conditional on '__linux__'"),
    ("#define CAPTLS_ON_LINUX defined(__unix__)\n#if CAPTLS_ON_LINUX\n"
     "#endif\n", "conditional on '__unix__' (in the definition of "
     "CAPTLS_ON_LINUX)"),
    ("#ifndef NDEBUG\n#endif\n", "conditional on 'NDEBUG'"),
])
def test_hidden_branch_tricks_fail(small_tree, text, needle):
    tree = small_tree
    plant(tree / "core" / "base" / "text.c", text)
    r = check(tree)
    assert r.returncode == 1
    assert any(l.startswith("check-core: core/base/text.c:") and needle in l
               for l in r.stdout.splitlines()), r.stdout


def test_hosted_call_in_untaken_branch_fails(small_tree):
    # no include at all: a declaration and a call under #if 0
    tree = small_tree
    plant(tree / "core" / "base" / "text.c",
          "\n#if 0\nvoid *malloc(size_t n);\n"
          "void *captls_planted(void);\n"
          "void *captls_planted(void) { return malloc(1); }\n#endif\n",
          at_top=False)
    r = check(tree)
    assert r.returncode == 1
    assert "calls malloc()" in r.stdout and "core/base/text.c:" in r.stdout


def test_configuration_branch_is_compiled_too(small_tree):
    # the fuzz build's side of #ifdef CAPTLS_FUZZING: compiled again with
    # the macro defined, and its symbols checked
    tree = small_tree
    plant(tree / "core" / "base" / "text.c",
          "\n#ifdef CAPTLS_FUZZING\nint captls_planted_missing(void);\n"
          "int captls_planted(void);\n"
          "int captls_planted(void) { return captls_planted_missing(); }\n"
          "#endif\n", at_top=False)
    r = check(tree)
    assert r.returncode == 1
    assert ("core/base/text.c: uses symbol 'captls_planted_missing' (with "
            "CAPTLS_FUZZING defined)") in r.stdout, r.stdout


def test_comments_and_strings_are_not_code(small_tree):
    # the words alone, in a comment or a string, are not a violation
    tree = small_tree
    plant(tree / "core" / "base" / "text.c",
          "/* #include <stdio.h> under __STDC_HOSTED__ calls printf(x) */\n"
          "static const char captls_planted_s[] = \"printf(%s) malloc(\";\n"
          "const char *captls_planted_p(void);\n"
          "const char *captls_planted_p(void) { return captls_planted_s; }\n")
    r = check(tree)
    assert not any("core/base/text.c:" in l for l in r.stdout.splitlines()), \
        r.stdout
