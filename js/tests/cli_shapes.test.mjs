// One serde type serves both shells: the package returns, for the same text,
// the object the `sigmaplay` CLI prints as JSON (less the file path). Runs the
// CLI built by `cargo build` / `cargo test` (scripts/test.sh builds it before
// this suite), or the one SIGMAPLAY_BIN names.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sigmaplay as sp, LOCALTONET, ROOT, read } from "./load.mjs";

const BIN = process.env.SIGMAPLAY_BIN || path.join(ROOT, "target/debug/sigmaplay");
const skip = !existsSync(BIN) && `no CLI at ${BIN}: cargo build -p sigmaplay-cli (or set SIGMAPLAY_BIN)`;

const dir = mkdtempSync(path.join(tmpdir(), "sigmaplay-js-"));
const file = (name, text) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const rule = file("rule.yml", LOCALTONET.rule);
const events = file("events.json", LOCALTONET.events);
const broken = file("broken.yml", "title: x\nlogsource: {product: windows}\ndetection:\n    sel:\n        A|endswiht: b\n    condition: sel\n");

/** The CLI's stdout as JSON lines (it exits non-zero on rule errors: that is not a failure here). */
function cli(...args) {
  let out;
  try {
    out = execFileSync(BIN, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    out = e.stdout;
  }
  return out.trim().split("\n").map((l) => JSON.parse(l));
}
const withoutPath = ({ path: _, ...rest }) => rest;

test("check: the CLI's jsonl line is the package's object plus path", { skip }, () => {
  for (const p of [rule, broken]) {
    const [line] = cli("check", "--format", "jsonl", p);
    assert.equal(line.path, p);
    assert.deepEqual(withoutPath(line), sp.check(readFileSync(p, "utf8")));
  }
});

test("convert: the CLI's JSON is the package's object plus path", { skip }, () => {
  for (const target of ["sentinel_asim", "microsoft_xdr", "azure_monitor"]) {
    const [doc] = cli("convert", "--format", "json", "--pipeline", target, rule);
    assert.deepEqual(withoutPath(doc), sp.convert(LOCALTONET.rule, target));
  }
});

test("match: the CLI's JSON is the package's object", { skip }, () => {
  assert.deepEqual(cli("match", "--format", "json", rule, events)[0], sp.match(LOCALTONET.rule, LOCALTONET.events));
  assert.deepEqual(cli("match", "--format", "json", broken, events)[0], sp.match(readFileSync(broken, "utf8"), LOCALTONET.events));
  const example = "static/examples/15-brute-force-correlation";
  assert.deepEqual(
    cli("match", "--format", "json", path.join(ROOT, `${example}.yml`), path.join(ROOT, `${example}.events.json`))[0],
    sp.match(read(`${example}.yml`), read(`${example}.events.json`)),
  );
});

test("kql: parity and a hand-written query, as the CLI prints them", { skip }, () => {
  assert.deepEqual(
    cli("kql", "--format", "json", "--pipeline", "sentinel_asim", rule, events)[0],
    sp.kqlParity(LOCALTONET.rule, LOCALTONET.events, "sentinel_asim"),
  );
  const q = "Events | where DestinationPort == 443 | summarize n = count() by Image";
  const query = file("q.kql", q);
  assert.deepEqual(cli("kql", "--format", "json", "--query", query, events)[0], sp.runKql(q, LOCALTONET.events));
});
