#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutate.py - mutation testing of lib/ on a deterministic sample.

Each mutant is one small change to one line of one lib/*.c function: a
comparison flipped, && and || swapped, an errno value swapped, an integer
literal in a condition moved by one, a ++/-- statement or a span__fp*()
footprint call deleted, a return value changed.  The sample is drawn from
every possible mutant by a seed, weighted towards the files that hold most
of the model (pipe, splice, page, mm, check, skbuff).

For each mutant the script patches a scratch copy of the tree (never the
work tree it was started from), rebuilds the test targets in the copy's own
build directory, and runs the kill suite, stopping at the first failure:

  ctest -L unit -E 'package-consumer|tsan'   (all CMocka unit tests)
  scenario_language, scenario_determinism, scenario_corpus,
  scenario_check_modes                       (the fast Check suites)

and restores the file (checked with `git diff` in the copy, which is a git
repository of its own).  A mutant is "killed" when a test fails, "timeout"
when a test hangs past its time limit (counted as killed), "survived" when
every test passes and "not-compiled" when the build fails (left out of the
score).  Score = (killed + timeout) / (killed + timeout + survived).

Usage (from the top of the repository; see docs/mutation.md):

  nice -n 19 tests/mutate.py --seed 1 --count 80
  tests/mutate.py --seed 1 --count 80 --list          # the sample only
  tests/mutate.py --seed 1 --count 80 --only 12,40    # re-run two of it
  tests/mutate.py --file lib/pipe.c --function pipe_read --count 10
  tests/mutate.py --seed 1 --count 80 --only 12 --show   # the patch

Output (in --work, default build-mutate/): results.tsv (one row per
mutant), summary.json (the numbers and the survivors), report.md (the same
for people), logs/mNNN.log (the build or test output of each mutant).
"""

import argparse
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Files that hold most of the model get this weight, the others 1.
FOCUS = {"pipe.c": 4.0, "splice.c": 4.0, "page.c": 3.0, "mm.c": 3.0,
         "check.c": 3.0, "skbuff.c": 3.0}

# One replacement per relational operator: the boundary of an ordering,
# the negation of an equality.
REL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}

# errno swaps: pairs first, then everything else becomes -EINVAL.
ERRNO = {"EINVAL": "EFAULT", "EFAULT": "EINVAL", "EAGAIN": "EPIPE",
         "EPIPE": "EAGAIN", "ENOMEM": "ENOBUFS", "ENOBUFS": "ENOMEM",
         "ESRCH": "ENOENT", "ENOENT": "ESRCH", "EBADF": "EINVAL",
         "ECONNRESET": "EPIPE"}

# Operators and their sampling weights.  Relational flips are the most
# numerous sites; the weights keep the rarer kinds in a sample of 80.
OPERATORS = {
    "rel": 1.0,           # < <= > >= == != flipped (REL)
    "logic": 1.0,         # && <-> ||
    "errno": 1.0,         # -EINVAL <-> -EFAULT, ... (ERRNO)
    "lit+1": 1.0,         # N -> N+1, an integer literal in a condition
    "lit-1": 1.0,         # N -> N-1
    "del-incdec": 2.0,    # x++; / --x; deleted
    "del-fp": 2.0,        # span__fp*(...); deleted
    "ret-errno": 1.0,     # return 0; -> return -EINVAL;
    "ret-zero": 1.0,      # return -EXXX; -> return 0;
    "ret-bool": 1.5,      # return true; <-> return false;
}

# Suites run after the unit tests, in this order (fastest first).
DEFAULT_SUITES = ["scenario_language", "scenario_determinism",
                  "scenario_corpus", "scenario_check_modes"]


# --------------------------------------------------------------------------
# Finding mutation sites

def mask(text):
    """The text with comments, string and character literals and
    preprocessor lines blanked to spaces (newlines kept), so that every
    offset of the result is the same offset of the source."""
    out = list(text)
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            i += 1
            continue
        if line_start and c == "#":
            # a preprocessor line, with its continuations
            while i < n:
                if text[i] == "\n":
                    if i > 0 and text[i - 1] == "\\":
                        i += 1
                        continue
                    break
                out[i] = " "
                i += 1
            continue
        line_start = False
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        if text.startswith("//", i):
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i, min(j + 1, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
            continue
        if c == "\n":
            line_start = True
        i += 1
    return "".join(out)


def functions(text, code):
    """(name, body_start, body_end, returns_pointer) of every function
    whose body opens with "{" and closes with "}" in column 0."""
    lines = code.split("\n")
    offs, o = [], 0
    for ln in lines:
        offs.append(o)
        o += len(ln) + 1
    res = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{":
            # the signature starts at the last line above in column 0
            j = i - 1
            while j >= 0 and (not lines[j].strip() or lines[j][0] in " \t"):
                j -= 1
            sig = " ".join(l.strip() for l in lines[j:i])
            sig = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", sig)
            m = re.search(r"([A-Za-z_]\w*)\s*\(", sig)
            k = i + 1
            while k < len(lines) and lines[k].rstrip() != "}":
                k += 1
            if m:
                res.append((m.group(1), offs[i], offs[min(k, len(lines) - 1)],
                            "*" in sig[:m.start(1)]))
            i = k
        i += 1
    return res


def match_paren(code, i):
    """Offset just past the ")" closing the "(" at code[i]."""
    depth = 0
    while i < len(code):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def condition_spans(code, lo, hi):
    """Offsets of the conditions of if/while and of the middle of for."""
    spans = []
    for m in re.finditer(r"\b(if|while|for)\s*\(", code[lo:hi]):
        start = lo + m.end() - 1
        end = match_paren(code, start)
        if end < 0:
            continue
        if m.group(1) != "for":
            spans.append((start + 1, end - 1))
            continue
        depth, semis = 0, []
        for k in range(start, end):
            if code[k] == "(":
                depth += 1
            elif code[k] == ")":
                depth -= 1
            elif code[k] == ";" and depth == 1:
                semis.append(k)
        if len(semis) == 2:
            spans.append((semis[0] + 1, semis[1]))
    return spans


def sites(path, rel_path):
    """Every candidate mutant of one file: dicts with file, start, end
    (offsets of the replaced text), original, mutated, operator,
    function."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code = mask(text)
    out = []

    def add(fn, start, end, new, op):
        out.append({"file": rel_path, "start": start, "end": end,
                    "original": text[start:end], "mutated": new,
                    "operator": op, "function": fn,
                    "line": text.count("\n", 0, start) + 1})

    for fn, lo, hi, ret_ptr in functions(text, code):
        body = code[lo:hi]
        # relational operators (not shifts, arrows or assignments)
        for m in re.finditer(r"<<=|>>=|<<|>>|->|<=|>=|==|!=|<|>", body):
            if m.group(0) in REL:
                add(fn, lo + m.start(), lo + m.end(), REL[m.group(0)], "rel")
        for m in re.finditer(r"&&|\|\|", body):
            add(fn, lo + m.start(), lo + m.end(),
                "||" if m.group(0) == "&&" else "&&", "logic")
        for m in re.finditer(r"(?<![\w)\]])-\s*(E[A-Z0-9]+)\b", body):
            name = m.group(1)
            new = ERRNO.get(name, "EINVAL" if name != "EINVAL" else "EFAULT")
            add(fn, lo + m.start(1), lo + m.end(1), new, "errno")
        for a, b in condition_spans(code, lo, hi):
            for m in re.finditer(r"(?<![\w.])(\d+)([uUlL]*)(?![\w.])",
                                 code[a:b]):
                if code[a + m.start() - 1:a + m.start()] == "-":
                    continue
                v = int(m.group(1))
                s, e = a + m.start(1), a + m.end(1)
                add(fn, s, e, str(v + 1), "lit+1")
                if v > 0:
                    add(fn, s, e, str(v - 1), "lit-1")
        # statements: ++/-- alone, span__fp*() alone
        for m in re.finditer(
                r"(?m)^[ \t]*((?:\+\+|--)[\w.\[\]>\- ]+?|[\w.\[\]>\- ]+?(?:\+\+|--))[ \t]*;",
                body):
            if "=" in m.group(1):
                continue
            add(fn, lo + m.start(1), lo + m.end(0), ";", "del-incdec")
        for m in re.finditer(r"(?m)^[ \t]*(span__fp\w*)\s*\(", body):
            s = lo + m.start(1)
            e = match_paren(code, lo + m.end() - 1)
            while e > 0 and code[e] in " \t\n":
                e += 1
            if e > 0 and code[e] == ";":
                add(fn, s, e + 1, ";", "del-fp")
        for m in re.finditer(r"\breturn\s+(0|-\s*E[A-Z0-9]+|true|false)\s*;",
                             body):
            s, e = lo + m.start(1), lo + m.end(1)
            v = m.group(1)
            if v == "0" and not ret_ptr:
                add(fn, s, e, "-EINVAL", "ret-errno")
            elif v.startswith("-"):
                add(fn, s, e, "0", "ret-zero")
            elif v in ("true", "false"):
                add(fn, s, e, "false" if v == "true" else "true", "ret-bool")
    return out


def sample(root, files, function, seed, count):
    cands = []
    for rel_path in files:
        for c in sites(os.path.join(root, rel_path), rel_path):
            if function and c["function"] != function:
                continue
            cands.append(c)
    cands.sort(key=lambda c: (c["file"], c["start"], c["operator"],
                              c["mutated"]))
    rng = random.Random(seed)
    keyed = []
    for c in cands:
        w = FOCUS.get(os.path.basename(c["file"]), 1.0) * \
            OPERATORS[c["operator"]]
        keyed.append((rng.random() ** (1.0 / w), c))
    keyed.sort(key=lambda kc: -kc[0])
    picked = [c for _, c in keyed[:count]]
    picked.sort(key=lambda c: (c["file"], c["start"], c["operator"]))
    for i, c in enumerate(picked, 1):
        c["id"] = i
    return picked, cands


# --------------------------------------------------------------------------
# The scratch tree

def git(args, cwd, **kw):
    return subprocess.run(["git", "-c", "user.name=mutate",
                           "-c", "user.email=mutate@localhost"] + args,
                          cwd=cwd, check=True, **kw)


def sync_tree(root, src):
    """Copy the tracked and untracked (not ignored) files of root into
    src, a git repository of its own, and commit them there."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                            "--exclude-standard"], cwd=root, check=True,
                           capture_output=True).stdout.decode().split("\0")
    files = [f for f in files if f and os.path.isfile(os.path.join(root, f))]
    os.makedirs(src, exist_ok=True)
    if not os.path.isdir(os.path.join(src, ".git")):
        git(["init", "-q"], src)
    keep = set(files)
    for f in files:
        a, b = os.path.join(root, f), os.path.join(src, f)
        with open(a, "rb") as fa:
            data = fa.read()
        try:
            with open(b, "rb") as fb:
                same = fb.read() == data
        except OSError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(b), exist_ok=True)
            with open(b, "wb") as fb:
                fb.write(data)
            shutil.copymode(a, b)
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=src, check=True,
                             capture_output=True).stdout.decode().split("\0")
    for f in tracked:
        if f and f not in keep and os.path.exists(os.path.join(src, f)):
            os.unlink(os.path.join(src, f))
    git(["add", "-A"], src)
    if subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=src).returncode:
        git(["commit", "-q", "-m", "sync"], src)


def tree_clean(src):
    return subprocess.run(["git", "diff", "--quiet"], cwd=src).returncode == 0 \
        and not subprocess.run(["git", "status", "--porcelain",
                                "--untracked-files=no"], cwd=src, check=True,
                               capture_output=True).stdout.strip()


# --------------------------------------------------------------------------
# Building and testing

def limits(mem_mb):
    def pre():
        if mem_mb:
            b = mem_mb << 20
            resource.setrlimit(resource.RLIMIT_AS, (b, b))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return pre


def run(cmd, log, timeout, mem_mb=0, cwd=None):
    """Run cmd in its own process group, append its output to log; return
    (exit code or None on timeout, output)."""
    with open(log, "a") as lf:
        lf.write("$ " + " ".join(cmd) + "\n")
        lf.flush()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True,
                             preexec_fn=limits(mem_mb))
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            rc = None
        except BaseException:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise
        out = out.decode(errors="replace")
        lf.write(out)
        if rc is None:
            lf.write("[mutate.py: killed after %d s]\n" % timeout)
    return rc, out


def configure(src, build, log):
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    if os.path.exists(os.path.join(build, "CMakeCache.txt")):
        gen = []
    rc, _ = run(["cmake"] + gen + ["-S", src, "-B", build,
                 "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DSPAN_WERROR=OFF",
                 "-DSPAN_BUILD_BENCH=OFF", "-DSPAN_BUILD_FUZZ=OFF"],
                log, 600)
    return rc == 0


def unit_tests(build):
    out = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", "unit",
                          "-E", "package-consumer|tsan"], check=True,
                         capture_output=True, text=True).stdout
    return re.findall(r"Test\s+#\d+: (\S+)", out)


def build_targets(build, targets, log):
    rc, _ = run(["cmake", "--build", build, "-j1", "--target"] + targets,
                log, 1800)
    return rc == 0


FAIL_RE = re.compile(r"Test\s+#\d+: (\S+) \.*\s*(\*+\s*)?(.*)$", re.M)


def first_failure(out):
    """(test, kind) of the first test ctest did not report as passed."""
    for m in FAIL_RE.finditer(out):
        verdict = m.group(3).strip()
        if not verdict.startswith("Passed"):
            return m.group(1), verdict
    return None, None


def check_failure(out):
    """The first failing Check test ("file:line:E:tcase:test:i: message")
    or CMocka test ("[  FAILED  ] name"), for the report."""
    m = re.search(r"^[^\s:]+:\d+:[EF]:[^:]*:([^:]+):\d+: ?(.*)$", out, re.M)
    if m:
        return m.group(1) + ": " + m.group(2)[:120]
    m = re.search(r"^\[  FAILED  \] ([A-Za-z_]\w*)\s*$", out, re.M)
    if m:
        return m.group(1)
    return ""


def kill_suite(build, suites, budgets, log, mem_mb):
    """Run the unit tests, then each suite; stop at the first failure.
    Return (status, killer, detail)."""
    steps = [("unit", ["-L", "unit", "-E", "package-consumer|tsan"])] + \
        [(s, ["-R", "^%s$" % s]) for s in suites]
    for name, sel in steps:
        t = budgets[name]
        rc, out = run(["ctest", "--test-dir", build, "-j1",
                       "--stop-on-failure", "--output-on-failure",
                       "--timeout", str(t)] + sel,
                      log, t * 2 + 60, mem_mb)
        if rc is None:
            return "timeout", name, "ctest killed after %d s" % (t * 2 + 60)
        if rc != 0:
            test, verdict = first_failure(out)
            test = test or name
            detail = check_failure(out)
            if "Timeout" in (verdict or "") or \
                    "Test timeout expired" in out:
                return "timeout", test, (verdict or "") + " " + detail
            return "killed", test, ((verdict or "") + " " + detail).strip()
    return "survived", "", ""


# --------------------------------------------------------------------------
# Reports

def one_line(s):
    return re.sub(r"\s+", " ", s).strip()


def write_reports(work, args, results, meta):
    counted = [r for r in results if r["status"] in
               ("killed", "timeout", "survived")]
    killed = sum(r["status"] == "killed" for r in results)
    timeout = sum(r["status"] == "timeout" for r in results)
    survived = sum(r["status"] == "survived" for r in results)
    notc = sum(r["status"] == "not-compiled" for r in results)
    score = (killed + timeout) / len(counted) if counted else 0.0
    cols = ["id", "file", "line", "function", "operator", "original",
            "mutated", "status", "killer", "detail", "build_s", "test_s"]
    with open(os.path.join(work, "results.tsv"), "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in results:
            f.write("\t".join(one_line(str(r.get(c, ""))).replace("\t", " ")
                              for c in cols) + "\n")
    summary = dict(meta, tried=len(results), compiled=len(counted),
                   killed=killed, timeout=timeout, survived=survived,
                   not_compiled=notc, score=round(score, 4),
                   survivors=[{k: r[k] for k in ("id", "file", "line",
                               "function", "operator", "original",
                               "mutated")} for r in results
                              if r["status"] == "survived"])
    with open(os.path.join(work, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    with open(os.path.join(work, "report.md"), "w") as f:
        f.write("# Mutation testing of lib/\n\n")
        f.write("seed %s, count %s%s, commit %s, kill suite: %s; "
                "%s min\n\n"
                % (meta["seed"], meta["count"],
                   " (only %s)" % meta["only"] if meta.get("only") else "",
                   meta["commit"], ", ".join(meta["suites"]),
                   meta.get("minutes")))
        f.write("tried %d, compiled %d, killed %d (of which %d by timeout), "
                "survived %d, not compiled %d\n\n"
                % (len(results), len(counted), killed + timeout, timeout,
                   survived, notc))
        f.write("**score %.1f%%** = killed / (killed + survived) = %d / %d\n\n"
                % (100 * score, killed + timeout, len(counted)))
        f.write("| id | where | function | operator | original | mutated "
                "| status | killed by |\n|---|---|---|---|---|---|---|---|\n")
        for r in results:
            f.write("| %d | %s:%d | %s | %s | `%s` | `%s` | %s | %s |\n" % (
                r["id"], r["file"], r["line"], r["function"], r["operator"],
                one_line(r["original"])[:60].replace("|", "\\|"),
                one_line(r["mutated"]).replace("|", "\\|"), r["status"],
                r.get("killer", "")))
        surv = [r for r in results if r["status"] == "survived"]
        f.write("\n## Survivors (%d)\n\n" % len(surv))
        for r in surv:
            f.write("- %d %s:%d %s: %s `%s` -> `%s`\n" % (
                r["id"], r["file"], r["line"], r["function"], r["operator"],
                one_line(r["original"])[:60], one_line(r["mutated"])))
    return score


def mutate_text(text, m):
    return text[:m["start"]] + m["mutated"] + text[m["end"]:]


def show(root, m):
    path = os.path.join(root, m["file"])
    with open(path) as f:
        text = f.read()
    new = mutate_text(text, m)
    import difflib
    sys.stdout.writelines(difflib.unified_diff(
        text.splitlines(True), new.splitlines(True),
        "a/" + m["file"], "b/" + m["file"], n=2))


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="Mutation testing of lib/ on a deterministic sample.")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=80,
                    help="mutants in the sample (default 80)")
    ap.add_argument("--file", action="append", default=[],
                    help="only this file (repeatable), e.g. lib/pipe.c")
    ap.add_argument("--function", help="only this function")
    ap.add_argument("--only", help="run only these ids of the sample (1,5,9)")
    ap.add_argument("--list", action="store_true",
                    help="print the sample and stop")
    ap.add_argument("--show", action="store_true",
                    help="print the patch of each mutant and stop")
    ap.add_argument("--suites", default=",".join(DEFAULT_SUITES),
                    help="scenario suites after the unit tests "
                    "(comma-separated; empty for the unit tests only)")
    ap.add_argument("--work", default=os.path.join(ROOT, "build-mutate"),
                    help="scratch directory (default build-mutate/)")
    ap.add_argument("--out", help="directory of the reports (default: "
                    "--work)")
    ap.add_argument("--timeout-factor", type=float, default=4.0,
                    help="a test's time limit is this times its time on "
                    "the unmutated tree, and at least 30 s")
    ap.add_argument("--mem-limit", type=int, default=4096,
                    help="address-space limit of the tests, MiB (0: none)")
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="start no new mutant after this long (0: no limit)")
    args = ap.parse_args()

    files = args.file or sorted("lib/" + f for f in os.listdir(
        os.path.join(ROOT, "lib")) if f.endswith(".c"))
    files = [os.path.relpath(os.path.join(ROOT, f), ROOT)
             if not os.path.isabs(f) else os.path.relpath(f, ROOT)
             for f in files]
    picked, cands = sample(ROOT, files, args.function, args.seed, args.count)
    if args.only:
        ids = {int(x) for x in args.only.split(",") if x}
        picked = [m for m in picked if m["id"] in ids]
    if args.list or args.show:
        by_op = {}
        for c in cands:
            by_op[c["operator"]] = by_op.get(c["operator"], 0) + 1
        print("# %d candidate mutants (%s); sample of %d, seed %d" % (
            len(cands), ", ".join("%s %d" % kv for kv in sorted(by_op.items())),
            len(picked), args.seed))
        for m in picked:
            if args.show:
                show(ROOT, m)
            else:
                print("%3d %s:%d %s %s `%s` -> `%s`" % (
                    m["id"], m["file"], m["line"], m["function"],
                    m["operator"], one_line(m["original"])[:60],
                    one_line(m["mutated"])))
        return 0

    work = os.path.abspath(args.work)
    src, build = os.path.join(work, "src"), os.path.join(work, "build")
    logs = os.path.join(work, "logs")
    os.makedirs(logs, exist_ok=True)
    # The scenario suites look for ../shared beside the source tree.
    shared = os.path.join(os.path.dirname(ROOT), "shared")
    link = os.path.join(work, "shared")
    if os.path.isdir(shared) and not os.path.lexists(link):
        os.symlink(shared, link)
    suites = [s for s in args.suites.split(",") if s]
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"],
                            cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "lib",
                            "tests"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    t0 = time.time()
    print("mutate.py: %d mutants (seed %d) of %d candidates, commit %s%s" % (
        len(picked), args.seed, len(cands), commit,
        " (with uncommitted changes)" if dirty else ""), flush=True)
    sync_tree(ROOT, src)

    baselog = os.path.join(logs, "baseline.log")
    if os.path.exists(baselog):
        os.unlink(baselog)
    if not configure(src, build, baselog):
        print("mutate.py: cmake failed, see %s" % baselog)
        return 2
    targets = ["spansim"] + unit_tests(build) + suites
    if not build_targets(build, targets, baselog):
        print("mutate.py: the unmutated tree does not build, see %s" % baselog)
        return 2
    # Baseline: every test passes on the unmutated tree; its times set the
    # time limits.
    budgets = {}
    for name, sel in [("unit", ["-L", "unit", "-E", "package-consumer|tsan"])] \
            + [(s, ["-R", "^%s$" % s]) for s in suites]:
        t = time.time()
        rc, _ = run(["ctest", "--test-dir", build, "-j1",
                     "--output-on-failure"] + sel, baselog, 3600,
                    args.mem_limit)
        dt = time.time() - t
        if rc != 0:
            print("mutate.py: %s fails on the unmutated tree, see %s"
                  % (name, baselog))
            return 2
        budgets[name] = int(max(30, args.timeout_factor * dt))
        print("  baseline %-22s %6.1f s (limit %d s)" % (name, dt,
              budgets[name]), flush=True)

    results = []
    meta = {"seed": args.seed, "count": args.count, "commit": commit,
            "files": files, "function": args.function,
            "suites": ["unit"] + suites, "budgets": budgets,
            "candidates": len(cands), "only": args.only}
    try:
        for m in picked:
            if args.max_minutes and time.time() - t0 > args.max_minutes * 60:
                print("mutate.py: --max-minutes reached, %d mutants not run"
                      % (len(picked) - len(results)))
                meta["incomplete"] = True
                break
            path = os.path.join(src, m["file"])
            log = os.path.join(logs, "m%03d.log" % m["id"])
            if os.path.exists(log):
                os.unlink(log)
            with open(path, encoding="utf-8") as f:
                orig = f.read()
            assert orig[m["start"]:m["end"]] == m["original"], m
            r = dict(m)
            try:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(mutate_text(orig, m))
                t = time.time()
                ok = build_targets(build, targets, log)
                r["build_s"] = round(time.time() - t, 1)
                t = time.time()
                if not ok:
                    r.update(status="not-compiled", killer="", detail="")
                else:
                    st, killer, detail = kill_suite(build, suites, budgets,
                                                    log, args.mem_limit)
                    r.update(status=st, killer=killer, detail=detail)
                r["test_s"] = round(time.time() - t, 1)
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(orig)
            if not tree_clean(src):
                print("mutate.py: the scratch tree is not clean after "
                      "mutant %d" % m["id"])
                return 2
            results.append(r)
            print("%3d %-16s %-24s %-10s %-12s %s -> %s  %s" % (
                m["id"], "%s:%d" % (os.path.basename(m["file"]), m["line"]),
                m["function"][:24], m["operator"], r["status"],
                one_line(m["original"])[:30], one_line(m["mutated"]),
                r["killer"]), flush=True)
    except KeyboardInterrupt:
        meta["incomplete"] = True
        print("mutate.py: interrupted")
    meta["minutes"] = round((time.time() - t0) / 60, 1)
    # leave the build matching the unmutated tree
    build_targets(build, targets, baselog)
    out = os.path.abspath(args.out or work)
    os.makedirs(out, exist_ok=True)
    score = write_reports(out, args, results, meta)
    s = sum(r["status"] == "survived" for r in results)
    k = sum(r["status"] in ("killed", "timeout") for r in results)
    print("mutate.py: %d tried, %d compiled, %d killed (%d by timeout), "
          "%d survived, %d not compiled; score %.1f%% (%.1f min)" % (
              len(results), k + s, k,
              sum(r["status"] == "timeout" for r in results), s,
              sum(r["status"] == "not-compiled" for r in results),
              100 * score, meta["minutes"]))
    print("mutate.py: %s/report.md, results.tsv, summary.json"
          % os.path.relpath(out, os.getcwd()))
    return 1 if meta.get("incomplete") else 0


if __name__ == "__main__":
    sys.exit(main())
