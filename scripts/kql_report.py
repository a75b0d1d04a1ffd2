#!/usr/bin/env python3
"""KQL coverage and differential report: sigmaplay vs pySigma-backend-kusto.

Converts every rule of shared/corpus/sigmahq/rules*/ with each built-in target
(`sigmaplay convert ... --format jsonl`, release build) and compares with
pySigma's output in shared/corpus/reference-kql/<target>.jsonl.

    scripts/kql_report.py            # Markdown tables on stdout (docs/kql.md)
    scripts/kql_report.py --examples # also one example per difference cause

Causes are found by textual signatures on the two queries (and the rule text);
a rule can have several causes. The classification is heuristic: it says what
differs, the doc says why it matters.
"""
import collections
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus"))
SIGMAHQ = os.path.join(CORPUS, "sigmahq")
REF = os.path.join(CORPUS, "reference-kql")
TARGETS = ["sentinel_asim", "microsoft_xdr", "azure_monitor"]
BIN = os.path.join(ROOT, "target", "release", "sigmaplay")


def ours(target):
    dirs = sorted(os.path.join(SIGMAHQ, d) for d in os.listdir(SIGMAHQ) if d.startswith("rules"))
    out = subprocess.run([BIN, "convert", *dirs, "--pipeline", target, "--format", "jsonl"],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(out.stderr)
    res = {}
    for line in out.stdout.splitlines():
        d = json.loads(line)
        res[os.path.relpath(d["path"], SIGMAHQ)] = d
    return res


def reference(target):
    res = {}
    with open(os.path.join(REF, target + ".jsonl")) as f:
        for line in f:
            d = json.loads(line)
            if d["rule_path"].startswith("rules"):
                res[d["rule_path"]] = d
    return res


DROPPED = "ours leaves out items with no column (`lossy-mapping`: subset of the rule); pySigma keeps them"


def dropped(d):
    """Our conversion left out items whose field has no column (a subset of the rule)."""
    return any(x["code"] == "lossy-mapping" and "replaced by `false`" in x["message"] for x in d["diagnostics"])


def py_ok(r):
    return r["ok"] and bool(r["queries"])


STR = r'"(?:[^"\\]|\\.)*"|@"(?:[^"]|"")*"'
NONREGEX_OP = r"(?:=~|==|!~|!=|contains|startswith|endswith|contains_cs|startswith_cs|endswith_cs|in~|in)"


def literal_star(q):
    """A string compared with a non-regex operator that holds `*` (a lost wildcard)."""
    for m in re.finditer(r"\b" + NONREGEX_OP + r"\s*\(?\s*(" + STR + r")", q):
        s = m.group(1)
        if "*" in s.replace("\\*", ""):
            return True
    return False


def bare_keyword(q):
    """A string literal standing alone as a condition (pySigma's keyword form)."""
    return re.search(r"(?:\bwhere\s+|\(\s*|\bor\s+|\band\s+|\bnot\s*\(\s*)(?:" + STR + r")\s*(?:\)|$|\bor\b|\band\b)", q) is not None


CAUSES = [
    # (key, label, predicate(py, us, rule_text))
    ("nd_true", 'pySigma: `NetworkDirection =~ "true"` (Initiated) — matches no row',
     lambda py, us, rt: re.search(r'NetworkDirection\s*=~\s*"true"', py) is not None),
    ("initiated_dropped", "pySigma drops `Initiated` (no direction test); ours keeps it",
     lambda py, us, rt: re.search(r"\bInitiated\s*:", rt) is not None and "NetworkDirection" not in py
     and "Initiated" not in py and ("NetworkDirection" in us or "Initiated" in us)),
    ("registry_star", "registry wildcard lost: `*` compared literally (pySigma)",
     lambda py, us, rt: re.search(r"Registry|TargetObject|\bKey\b", py) is not None and literal_star(py) and not literal_star(us) and "\\*" not in rt),
    ("other_star", "other wildcard lost: `*` compared literally (pySigma; e.g. `contains` of a value ending in `\\`)",
     lambda py, us, rt: re.search(r"Registry|TargetObject", py) is None and literal_star(py) and not literal_star(us)
     and "\\*" not in rt),
    ("has_all", "`has_all` (whole terms) vs AND of substring `contains`",
     lambda py, us, rt: "has_all" in py),
    ("regex_wildcard", "inner wildcard: pySigma unanchored, case-sensitive regex; ours anchored `(?i)`",
     lambda py, us, rt: re.search(r"matches regex\s*\"(?!\(\?i)", py) is not None and "|re" not in rt),
    ("dst_fqdn", "DestinationHostname: pySigma `DstHostname` only; ours `DstFQDN or DstHostname`",
     lambda py, us, rt: "DstFQDN" in us and "DstFQDN" not in py),
    ("original_file_name", "OriginalFileName mapped differently",
     lambda py, us, rt: "OriginalFileName" in rt and cols(py, "OriginalFileName") != cols(us, "OriginalFileName")),
    ("ipv4_on_ipv6", "`ipv4_is_in_range` with an IPv6 range (pySigma) — never true",
     lambda py, us, rt: re.search(r'ipv4_is_in_range\([^,]+,\s*"[^"]*:', py) is not None),
    ("bare_keyword", "keywords: pySigma bare string term; ours `* contains`",
     lambda py, us, rt: bare_keyword(py) and "* contains" in us or "* matches regex" in us and bare_keyword(py)),
    ("isnull_string", "`isnull` on a string column (pySigma, never true in Kusto); ours `isempty`",
     lambda py, us, rt: re.search(r"\bisnull\(", py) is not None and re.search(r"\bisempty\(", us) is not None),
    ("targetobject_split", "TargetObject: pySigma `RegistryKey` only; ours splits key / value name",
     lambda py, us, rt: "TargetObject" in rt and re.search(r"isnotempty\(RegistryValue(Name)?\)", us) is not None
     and re.search(r"isnotempty\(RegistryValue(Name)?\)", py) is None),
    ("wildcard_and_contains", "inner wildcard: pySigma AND of `contains` (order, anchors lost); ours anchored regex",
     lambda py, us, rt: re.search(r'matches regex @?"\(\?i?s\)\^', us) is not None and "matches regex" not in py),
    ("parent_or_acting", "ParentImage: pySigma `ParentProcessName or ActingProcessName`; ours `ActingProcessName`",
     lambda py, us, rt: "ParentProcessName" in py and "ParentProcessName" not in us and "ActingProcessName" in us),
    ("target_file_path", "TargetFilename: pySigma `TargetFileName` (name only); ours `TargetFilePath`",
     lambda py, us, rt: "TargetFileName" in py and "TargetFilePath" in us and "TargetFilePath" not in py),
    ("event_id", "ours also tests the EventID (`EventID == 4688` on SecurityEvent...); pySigma does not",
     lambda py, us, rt: re.search(r"\bEventID\s*(==|in)", us) is not None and re.search(r"\bEventID\b", py) is None),
    ("action_type", "ours also selects the event kind (`ActionType` / `EventType`); pySigma does not",
     lambda py, us, rt: re.search(r"\b(ActionType|EventType)\b", us) is not None
     and re.search(r"\b(ActionType|EventType)\b", py) is None),
]


def cols(q, word):
    return sorted(set(re.findall(r"\b\w*" + word + r"\w*\b", q)))


def norm(q):
    q = re.sub(r'@"((?:[^"]|"")*)"', lambda m: json.dumps(m.group(1).replace('""', '"')), q)
    return re.sub(r"[\s()]+", "", q).lower()


def excerpt(q, n=220, focus=None):
    q = " ".join(q.split())
    start = 0
    m = re.search(focus, q) if focus else None
    if m and m.start() > n // 3:
        start = m.start() - n // 3
    out = q[start : start + n]
    return ("…" if start else "") + out + ("…" if start + n < len(q) else "")


# Where to centre the example excerpts (on pySigma's query, then ours).
FOCUS = {
    "nd_true": r"NetworkDirection", "registry_star": r"\*\"", "other_star": r"\*", "regex_wildcard": r"matches regex",
    "dst_fqdn": r"Dst(FQDN|Hostname)", "ipv4_on_ipv6": r'ipv4_is_in_range\([^,]+, "[^"]*:', "bare_keyword": r'(?:or|and|\() "',
    "isnull_string": r"is(null|empty)\(", "targetobject_split": r"RegistryKey", "wildcard_and_contains": r"matches regex|contains",
    "target_file_path": r"TargetFile", "event_id": r"EventID", "action_type": r"ActionType|EventType",
    "parent_or_acting": r"ParentProcessName|ActingProcessName", "_dropped": r"OriginalFileName|Hashes|MD5|SHA",
}


def main():
    examples = "--examples" in sys.argv
    if not os.path.exists(BIN):
        subprocess.run(["cargo", "build", "--release", "-p", "sigmaplay-cli"], cwd=ROOT, check=True)
    print("## Coverage (rules*/ folders of the corpus)\n")
    print("| target | rules | sigmaplay converted | pySigma converted | rules with a table | sigmaplay converted / with a table |")
    print("|---|---:|---:|---:|---:|---:|")
    data = {}
    for t in TARGETS:
        us, ref = ours(t), reference(t)
        data[t] = (us, ref)
        n = len(us)
        ok = sum(d["ok"] for d in us.values())
        pok = sum(py_ok(ref[p]) for p in us if p in ref)
        tab = [d for d in us.values() if d["table"]]
        tok = sum(d["ok"] for d in tab)
        print(f"| {t} | {n} | {ok} ({100*ok/n:.1f}%) | {pok} ({100*pok/n:.1f}%) | {len(tab)} | {tok} ({100*tok/max(len(tab),1):.1f}%) |")
    print("\nConverted with at least one item left out (no column, positive position: `lossy-mapping`, the query matches a subset): "
          + ", ".join(f"{t} {sum(d['ok'] and dropped(d) for d in data[t][0].values())}" for t in TARGETS) + ".")

    print("\n## Why a rule is not converted (first error code per rule)\n")
    reasons = {t: collections.Counter() for t in TARGETS}
    for t in TARGETS:
        for d in data[t][0].values():
            if not d["ok"]:
                errs = [x["code"] for x in d["diagnostics"] if x["severity"] == "error"]
                reasons[t][errs[0] if errs else "(no error: " + ",".join(sorted({x["code"] for x in d["diagnostics"]})) + ")"] += 1
    codes = sorted(set().union(*reasons.values()), key=lambda c: -sum(reasons[t][c] for t in TARGETS))
    print("| reason | " + " | ".join(TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    for c in codes:
        print(f"| `{c}` | " + " | ".join(str(reasons[t][c]) for t in TARGETS) + " |")

    print("\n## Both convert: differences in meaning, by cause (rules; a rule can have several)\n")
    counts = {t: collections.Counter() for t in TARGETS}
    ex = {}
    both = {}
    for t in TARGETS:
        us, ref = data[t]
        n_both = n_same = 0
        for p, d in sorted(us.items()):
            r = ref.get(p)
            if not (d["ok"] and r and py_ok(r)):
                continue
            n_both += 1
            py, q = "\n".join(r["queries"]), "\n".join(d["queries"])
            if norm(py) == norm(q):
                n_same += 1
                continue
            with open(os.path.join(SIGMAHQ, p), encoding="utf-8", errors="replace") as f:
                rt = f.read()
            hit = False
            if dropped(d):
                counts[t]["_dropped"] += 1
                hit = True
                ex.setdefault("_dropped", (t, p, py, q))
            for key, _, pred in CAUSES:
                if pred(py, q, rt):
                    counts[t][key] += 1
                    hit = True
                    ex.setdefault(key, (t, p, py, q))
            if not hit:
                counts[t]["_other"] += 1
        both[t] = (n_both, n_same)
    print("| cause | " + " | ".join(TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    print("| both convert | " + " | ".join(str(both[t][0]) for t in TARGETS) + " |")
    print("| same text (modulo spaces, parentheses, case, `@` strings) | " + " | ".join(str(both[t][1]) for t in TARGETS) + " |")
    for key, label, _ in CAUSES:
        print(f"| {label} | " + " | ".join(str(counts[t][key]) for t in TARGETS) + " |")
    print(f"| {DROPPED} | "
          + " | ".join(str(counts[t]["_dropped"]) for t in TARGETS) + " |")
    print("| differs, none of the above (form: grouping, `in~` lists, escaping, order) | " + " | ".join(str(counts[t]["_other"]) for t in TARGETS) + " |")

    print("\n## pySigma converts, sigmaplay does not (first error code)\n")
    only = {t: collections.Counter() for t in TARGETS}
    only_ex = {}
    for t in TARGETS:
        us, ref = data[t]
        for p, d in sorted(us.items()):
            r = ref.get(p)
            if not d["ok"] and r and py_ok(r):
                errs = [x for x in d["diagnostics"] if x["severity"] == "error"]
                code = errs[0]["code"] if errs else "(none)"
                only[t][code] += 1
                only_ex.setdefault(code, (t, p, errs[0]["message"] if errs else ""))
    codes = sorted(set().union(*only.values()), key=lambda c: -sum(only[t][c] for t in TARGETS))
    print("| reason | " + " | ".join(TARGETS) + " |")
    print("|---|" + "---:|" * len(TARGETS))
    for c in codes:
        print(f"| `{c}` | " + " | ".join(str(only[t][c]) for t in TARGETS) + " |")
    print("| total | " + " | ".join(str(sum(only[t].values())) for t in TARGETS) + " |")

    if examples:
        print("\n## Examples\n")
        for key, label, _ in CAUSES + [("_dropped", DROPPED, None)]:
            if key in ex:
                t, p, py, q = ex[key]
                print(f"**{label}** — `{p}` ({t})\n")
                f = FOCUS.get(key)
                print(f"- pySigma: `{excerpt(py, focus=f)}`\n- sigmaplay: `{excerpt(q, focus=f)}`\n")
        print("\n### Not converted by sigmaplay, converted by pySigma\n")
        for code, (t, p, msg) in only_ex.items():
            print(f"- `{code}` — `{p}` ({t}): {excerpt(msg, 300)}")


if __name__ == "__main__":
    main()
