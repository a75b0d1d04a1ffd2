// sigmaplay.d.ts against what the functions return: every object returned
// for a range of inputs must have exactly the declared fields (required ones
// present, nothing undeclared) with values of the declared types. The core's
// report types are shared with the CLI, so a field added there fails here
// until the .d.ts (js/src/lib.rs) declares it.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sigmaplay as sp, LOCALTONET, read, PKG } from "./load.mjs";

// The declarations of js/src/lib.rs, before wasm-bindgen's own (InitInput, initSync...).
const DTS = readFileSync(path.join(PKG, "sigmaplay.d.ts"), "utf8")
  .split("export type InitInput")[0]
  .replace(/\/\*\*[\s\S]*?\*\//g, "");

// ---- a reader for the small part of TypeScript the .d.ts uses ----

/** Split at a top-level separator (outside (), [], {}, <> and quotes). */
function splitTop(text, sep) {
  const parts = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if ("([{<".includes(c)) depth++;
    if (")]}>".includes(c)) depth--;
    if (depth === 0 && text.startsWith(sep, i)) {
      parts.push(text.slice(start, i));
      start = i + sep.length;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function parseType(text) {
  text = text.trim();
  const union = splitTop(text, "|");
  if (union.length > 1) return { union: union.map(parseType) };
  if (text.endsWith("[]")) return { array: parseType(text.slice(0, -2)) };
  if (text.startsWith("(") && text.endsWith(")")) return parseType(text.slice(1, -1));
  if (text.startsWith('"')) return { literal: JSON.parse(text) };
  let m = text.match(/^Record<string,\s*(.*)>$/s) || text.match(/^\{\s*\[key: string\]:\s*(.*?);?\s*\}$/s);
  if (m) return { record: parseType(m[1]) };
  return { name: text };
}

const types = new Map();
for (const m of DTS.matchAll(/export type (\w+) =([^;]*);/g)) types.set(m[1], parseType(m[2]));
for (const m of DTS.matchAll(/export interface (\w+)(?: extends (\w+))? \{([^}]*)\}/g)) {
  const fields = new Map();
  for (const line of m[3].split("\n").map((l) => l.trim()).filter(Boolean)) {
    const f = line.match(/^(\w+)(\?)?: (.*);$/);
    assert.ok(f, `cannot read field '${line}' of ${m[1]}`);
    fields.set(f[1], { optional: !!f[2], type: parseType(f[3]) });
  }
  types.set(m[1], { interface: { fields, extends: m[2] } });
}
const functions = new Map(
  [...DTS.matchAll(/export function (\w+)\(([^)]*)\): (\w+);/g)].map((m) => [m[1], parseType(m[3])]),
);

function fieldsOf(name) {
  const t = types.get(name).interface;
  return new Map([...(t.extends ? fieldsOf(t.extends) : []), ...t.fields]);
}

/** The mismatches between `value` and `type`, each with its path. */
function mismatches(value, type, at) {
  if (type.union) {
    return type.union.some((t) => mismatches(value, t, at).length === 0) ? [] : [`${at}: ${JSON.stringify(value)?.slice(0, 80)} is none of the union`];
  }
  if (type.literal !== undefined) return value === type.literal ? [] : [`${at}: expected "${type.literal}"`];
  if (type.array) {
    if (!Array.isArray(value)) return [`${at}: expected an array`];
    return value.flatMap((v, i) => mismatches(v, type.array, `${at}[${i}]`));
  }
  if (type.record) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at}: expected an object`];
    return Object.entries(value).flatMap(([k, v]) => mismatches(v, type.record, `${at}.${k}`));
  }
  switch (type.name) {
    case "string": case "number": case "boolean":
      return typeof value === type.name ? [] : [`${at}: expected a ${type.name}, got ${JSON.stringify(value)}`];
    case "null":
      return value === null ? [] : [`${at}: expected null`];
  }
  const named = types.get(type.name);
  assert.ok(named, `unknown type ${type.name}`);
  if (!named.interface) return mismatches(value, named, at);
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${at}: expected a ${type.name} object`];
  const fields = fieldsOf(type.name);
  const out = [];
  for (const key of Object.keys(value)) {
    if (!fields.has(key)) out.push(`${at}.${key}: not declared in ${type.name}`);
  }
  for (const [key, f] of fields) {
    if (!(key in value)) {
      if (!f.optional) out.push(`${at}.${key}: missing (required in ${type.name})`);
    } else {
      out.push(...mismatches(value[key], f.type, `${at}.${key}`));
    }
  }
  return out;
}

// ---- the calls ----

const correlation = {
  rule: read("static/examples/15-brute-force-correlation.yml"),
  events: read("static/examples/15-brute-force-correlation.events.json"),
};
const defenderExample = {
  rule: read("static/examples/05-powershell-public-ip.yml"),
  events: read("static/examples/05-powershell-public-ip.events.json"),
};
const twoRules = `${LOCALTONET.rule}\n---\n${LOCALTONET.rule.replace("title: ", "title: Second ")}`;
const broken = "title: x\ndetection:\n    sel:\n        A|nope: 1\n    condition: sel and missing\nlevel: hgh\n";

const calls = [
  ["check", LOCALTONET.rule], ["check", broken], ["check", ""], ["check", "[".repeat(5000)],
  ["lint", LOCALTONET.rule], ["lint", broken],
  ["convert", LOCALTONET.rule, "sentinel_asim"], ["convert", LOCALTONET.rule, "microsoft_xdr"],
  ["convert", correlation.rule, "sentinel_asim"], ["convert", LOCALTONET.rule, "nope"],
  ["convert", LOCALTONET.rule, ["transformations: [", "none"]], ["convert", broken, "none"],
  ["match", LOCALTONET.rule, LOCALTONET.events], ["match", twoRules, LOCALTONET.events],
  ["match", correlation.rule, correlation.events], ["match", broken, "{"], ["match", LOCALTONET.rule, "- a: [1, {b: null}]\n"],
  ["kqlParity", LOCALTONET.rule, LOCALTONET.events, "sentinel_asim", { includeRows: true }],
  ["kqlParity", LOCALTONET.rule, LOCALTONET.events, "sentinel_asim", { schema: "sigma", query: "imNetworkSession | where DstPortNumber == 443" }],
  ["kqlParity", defenderExample.rule, defenderExample.events, "microsoft_xdr", { schema: "target" }],
  ["kqlParity", broken, "[]", "nope"],
  ["runKql", "Events | extend o = pack('a', 1, 'b', dynamic([1, null])) | project o, DestinationHostname", LOCALTONET.events],
  ["runKql", "Events | summarize c = count() by Protocol", LOCALTONET.events], ["runKql", "Events | wher", "{"],
  ["version"],
];

test("the .d.ts declares exactly the functions the module exports", () => {
  const exported = Object.keys(sp).filter((k) => typeof sp[k] === "function" && k !== "default" && k !== "initSync");
  assert.deepEqual([...functions.keys()].sort(), exported.sort());
  assert.ok(types.size > 20, `${types.size} types read`);
});

test("every result has the declared type, field by field", () => {
  const covered = new Set();
  for (const [name, ...args] of calls) {
    const result = sp[name](...args);
    const problems = mismatches(result, functions.get(name), `${name}(${JSON.stringify(args[0] ?? "").slice(0, 30)}…)`);
    assert.deepEqual(problems, []);
    JSON.stringify(result, (k, v) => (covered.add(k), v));
  }
  // The calls reach the deep and the optional fields, so that those are checked too.
  for (const key of ["explanation", "hits", "group", "sources", "feeds", "rows", "native", "blind", "cause", "rule", "suppressed_by", "origins", "source", "value_span"]) {
    assert.ok(covered.has(key), `no call returned a '${key}' field`);
  }
});
