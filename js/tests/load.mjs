// The built package (js/pkg/, from scripts/build-js.sh), loaded as a Node user
// loads it: the ES module, then initSync with the wasm bytes.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const PKG = path.join(ROOT, "js/pkg");

if (!existsSync(path.join(PKG, "sigmaplay.js"))) {
  throw new Error("js/pkg/ is not built: run bash scripts/build-js.sh first");
}

export const sigmaplay = await import(pathToFileURL(path.join(PKG, "sigmaplay.js")).href);
sigmaplay.initSync({ module: readFileSync(path.join(PKG, "sigmaplay_bg.wasm")) });

export const read = (rel) => readFileSync(path.join(ROOT, rel), "utf8");

// The playground's first example: SigmaHQ's LocaltoNet rule, one event it
// matches and one it does not.
export const LOCALTONET = {
  rule: read("static/examples/01-localtonet-tunnel.yml"),
  events: read("static/examples/01-localtonet-tunnel.events.json"),
};

// The same rule as SigmaHQ ships it, when the shared corpus is next to the repo.
const corpusRule = path.join(
  ROOT,
  "../shared/corpus/sigmahq/rules/windows/network_connection/net_connection_win_domain_localtonet_tunnel.yml",
);
export const SIGMAHQ_LOCALTONET = existsSync(corpusRule) ? readFileSync(corpusRule, "utf8") : null;
