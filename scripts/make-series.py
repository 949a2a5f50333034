#!/usr/bin/env python3
"""Cut the PKRAM overlay and patches/ into a mainline-style patch series.

Run by scripts/make-series.sh (`make series`), which makes sure the base
repository exists and passes everything through the environment:

  REPO, BUILD          the repository and its build/ directory
  SERIES_WORK          git repository of the base tree, tag pkram-base
  SERIES_OUT           where the series goes (build/series)
  SERIES_MAP           the map (scripts/series.map)
  SERIES_DATE          author/committer date of every commit (ISO 8601)
  SERIES_PREFIX        subject prefix (default PATCH)
  SERIES_OVERLAY_DIRS  the overlay directories of scripts/common.sh
  BASE_DESC            one line naming the base (package and version)

In SERIES_WORK, from pkram-base, it makes one commit per entry of the map,
checks that every overlay file and every patch went into exactly one
commit and that the last commit's tree is exactly the repository's (the
overlay files as they are in the working tree, the patches as applied in
patches/series order), then runs git format-patch and fills in the cover
letter. See scripts/series.map for the map's format.
"""
import datetime
import fnmatch
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.environ["REPO"]
BUILD = os.environ["BUILD"]
WORK = os.environ.get("SERIES_WORK", "")
OUT = os.environ.get("SERIES_OUT", "")
MAP = os.environ.get("SERIES_MAP", os.path.join(REPO, "scripts/series.map"))
DATE = os.environ["SERIES_DATE"]
PREFIX = os.environ.get("SERIES_PREFIX") or "PATCH"
OVERLAY_DIRS = os.environ["SERIES_OVERLAY_DIRS"].split()
BASE_DESC = os.environ.get("BASE_DESC", "the base tree")
BASE_TAG = "pkram-base"
SRC = None                             # snapshot of the sources, see snapshot()
COVER_NAME = "0000-cover-letter.txt"   # not *.patch: `git am *.patch` must skip it
SOB = "Signed-off-by: PKRAM developers <pkram@localhost>"


def log(msg):
    print(f"[series] {msg}", flush=True)


def die(msg):
    print(f"[series] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(args, cwd=WORK, env=None, check=True, inp=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(args, cwd=cwd, env=e, input=inp, capture_output=True, text=True)
    if check and p.returncode:
        die(f"{' '.join(args)} failed (in {cwd}):\n{p.stdout}{p.stderr}")
    return p


def git(*args, **kw):
    return run(["git", *args], **kw)


# ------------------------------------------------------------------ the map
class Entry:
    def __init__(self, subject, lineno):
        self.subject = subject
        self.lineno = lineno
        self.patches = []
        self.files = []          # patterns
        self.kconfig = []        # (path, [symbols])
        self.kbuild = []
        self.message = None

    def where(self):
        return f"{os.path.relpath(MAP, REPO)}:{self.lineno}"


def parse_map(path):
    cover_subject, cover, entries = None, None, []
    cur, key, text = None, None, None

    def end_text():
        nonlocal text
        if text is None:
            return
        body = "\n".join(text).strip("\n")
        if key == "cover":
            nonlocal cover
            cover = body
        else:
            cur.message = body
        text = None

    with open(path) as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if text is not None and (line == "" or line.startswith("  ")):
            text.append(line[2:])
            continue
        if not line.strip():
            continue
        if line[0] in " \t":
            if key in ("files", "patch"):
                (cur.files if key == "files" else cur.patches).extend(line.split())
                continue
            die(f"{path}:{n}: indented line outside files:, patch:, message: or cover:")
        end_text()
        if line.startswith("=="):
            cur = Entry(line[2:].strip(), n)
            entries.append(cur)
            key = None
            continue
        m = re.match(r"^([a-z-]+):\s*(.*)$", line)
        if not m:
            die(f"{path}:{n}: cannot parse: {line!r}")
        key, val = m.group(1), m.group(2).strip()
        if key == "cover-subject":
            cover_subject = val
            continue
        if key == "cover":
            text = []
            continue
        if cur is None:
            die(f"{path}:{n}: {key}: before the first '==' entry")
        if key == "patch":
            cur.patches.extend(val.split())
        elif key == "files":
            cur.files.extend(val.split())
        elif key == "kconfig":
            w = val.split()
            if len(w) < 2:
                die(f"{path}:{n}: kconfig: needs PATH SYMBOL...")
            cur.kconfig.append((w[0], w[1:]))
        elif key == "kbuild":
            cur.kbuild.extend(val.split())
        elif key == "message":
            if cur.message is not None:
                die(f"{path}:{n}: second message:")
            text = []
        else:
            die(f"{path}:{n}: unknown key {key}:")
    end_text()
    if not cover_subject or not cover:
        die(f"{path}: cover-subject: and cover: are required")
    return cover_subject, cover, entries


# ------------------------------------------------------------------ Kconfig / kbuild
KCONFIG_OTHER = re.compile(r"^(menu|endmenu|if|endif|choice|endchoice|source|comment|mainmenu)\b")


def kconfig_blocks(path, text):
    lines = text.splitlines(keepends=True)
    for n, line in enumerate(lines, 1):
        if KCONFIG_OTHER.match(line):
            die(f"{path}:{n}: kconfig: in the map supports only files of config blocks, not {line.split()[0]}")
    starts = [(i, m.group(2)) for i, line in enumerate(lines)
              if (m := re.match(r"^(menu)?config\s+(\w+)\s*$", line))]
    if not starts:
        die(f"{path}: no config blocks")
    blocks = []
    for k, (i, sym) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        blocks.append((sym, "".join(lines[i:end])))
    return "".join(lines[:starts[0][0]]), blocks


def kconfig_partial(path, text, selected):
    pre, blocks = kconfig_blocks(path, text)
    if all(sym in selected for sym, _ in blocks):
        return text
    out = pre + "".join(b for sym, b in blocks if sym in selected)
    return out.rstrip("\n") + "\n"


KBUILD_ASSIGN = re.compile(r"^((?:obj|lib)-\S*?\s*)(:=|\+=|=)\s*(.*)$")


def kbuild_partial(path, text, tree):
    """The kbuild Makefile at `path` with only the objects whose sources
    exist in `tree` (foo.o: foo.c or foo.S; dir/: a directory)."""
    d = os.path.dirname(path)

    def present(tok):
        if tok.endswith(".o"):
            base = os.path.join(tree, d, tok[:-2])
            return any(os.path.exists(base + ext) for ext in (".c", ".S", ".rs"))
        if tok.endswith("/"):
            return os.path.isdir(os.path.join(tree, d, tok))
        return True

    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        phys = [lines[i]]
        while phys[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            phys.append(lines[i])
        i += 1
        logical = " ".join(p[:-1] if p.endswith("\\") else p for p in phys)
        m = KBUILD_ASSIGN.match(logical)
        if not m:
            out.extend(phys)
            continue
        toks = m.group(3).split()
        keep = [t for t in toks if present(t)]
        if keep == toks:
            out.extend(phys)
            continue
        if not keep:
            continue
        head = m.group(1) + m.group(2) + " "
        indent = re.match(r"^\s*", phys[1]).group(0) if len(phys) > 1 else "\t\t\t\t  "
        cur, wrapped = head, []
        for t in keep:
            cand = cur + ("" if cur in (head, indent) else " ") + t
            if len((cand + " \\").expandtabs(8)) > 80 and cur not in (head, indent):
                wrapped.append(cur + " \\")
                cur = indent + t
            else:
                cur = cand
        wrapped.append(cur)
        out.extend(wrapped)
    return "\n".join(out)


# ------------------------------------------------------------------ inputs
def overlay_files():
    dirs = [d for d in OVERLAY_DIRS if os.path.isdir(os.path.join(REPO, d))]
    if not dirs:
        return []
    p = run(["git", "ls-files", "-co", "--exclude-standard", "--", *dirs], cwd=REPO)
    return sorted({f for f in p.stdout.splitlines() if os.path.isfile(os.path.join(REPO, f))})


def series_patches():
    out = []
    sf = os.path.join(REPO, "patches/series")
    if os.path.exists(sf):
        for line in open(sf):
            line = line.split("#", 1)[0].strip()
            if line:
                if not os.path.isfile(os.path.join(REPO, "patches", line)):
                    die(f"patches/series lists missing patch {line}")
                out.append(line)
    return out


def patch_paths(patch):
    paths = set()
    for line in open(patch, errors="replace"):
        m = re.match(r"^(?:\+\+\+|---) (\S+)", line)
        if m and m.group(1) != "/dev/null" and "/" in m.group(1):
            paths.add(m.group(1).split("/", 1)[1])
    return paths


def snapshot(overlay, patches):
    """Copy the overlay files and the patches, so that the series is made
    from one moment of a working tree others may be editing."""
    global SRC
    SRC = tempfile.mkdtemp(prefix="pkram-series-src.")
    for f in overlay + [os.path.join("patches", p) for p in patches]:
        os.makedirs(os.path.join(SRC, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(REPO, f), os.path.join(SRC, f))


def patch_key(name):
    """A patch's name without its number and .patch: renumbering patches/
    does not change what the map names."""
    name = os.path.basename(name)
    name = name[:-len(".patch")] if name.endswith(".patch") else name
    return re.sub(r"^\d+-", "", name)


def mailinfo(patch):
    with tempfile.TemporaryDirectory() as t:
        p = run(["git", "mailinfo", os.path.join(t, "msg"), os.path.join(t, "diff")],
                cwd=t, inp=open(patch, errors="replace").read())
        hdr = dict(line.split(": ", 1) for line in p.stdout.splitlines() if ": " in line)
        body = open(os.path.join(t, "msg")).read().strip("\n")
    return hdr.get("Subject", "").strip(), body


def assign(entries, overlay, patches):
    """Resolve the map: every overlay file, Kconfig block and patch exactly once."""
    owner, errors = {}, []
    kconf_owner = {}           # path -> {sym: entry index}
    kconf_files, kbuild_files = set(), set()
    used_patches = {}
    for k, e in enumerate(entries):
        e.paths = []
        for pat in e.files:
            if any(c in pat for c in "*?["):
                hits = [f for f in overlay if fnmatch.fnmatch(f, pat)]
            else:
                hits = [pat] if pat in overlay else []
            if not hits:
                errors.append(f"{e.where()}: files: {pat} matches no overlay file")
            for f in hits:
                if f in owner:
                    errors.append(f"{f} is in two commits: {entries[owner[f]].where()} and {e.where()}")
                else:
                    owner[f] = k
                    e.paths.append(f)
        for path, syms in e.kconfig:
            if path not in overlay:
                errors.append(f"{e.where()}: kconfig: {path} is not an overlay file")
                continue
            kconf_files.add(path)
            d = kconf_owner.setdefault(path, {})
            for s in syms:
                if s in d:
                    errors.append(f"{path}: config {s} is in two commits: {entries[d[s]].where()} and {e.where()}")
                d[s] = k
        for path in e.kbuild:
            if path not in overlay:
                errors.append(f"{e.where()}: kbuild: {path} is not an overlay file")
            elif path in kbuild_files:
                errors.append(f"{e.where()}: kbuild: {path} is given twice")
            kbuild_files.add(path)
        resolved = []
        for ref in e.patches:
            hits = [p for p in patches if patch_key(p) == patch_key(ref)]
            if len(hits) != 1:
                errors.append(f"{e.where()}: patch {ref}: {len(hits)} patches of patches/series match"
                              + (f" ({', '.join(hits)})" if hits else ""))
                continue
            resolved.append(hits[0])
        e.patches = resolved
        for p in e.patches:
            if p in used_patches:
                errors.append(f"patch {p} is in two commits: {entries[used_patches[p]].where()} and {e.where()}")
            else:
                used_patches[p] = k
        if not e.subject and len(e.patches) != 1:
            errors.append(f"{e.where()}: an entry without a subject takes it from its one patch, but has {len(e.patches)}")
        if e.message is None and len(e.patches) != 1:
            errors.append(f"{e.where()}: no message: (only an entry with exactly one patch may use the patch's)")
    for path in kconf_files:
        text = open(os.path.join(SRC, path)).read()
        _, blocks = kconfig_blocks(path, text)
        syms = [s for s, _ in blocks]
        for s in kconf_owner[path]:
            if s not in syms:
                errors.append(f"{path}: the map names config {s}, which the file does not have")
        for s in syms:
            if s not in kconf_owner[path]:
                errors.append(f"{path}: config {s} is in no commit: add it to a kconfig: line of {os.path.relpath(MAP, REPO)}")
    for path in kconf_files | kbuild_files:
        if path in owner:
            errors.append(f"{path} is given whole (files:) and in parts (kconfig:/kbuild:)")
        owner.setdefault(path, -1)
    if kconf_files & kbuild_files:
        errors.append(f"{sorted(kconf_files & kbuild_files)}: both kconfig: and kbuild:")
    for f in overlay:
        if f not in owner:
            errors.append(f"overlay file {f} is in no commit: add it to {os.path.relpath(MAP, REPO)}")
    for p in patches:
        if p not in used_patches:
            errors.append(f"patches/{p} is in no commit: add it to {os.path.relpath(MAP, REPO)}")
    if errors:
        for x in errors:
            print(f"[series] ERROR: {x}", file=sys.stderr)
        die(f"{len(errors)} problem(s) in {os.path.relpath(MAP, REPO)}; nothing written")
    return kconf_files, kbuild_files


# ------------------------------------------------------------------ cover letter
def check_results():
    """The last `make check` summary found in build/logs (or SERIES_TEST_LOG)."""
    cands = []
    if os.environ.get("SERIES_TEST_LOG"):
        cands.append(os.environ["SERIES_TEST_LOG"])
    cands += sorted(glob.glob(os.path.join(BUILD, "logs", "*")))
    best = None
    for c in cands:
        if not os.path.isfile(c) or os.path.getsize(c) > 64 << 20:
            continue
        summary, fails = None, []
        with open(c, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if re.match(r"^\d+ passed, \d+ failed$", line):
                    summary = line
                elif line.startswith("FAIL "):
                    fails.append(line.split()[1])
        if summary:
            mt = os.path.getmtime(c)
            if best is None or mt > best[2]:
                best = (summary, c, mt, fails)
    return best


def sources_mtime(overlay, patches):
    paths = [os.path.join(REPO, f) for f in overlay]
    paths += [os.path.join(REPO, "patches", p) for p in patches]
    return max((os.path.getmtime(p) for p in paths), default=0)


def series_hash(files):
    h = hashlib.sha256()
    for f in files:
        h.update(open(f, "rb").read())
    return h.hexdigest()[:16]


def fmt_time(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def wrap(text, width=72, indent=""):
    words, lines, cur = text.split(), [], indent
    for w in words:
        if len(cur) + len(w) + (cur != indent) > width and cur != indent:
            lines.append(cur)
            cur = indent
        cur += ("" if cur == indent else " ") + w
    lines.append(cur)
    return "\n".join(lines)


def cover_blurb(cover, n, first_build, overlay, patches, patch_files, entries):
    nw = len(str(n))
    num = lambda i: f"{i:0{nw}d}"
    parts = [cover, ""]
    if first_build is None:
        parts.append(wrap("No patch of this series enables CONFIG_PKRAM."))
    else:
        def span(ks):
            return (f"patch {num(ks[0])}" if len(ks) == 1 else
                    f"patches {num(ks[0])}-{num(ks[-1])}" if ks[-1] - ks[0] == len(ks) - 1 else
                    "patches " + ", ".join(num(k) for k in ks))
        prep = [k for k in range(1, first_build) if not entries[k - 1].paths
                and not entries[k - 1].kconfig and not entries[k - 1].kbuild]
        unbuilt = [k for k in range(1, first_build) if k not in prep]
        text = "How it is cut: "
        if prep:
            text += f"{span(prep)} prepare the base tree, one change each. "
        if unbuilt:
            text += (f"PKRAM's core, streams, handover and kexec side call each other, so "
                     f"{span(unbuilt)} add that code one piece at a time for review, not "
                     f"compiled yet, and ")
        else:
            text += "Then "
        text += (f"patch {num(first_build)} builds PKRAM; from there on every patch builds "
                 f"with CONFIG_PKRAM=y and adds one thing. The tests come last.")
        parts.append(wrap(text))
    parts += ["", wrap(f"Base: {BASE_DESC}. It applies with git am to that tree; "
                       f"it should apply to any 6.12 tree with few or no conflicts."),
              "", wrap("Config: CONFIG_PKRAM=y (x86-64, needs KEXEC_FILE). For the tests: "
                       "CONFIG_PKRAM_KUNIT_TEST=y, CONFIG_TEST_PKRAM=m, and on test kernels only "
                       "CONFIG_PKRAM_TEST_HOOKS=y; for the Hyper-V "
                       "ledger CONFIG_HYPERV_PKRAM_LEDGER (default y with HYPERV). "
                       "kernel/configs/pkram.config (last patch) is the kernel the "
                       "tests run on: make tinyconfig pkram.config."),
              "", "Testing:"]
    res = check_results()
    if res:
        summary, path, mt, fails = res
        stale = sources_mtime(overlay, patches) > mt
        line = (f"- make check (KUnit, pkramctl unit tests, kexec scenarios in "
                f"QEMU, fuzzing of the incoming parser) on the kernel of this "
                f"series: {summary} ({fmt_time(mt)}")
        line += ("; the sources changed since that run)" if stale else ")")
        if fails:
            line += f"; failed: {', '.join(fails)}"
        parts.append(wrap(line).replace("\n", "\n  "))
    else:
        parts.append(wrap("- make check: not run on this build (no \"N passed, N failed\" "
                          "summary in build/logs/).").replace("\n", "\n  "))
    rfile = os.path.join(BUILD, "series-check.result")
    sh = series_hash(patch_files)
    res = None
    if os.path.isfile(rfile):
        kv = dict(line.rstrip("\n").split("=", 1) for line in open(rfile) if "=" in line)
        if kv.get("hash") == sh:
            res = kv
    if res:
        parts.append(wrap(f"- make series-check, on exactly these patches: {res.get('summary', '?')} "
                          f"({res.get('date', '?')})").replace("\n", "\n  "))
    else:
        parts.append(wrap("- make series-check (git am onto the base, checkpatch --strict, "
                          "builds): not run on this version of the series.").replace("\n", "\n  "))
    return "\n".join(parts).rstrip("\n")


# ------------------------------------------------------------------ main
def main():
    cover_subject, cover, entries = parse_map(MAP)
    overlay = overlay_files()
    patches = series_patches()
    snapshot(overlay, patches)
    try:
        if sys.argv[1:] == ["--check-map"]:
            # only whether the map assigns every file and patch once
            assign(entries, overlay, patches)
            log(f"map ok: {len(entries)} commits, {len(overlay)} overlay files, {len(patches)} patches")
        else:
            make_series(cover_subject, cover, entries, overlay, patches)
    finally:
        shutil.rmtree(SRC, ignore_errors=True)


def make_series(cover_subject, cover, entries, overlay, patches):
    kconf_files, kbuild_files = assign(entries, overlay, patches)
    log(f"{len(entries)} commits from {len(overlay)} overlay files and {len(patches)} patches "
        f"({os.path.relpath(MAP, REPO)})")

    git("am", "--abort", check=False)
    git("checkout", "-q", "-f", "--detach", BASE_TAG)
    git("clean", "-q", "-fdx")
    env = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE}
    kconf_sel = {}             # path -> selected symbols so far
    kbuild_live = []           # kbuild files introduced so far
    first_build = None
    for k, e in enumerate(entries, 1):
        for p in e.patches:
            r = git("apply", "--index", "--whitespace=nowarn", os.path.join(SRC, "patches", p), check=False)
            if r.returncode:
                die(f"commit {k} ({e.where()}): patches/{p} does not apply here:\n{r.stderr}")
        staged = list(e.paths)
        for f in e.paths:
            dst = os.path.join(WORK, f)
            if os.path.lexists(dst):
                die(f"commit {k} ({e.where()}): {f} already exists in the tree (base or a patch): "
                    f"overlay files must be new")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(SRC, f), dst)
        for path, syms in e.kconfig:
            dst = os.path.join(WORK, path)
            if path not in kconf_sel and os.path.lexists(dst):
                die(f"commit {k} ({e.where()}): {path} already exists in the tree (base or a patch)")
            kconf_sel.setdefault(path, set()).update(syms)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w") as f:
                f.write(kconfig_partial(path, open(os.path.join(SRC, path)).read(), kconf_sel[path]))
            shutil.copymode(os.path.join(SRC, path), dst)
            staged.append(path)
        for path in e.kbuild:
            if os.path.lexists(os.path.join(WORK, path)):
                die(f"commit {k} ({e.where()}): {path} already exists in the tree")
            kbuild_live.append(path)
        for path in kbuild_live:
            dst = os.path.join(WORK, path)
            new = kbuild_partial(path, open(os.path.join(SRC, path)).read(), WORK)
            old = open(dst).read() if os.path.exists(dst) else None
            if new != old:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "w") as f:
                    f.write(new)
                shutil.copymode(os.path.join(SRC, path), dst)
                staged.append(path)
        if staged:
            git("add", "-f", "--", *staged)
        if git("diff", "--cached", "--quiet", check=False).returncode == 0:
            die(f"commit {k} ({e.where()}) changes nothing")
        subject, body = e.subject, e.message
        if len(e.patches) == 1 and (not subject or body is None):
            psub, pbody = mailinfo(os.path.join(SRC, "patches", e.patches[0]))
            subject = subject or psub
            body = pbody if body is None else body
        body = body.strip("\n")
        if not re.search(r"^Signed-off-by: ", body, re.M):
            body += "\n\n" + SOB
        with tempfile.NamedTemporaryFile("w", delete=False) as mf:
            mf.write(subject + "\n\n" + body + "\n")
        git("commit", "-q", "--no-verify", "--cleanup=whitespace", "-F", mf.name, env=env)
        os.unlink(mf.name)
        if first_build is None:
            mk = os.path.join(WORK, "mm/Kconfig")
            pk = os.path.join(WORK, "mm/pkram/Kconfig")
            if (os.path.exists(pk) and re.search(r"^config PKRAM$", open(pk).read(), re.M)
                    and 'source "mm/pkram/Kconfig"' in open(mk).read()):
                first_build = k

    # ---- the last commit must be the repository, exactly
    problems = []
    if git("status", "--porcelain").stdout.strip():
        problems.append("the work tree is not clean after the last commit")
    for f in overlay:
        a, b = os.path.join(WORK, f), os.path.join(SRC, f)
        if open(a, "rb").read() != open(b, "rb").read():
            problems.append(f"{f}: the last commit does not have it as the repository does")
    touched = set()
    for p in patches:
        touched |= patch_paths(os.path.join(SRC, "patches", p))
    changed = set(git("diff", "--name-only", BASE_TAG, "HEAD").stdout.split())
    want = set(overlay) | touched
    for f in sorted(changed - want):
        problems.append(f"{f}: changed by the series, but neither an overlay file nor in a patch")
    for f in sorted(want - changed):
        problems.append(f"{f}: not changed by the series")
    # the patches in patches/series order give the same files
    with tempfile.TemporaryDirectory() as t:
        ienv = {"GIT_INDEX_FILE": os.path.join(t, "index")}
        git("read-tree", BASE_TAG, env=ienv)
        for p in patches:
            r = git("apply", "--cached", "--whitespace=nowarn", os.path.join(SRC, "patches", p), env=ienv, check=False)
            if r.returncode:
                problems.append(f"patches/{p} does not apply in patches/series order: {r.stderr.strip()}")
        if touched:
            d = git("diff-index", "--cached", "--name-only", "HEAD", "--", *sorted(touched), env=ienv).stdout.split()
            for f in d:
                problems.append(f"{f}: differs from patches/ applied in patches/series order")
    if problems:
        for x in problems:
            print(f"[series] ERROR: {x}", file=sys.stderr)
        die("the series does not add up to the repository")
    for f in overlay + [os.path.join("patches", p) for p in patches]:
        a, b = os.path.join(SRC, f), os.path.join(REPO, f)
        if not os.path.isfile(b) or open(a, "rb").read() != open(b, "rb").read():
            log(f"note: {f} changed while make series ran; the series has it as it was when it started")

    # ---- format-patch and the cover letter
    os.makedirs(OUT, exist_ok=True)
    for f in glob.glob(os.path.join(OUT, "*.patch")) + glob.glob(os.path.join(OUT, COVER_NAME)):
        os.unlink(f)
    git("format-patch", "-q", "--cover-letter", f"--subject-prefix={PREFIX}", "-o", OUT,
        f"{BASE_TAG}..HEAD", env=env)
    cl = os.path.join(OUT, "0000-cover-letter.patch")
    pfiles = sorted(f for f in glob.glob(os.path.join(OUT, "*.patch")) if f != cl)
    n = len(pfiles)
    text = open(cl).read()
    blurb = cover_blurb(cover, n, first_build, overlay, patches, pfiles, entries)
    if "*** SUBJECT HERE ***" not in text or "*** BLURB HERE ***" not in text:
        die("git format-patch's cover letter has no placeholders")
    text = text.replace("*** SUBJECT HERE ***", cover_subject).replace("*** BLURB HERE ***", blurb)
    with open(os.path.join(OUT, COVER_NAME), "w") as f:
        f.write(text)
    os.unlink(cl)
    with open(os.path.join(BUILD, "series.info"), "w") as f:
        f.write(f"patches={n}\nfirst_build={first_build or 0}\nhash={series_hash(pfiles)}\n"
                f"head={git('rev-parse', 'HEAD').stdout.strip()}\nbase={BASE_DESC}\n")

    nw = len(str(n))
    for i, e in enumerate(entries, 1):
        s = git("log", "-1", "--format=%s", f"HEAD~{n - i}").stdout.strip()
        mark = "  <- PKRAM builds from here" if i == first_build else ""
        log(f"  {i:0{nw}d}/{n} {s}{mark}")
    stat = git("diff", "--shortstat", BASE_TAG, "HEAD").stdout.strip()
    log(f"{n} patches + cover letter in {os.path.relpath(OUT, REPO)}/: {stat}")
    log(f"apply to a 6.12 tree: git am {os.path.relpath(OUT, REPO)}/*.patch")


if __name__ == "__main__":
    main()
