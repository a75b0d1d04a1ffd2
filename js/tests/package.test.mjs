// The package as npm ships it: `npm pack` of js/pkg/, unpacked into a
// node_modules of its own, then loaded by name as js/README.md tells Node users to.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PKG, LOCALTONET } from "./load.mjs";

test("npm pack holds the five files, and `import \"sigmaplay\"` works in Node", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "sigmaplay-pack-"));
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: PKG, encoding: "utf8" }));
  assert.deepEqual(
    packed.files.map((f) => f.path).sort(),
    ["README.md", "package.json", "sigmaplay.d.ts", "sigmaplay.js", "sigmaplay_bg.wasm"],
  );
  mkdirSync(path.join(dir, "node_modules"));
  execFileSync("tar", ["-xzf", path.join(dir, packed.filename), "-C", dir]);
  renameSync(path.join(dir, "package"), path.join(dir, "node_modules/sigmaplay"));

  // The README's snippet for Node, then one call.
  const readme = readFileSync(path.join(PKG, "README.md"), "utf8");
  const snippet = readme.match(/In Node 20 or later:\n\n```js\n([\s\S]*?)```/)[1];
  const script = path.join(dir, "use.mjs");
  writeFileSync(script, `${snippet}\nconst r = match(${JSON.stringify(LOCALTONET.rule)}, ${JSON.stringify(LOCALTONET.events)});\nconsole.log(JSON.stringify(r.results.map((x) => x.matched)));\n`);
  assert.equal(execFileSync("node", [script], { cwd: dir, encoding: "utf8" }).trim(), "[true,false]");
});
