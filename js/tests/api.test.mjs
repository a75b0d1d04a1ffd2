// The package's functions on real rules: SigmaHQ's LocaltoNet rule (the
// playground's first example), a correlation example, and broken input.
import test from "node:test";
import assert from "node:assert/strict";
import { sigmaplay as sp, LOCALTONET, SIGMAHQ_LOCALTONET, read, PKG } from "./load.mjs";
import { readFileSync } from "node:fs";
import path from "node:path";

const BROKEN_RULE = `title: Broken
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        Image|endswiht: '\\cmd.exe'
    condition: selection
level: hgh
`;

test("check: the LocaltoNet rule has no error and no warning", () => {
  const r = sp.check(LOCALTONET.rule);
  assert.equal(r.ok, true);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== "info"), []);
});

test("check: diagnostics carry code, severity, 1-based line and column", () => {
  const r = sp.check(BROKEN_RULE);
  assert.equal(r.ok, false);
  const modifier = r.diagnostics.find((d) => d.code === "unknown-modifier");
  assert.deepEqual(
    { severity: modifier.severity, line: modifier.line, col: modifier.col },
    { severity: "error", line: 7, col: 15 }, // the `e` of `endswiht`
  );
  assert.match(modifier.message, /did you mean 'endswith'/);
  const level = r.diagnostics.find((d) => d.code === "invalid-level");
  assert.deepEqual([level.severity, level.line, level.col], ["warning", 9, 8]);
});

test("convert: LocaltoNet to Sentinel ASIM and to Defender XDR", () => {
  const asim = sp.convert(LOCALTONET.rule, "sentinel_asim");
  assert.equal(asim.ok, true);
  assert.equal(asim.table, "imNetworkSession");
  assert.equal(asim.queries.length, 1);
  assert.match(asim.queries[0], /^imNetworkSession\n\| where /);
  assert.match(asim.queries[0], /DstHostname endswith "\.localto\.net"/);
  assert.match(asim.queries[0], /DstFQDN endswith "\.localtonet\.com"/);
  assert.ok(asim.diagnostics.every((d) => d.severity !== "error"));

  const xdr = sp.convert(LOCALTONET.rule, "microsoft_xdr");
  assert.equal(xdr.ok, true);
  assert.equal(xdr.table, "DeviceNetworkEvents");
  assert.match(xdr.queries[0], /RemoteUrl endswith "\.localto\.net"/);
});

test("convert: a pySigma pipeline YAML chained before a target", () => {
  const rule = LOCALTONET.rule.replaceAll("DestinationHostname", "TargetHost");
  const mapping = "name: rename\ntransformations:\n  - type: field_name_mapping\n    mapping:\n      TargetHost: DestinationHostname\n";
  const r = sp.convert(rule, [mapping, "sentinel_asim"]);
  assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
  assert.deepEqual(r.queries, sp.convert(LOCALTONET.rule, "sentinel_asim").queries);
});

test("match: LocaltoNet matches its first event only, and says why", () => {
  const r = sp.match(LOCALTONET.rule, LOCALTONET.events);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.correlations, []);
  assert.deepEqual(r.results.map((x) => [x.index, x.line, x.matched]), [[0, 2, true], [1, 15, false]]);
  const held = r.results[0].explanation.searches[0].items.find((i) => i.field === "DestinationHostname");
  assert.equal(held.matched_value, ".localto.net");
  assert.equal(held.actual, "k3v9q.localto.net");
  assert.deepEqual(held.modifiers, ["endswith"]);
  const missed = r.results[1].explanation.searches[0].items[0];
  assert.equal(missed.matched, false);
  assert.equal(missed.actual, "docs.example.org");
});

test("match: SigmaHQ's own copy of the LocaltoNet rule decides the same", { skip: !SIGMAHQ_LOCALTONET && "../shared corpus not present" }, () => {
  const r = sp.match(SIGMAHQ_LOCALTONET, LOCALTONET.events);
  assert.deepEqual(r.results.map((x) => x.matched), [true, false]);
});

test("match: a correlation over a filtered rule", () => {
  const r = sp.match(read("static/examples/15-brute-force-correlation.yml"), read("static/examples/15-brute-force-correlation.events.json"));
  assert.equal(r.correlations.length, 1);
  const c = r.correlations[0];
  assert.equal(c.type, "event_count");
  assert.equal(c.matched, true);
  assert.ok(c.hits.length >= 1);
  assert.ok(c.hits[0].events.length >= 3);
});

test("match: placeholders through options", () => {
  const rule = `title: Admins
logsource: { category: process_creation, product: windows }
detection:
    selection:
        User|expand: '%admins%'
    condition: selection
`;
  const events = '{"User": "root"}\n{"User": "alice"}';
  const without = sp.match(rule, events);
  assert.ok(without.diagnostics.some((d) => d.code === "unresolved-placeholder" && d.severity === "error"));
  assert.deepEqual(without.results, []);
  const r = sp.match(rule, events, { placeholders: { admins: ["root", "admin"] } });
  assert.deepEqual(r.results.map((x) => x.matched), [true, false]);
});

test("kqlParity: LocaltoNet's query and the matcher agree on Sysmon events", () => {
  const r = sp.kqlParity(LOCALTONET.rule, LOCALTONET.events, "sentinel_asim");
  assert.equal(r.agree, true);
  assert.equal(r.edited, false);
  assert.equal(r.table, "imNetworkSession");
  assert.equal(r.schema, "source");
  assert.equal(r.query, sp.convert(LOCALTONET.rule, "sentinel_asim").queries[0]);
  assert.deepEqual(r.results.map((x) => [x.sigma, x.kql]), [[true, true], [false, false]]);
  assert.deepEqual(r.sources.kinds, ["sysmon", "sysmon"]);
  assert.ok(r.sources.feeds.length >= 1);
  for (const f of r.sources.feeds) assert.equal(f.agreed, f.compared, f.label);
});

test("kqlParity: an edited query that disagrees says where", () => {
  const query = 'imNetworkSession\n| where DstFQDN endswith ".example.org"';
  const r = sp.kqlParity(LOCALTONET.rule, LOCALTONET.events, "sentinel_asim", { query, schema: "sigma" });
  assert.equal(r.edited, true);
  assert.equal(r.query, query);
  assert.equal(r.schema, "sigma");
  assert.equal(r.agree, false);
  assert.deepEqual(r.results.map((x) => [x.sigma, x.kql]), [[true, false], [false, true]]);
  assert.ok(r.results.every((x) => typeof x.cause === "string"));
});

test("runKql: a query over the events as rows", () => {
  const q = "Events | where DestinationPort == 443 and Image endswith 'localtonet.exe' | project DestinationHostname, DestinationPort";
  const r = sp.runKql(q, LOCALTONET.events);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.results, [{ index: 0, matched: true }, { index: 1, matched: false }]);
  assert.deepEqual(r.rows, {
    columns: ["DestinationHostname", "DestinationPort"],
    values: [["k3v9q.localto.net", 443]],
    origins: [0],
    total: 1,
  });
  const counted = sp.runKql("Events | summarize n = count()", LOCALTONET.events);
  assert.deepEqual(counted.rows.values, [[2]]);
  assert.deepEqual(counted.rows.origins, [null]);
});

test("lint: only the linter's findings, at their place", () => {
  const r = sp.lint(BROKEN_RULE);
  const codes = r.diagnostics.map((d) => d.code);
  assert.ok(codes.includes("invalid-level"));
  assert.ok(codes.includes("missing-id"));
  // A regex that does not compile is check's, not lint's.
  const badRegex = LOCALTONET.rule.replace("DestinationHostname|endswith:", "DestinationHostname|re:\n            - '(unclosed'\n        X|endswith:");
  assert.ok(sp.check(badRegex).diagnostics.some((d) => d.severity === "error"));
  assert.deepEqual(sp.lint(badRegex).diagnostics.filter((d) => d.severity === "error"), []);
  assert.deepEqual(sp.lint(LOCALTONET.rule).diagnostics.filter((d) => d.severity !== "info"), []);
});

test("version: the engine's, equal to package.json's", () => {
  const pkg = JSON.parse(readFileSync(path.join(PKG, "package.json"), "utf8"));
  assert.match(sp.version(), /^\d+\.\d+\.\d+/);
  assert.equal(sp.version(), pkg.version);
});

test("bad input comes back as diagnostics, never as an exception", () => {
  const yaml = sp.check("title: [unclosed\nlogsource: {");
  assert.equal(yaml.ok, false);
  assert.ok(yaml.diagnostics.some((d) => d.code === "yaml-syntax" && d.line > 0 && d.col > 0));

  const deep = sp.check("[".repeat(200000));
  assert.equal(deep.ok, false);

  const lone = sp.check("title: \ud800\nlogsource: {}\ndetection: {}");
  assert.equal(lone.ok, false);

  const pipeline = sp.convert(LOCALTONET.rule, "splunk");
  assert.deepEqual([pipeline.ok, pipeline.queries, pipeline.table], [false, [], null]);
  assert.equal(pipeline.diagnostics[0].code, "unknown-pipeline");

  const yamlPipeline = sp.convert(LOCALTONET.rule, ["transformations: [\n", "sentinel_asim"]);
  assert.equal(yamlPipeline.ok, false);
  assert.ok(yamlPipeline.diagnostics.some((d) => d.source === "pipeline" && d.severity === "error" && d.line >= 1));

  const events = sp.match(LOCALTONET.rule, '{"DestinationHostname": "a.localto.net", "Initiated": "true"}\n{oops');
  assert.deepEqual(events.results.map((x) => x.matched), [true]);
  const bad = events.diagnostics.find((d) => d.source === "events");
  assert.deepEqual([bad.severity, bad.line], ["error", 2]);

  const rule = sp.match(BROKEN_RULE, LOCALTONET.events);
  assert.deepEqual(rule.results, []);
  assert.ok(rule.diagnostics.some((d) => d.source === "rule" && d.code === "unknown-modifier"));

  const kql = sp.runKql("Events | wher x", LOCALTONET.events);
  assert.deepEqual(kql.results, []);
  assert.deepEqual(kql.diagnostics.map((d) => [d.code, d.source, d.line, d.col]), [["kql-syntax", "kql", 1, 10]]);

  const parity = sp.kqlParity("not: [a rule", LOCALTONET.events, "sentinel_asim");
  assert.equal(parity.agree, false);
  assert.ok(parity.diagnostics.some((d) => d.severity === "error"));

  for (const f of [sp.check, sp.lint]) assert.equal(f("").ok, false);
  assert.deepEqual(sp.match("", "").results, []);
  assert.equal(sp.runKql("", "").diagnostics.length > 0, true);
});

test("arguments of the wrong type throw", () => {
  for (const pipeline of [42, [], undefined, [1]]) {
    assert.throws(() => sp.convert(LOCALTONET.rule, pipeline), /pipeline must be a string or a non-empty array of strings/);
    assert.throws(() => sp.kqlParity(LOCALTONET.rule, "", pipeline), /pipeline must be a string or a non-empty array/);
  }
  assert.throws(() => sp.match(LOCALTONET.rule, "", { placeholders: "root" }), /invalid options/);
  assert.throws(() => sp.kqlParity(LOCALTONET.rule, "", "none", { schema: "splunk" }), /invalid options/);
});
