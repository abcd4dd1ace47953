#!/usr/bin/env python3
"""check-core, the textual half (called by ci/check-core.sh).

The compile half sees only the preprocessor branches the check's own flags
select; this half reads every branch. From each core/**/*.c (test_*.c
excluded) it follows every quoted #include, whatever #if surrounds it, and
in each file reached refuses:
  - an #include outside the allow-list: <stddef.h> <stdint.h> <stdbool.h>
    <string.h> <limits.h> <bearssl*.h>, or "..." naming a file that really
    lies in core/ (symlinks resolved) or is port/port.h;
  - a '..' component or an absolute path in an #include;
  - a computed include (#include MACRO), #include_next, #import;
  - __STDC_HOSTED__, __has_include and __has_include_next anywhere outside
    comments (a hosted-only branch is invisible to a freestanding compile);
  - a conditional (#if #elif #ifdef #ifndef) on an identifier that is not
    core's own macro, one of the build-configuration macros below (which
    check-core.sh compiles both ways), or a compiler/target macro on the
    list below; own macros are followed into their #define bodies;
  - a call of a hosted C library function (printf, malloc, ...) in any
    branch, string literals and comments excluded.
It also writes, for check-core.sh, the files to compile once more with each
configuration macro defined ("MACRO<TAB>file" per line).
Trigraph ??= and digraph %: count as '#'; backslash-newlines are spliced.
Usage: check_core_scan.py ROOT VARIANTS_OUT   (exit 1 on any violation)
"""
import os
import re
import sys

ALLOWED_SYSTEM = {"stddef.h", "stdint.h", "stdbool.h", "string.h", "limits.h",
                  "bearssl.h"}
ALLOWED_SYSTEM_RE = re.compile(r"bearssl_[a-z0-9_]+\.h")
# Defined by the build for some variants; check-core.sh compiles every file
# that (transitively) mentions one of them again with it defined.
CONFIG_MACROS = ["CAPTLS_PORTABLE_CRYPTO", "CAPTLS_FUZZING",
                 "__SANITIZE_ADDRESS__"]
# Compiler/target macros core may test: they select code paths, not the
# hosted/freestanding split. Anything else needs adding here with a reason.
TARGET_MACROS = {"__GNUC__", "__clang__", "__x86_64__", "__SIZEOF_INT128__",
                 "__has_feature"}
FORBIDDEN_TOKENS = {"__STDC_HOSTED__", "__has_include", "__has_include_next"}
HOSTED_CALLS = {
    "printf", "fprintf", "sprintf", "snprintf", "vprintf", "vfprintf",
    "vsprintf", "vsnprintf", "dprintf", "puts", "fputs", "putchar", "fputc",
    "putc", "fwrite", "fread", "fopen", "fclose", "fflush", "fgets", "perror",
    "scanf", "sscanf", "malloc", "calloc", "realloc", "free", "aligned_alloc",
    "posix_memalign", "exit", "_Exit", "abort", "atexit", "getenv", "system",
    "strerror", "qsort", "time", "clock", "rand", "srand", "assert",
    "setjmp", "longjmp", "signal", "raise"}

DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*([A-Za-z_]\w*)?(.*)$")
TOKEN = re.compile(r"\.?[0-9](?:[eEpP][+-]|[\w.])*|[A-Za-z_]\w*")
CALL = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*\(")


def strip(text, keep_strings):
    """Splices continuations, maps ??= and %: to '#', blanks comments (and
    string/char literals unless keep_strings), keeping line numbers."""
    text = text.replace("??=", "#")
    text = re.sub(r"(^|\n)([ \t]*)%:", r"\1\2#", text)
    out = []
    i, n = 0, len(text)
    pending_nl = 0
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            pending_nl += 1
            i += 2
            continue
        if c == "\n":
            out.append("\n" * (pending_nl + 1))
            pending_nl = 0
            i += 1
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            pending_nl += text.count("\n", i, j)
            out.append(" ")
            i = j
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    pending_nl += 1
                    i += 1
                i += 1
            out.append(" ")
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j] if keep_strings else c + c)
            i = j
            continue
        out.append(c)
        i += 1
    out.append("\n" * pending_nl)
    return "".join(out)


class Scan:
    def __init__(self, root):
        self.root = os.path.realpath(root)
        self.core = os.path.join(self.root, "core")
        self.port_h = os.path.join(self.root, "port", "port.h")
        self.errors = []
        self.files = {}      # rel path -> (code lines, code-without-strings)
        self.includes = {}   # rel path -> [rel paths of core headers]
        self.defines = {}    # macro -> [(rel, body)]
        self.conds = []      # (rel, line, expression)

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def err(self, rel, line, msg):
        self.errors.append(f"check-core: {rel}:{line}: {msg}")

    def resolve(self, rel, line, name):
        parts = name.split("/")
        if ".." in parts:
            self.err(rel, line, f'includes "{name}": \'..\' in an include '
                     "path, which core/ may not use")
            return None
        if name.startswith("/"):
            self.err(rel, line, f'includes "{name}": an absolute path, '
                     "which core/ may not use")
            return None
        here = os.path.dirname(os.path.join(self.root, rel))
        for base in (here, self.root):
            cand = os.path.join(base, name)
            if os.path.isfile(cand):
                real = os.path.realpath(cand)
                if real == self.port_h:
                    return None
                if real.startswith(self.core + os.sep) and real.endswith(".h"):
                    return self.rel(real)
                self.err(rel, line, f'includes "{name}" ({self.rel(real)}), '
                         "which core/ may not use")
                return None
        self.err(rel, line, f'includes "{name}", which is not in core/')
        return None

    def read(self, rel):
        if rel in self.files:
            return
        with open(os.path.join(self.root, rel), encoding="utf-8",
                  errors="replace") as f:
            raw = f.read()
        code = strip(raw, keep_strings=True).split("\n")
        bare = strip(raw, keep_strings=False).split("\n")
        self.files[rel] = (code, bare)
        self.includes[rel] = []
        for no, (line, bline) in enumerate(zip(code, bare), 1):
            for tok in TOKEN.findall(bline):
                if tok in FORBIDDEN_TOKENS:
                    self.err(rel, no, f"uses {tok}: a hosted-only (or "
                             "header-probing) branch, which core/ may not use")
            m = DIRECTIVE.match(line)
            if not (m and m.group(1) in ("include", "include_next")):
                for call in CALL.findall(bline):
                    if call in HOSTED_CALLS:
                        self.err(rel, no, f"calls {call}(), a hosted C "
                                 "library function, which core/ may not use")
            if not m:
                continue
            name, rest = m.group(1) or "", m.group(2).strip()
            if name in ("include_next", "import"):
                self.err(rel, no, f"uses #{name}, which core/ may not use")
            elif name == "include":
                self.include(rel, no, rest)
            elif name in ("if", "elif", "ifdef", "ifndef"):
                self.conds.append((rel, no, rest))
            elif name == "define":
                dm = re.match(r"([A-Za-z_]\w*)(\([^)]*\))?(.*)", rest)
                if dm:
                    self.defines.setdefault(dm.group(1), []).append(
                        (rel, no, dm.group(3)))

    def include(self, rel, no, rest):
        m = re.match(r'<([^>]*)>\s*$', rest)
        if m:
            name = m.group(1).strip()
            if name in ALLOWED_SYSTEM or ALLOWED_SYSTEM_RE.fullmatch(name):
                return
            self.err(rel, no, f"includes <{name}>, which core/ may not use")
            return
        m = re.match(r'"([^"]*)"\s*$', rest)
        if not m:
            self.err(rel, no, f"#include {rest}: a computed include, which "
                     "core/ may not use")
            return
        target = self.resolve(rel, no, m.group(1))
        if target:
            self.includes[rel].append(target)
            self.read(target)

    def check_conds(self):
        seen_bodies = set()

        def check_expr(rel, no, expr, via):
            expr = re.sub(r"__has_feature\s*\(\s*\w+\s*\)", "1", expr)
            for tok in TOKEN.findall(expr):
                if tok[0].isdigit() or tok[0] == "." or tok == "defined":
                    continue
                if tok in TARGET_MACROS or tok in CONFIG_MACROS:
                    continue
                if tok in FORBIDDEN_TOKENS:
                    continue  # reported where it is written
                if tok in self.defines:
                    for drel, dno, body in self.defines[tok]:
                        if (drel, dno) not in seen_bodies:
                            seen_bodies.add((drel, dno))
                            check_expr(drel, dno, body, tok)
                    continue
                what = f" (in the definition of {via})" if via else ""
                self.err(rel, no, f"conditional on '{tok}'{what}, which "
                         "check-core cannot compile both ways: core/ may test "
                         "only its own macros, "
                         + ", ".join(CONFIG_MACROS + sorted(TARGET_MACROS)))

        for rel, no, expr in self.conds:
            check_expr(rel, no, expr, None)

    def closure(self, rel):
        seen, todo = set(), [rel]
        while todo:
            f = todo.pop()
            if f in seen:
                continue
            seen.add(f)
            todo.extend(self.includes.get(f, []))
        return seen


def main():
    root, variants_out = sys.argv[1], sys.argv[2]
    scan = Scan(root)
    sources = []
    for dirpath, _, names in os.walk(scan.core):
        for name in names:
            if name.endswith(".c") and not name.startswith("test_"):
                sources.append(scan.rel(os.path.join(dirpath, name)))
    sources.sort()
    for src in sources:
        scan.read(src)
    scan.check_conds()
    with open(variants_out, "w") as out:
        for src in sources:
            files = scan.closure(src)
            for macro in CONFIG_MACROS:
                if any(macro in line for f in files
                       for line in scan.files[f][1]):
                    out.write(f"{macro}\t{src}\n")
    for e in scan.errors:
        print(e)
    return 1 if scan.errors else 0


if __name__ == "__main__":
    sys.exit(main())
