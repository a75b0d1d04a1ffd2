// Trunk post_build hook (Trunk.toml): minifies the release build's JavaScript with esbuild.
// Trunk's own minifier fails on wasm-bindgen's glue and on the inline snippets ("WARN Failed to
// minify JS") and copies them as they are; esbuild takes the glue from 8.6 to 6.7 KB of gzip.
// The hook runs on Trunk's staging directory, after index.html is written and before it becomes
// dist/, so `trunk build --release` stays the one command that builds the site. Debug builds and
// `trunk serve` are left readable.
//
// What must survive: the ES module format and the names of the exports (index.html imports the
// glue's default and named exports, the glue imports the snippets' exports by name), and the
// property names of the import object the wasm module links against (`__wbg_*`): esbuild renames
// local bindings only. Trunk writes SRI hashes (integrity=) of the glue and the snippets into
// index.html; a module whose bytes no longer match is refused by the browser, so each hash of a
// rewritten file is recomputed there.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// Syntax the minifier may emit. Every browser the app runs in has ES2022: the share links need
// CompressionStream('deflate-raw') (Chrome 103, Firefox 113, Safari 16.4), which came later.
const TARGET = 'es2022';
const SRI_ALGORITHMS = ['sha256', 'sha384', 'sha512'];

function fail(message) {
  console.error(`minify-js: error: ${message}`);
  process.exit(1);
}

function scripts(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));
}

function literally(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function digest(algorithm, bytes) {
  return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
}

async function main() {
  if (process.env.TRUNK_PROFILE !== 'release') return;
  // Loaded only for release builds, so a debug build or `trunk serve` works before `npm ci`.
  const { transform } = await import('esbuild');
  const staging = process.env.TRUNK_STAGING_DIR;
  if (!staging) fail('TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
  const htmlPath = join(staging, 'index.html');
  let html = readFileSync(htmlPath, 'utf8');

  let before = 0;
  let after = 0;
  for (const path of scripts(staging)) {
    const file = relative(staging, path);
    const source = readFileSync(path);
    const { code } = await transform(source.toString('utf8'), {
      // No `format`: esbuild keeps each file's own, ES module or classic script (static/embed.js),
      // and renames top-level names only where they are a module's own.
      loader: 'js', minify: true, target: TARGET, sourcefile: file,
    });
    const minified = Buffer.from(code);
    writeFileSync(path, minified);
    before += source.length;
    after += minified.length;

    let rehashed = 0;
    for (const algorithm of SRI_ALGORITHMS) {
      const old = digest(algorithm, source);
      if (!html.includes(old)) continue;
      rehashed += html.split(old).length - 1;
      html = html.replaceAll(old, digest(algorithm, minified));
    }
    // A reference with an integrity hash this file no longer matches would break the page.
    const url = `./${file.split(sep).join('/')}`;
    const hashedReference = new RegExp(`${literally(url)}[^>]*integrity=|integrity=[^>]*${literally(url)}`);
    if (rehashed === 0 && hashedReference.test(html)) {
      fail(`index.html has an integrity hash for ${url} that is not the hash of the file Trunk wrote`);
    }
    console.log(`minify-js: ${file}: ${source.length} -> ${minified.length} B, ${rehashed} SRI hash(es) updated`);
  }
  writeFileSync(htmlPath, html);
  console.log(`minify-js: ${before} -> ${after} B of JavaScript`);
}

main().catch((err) => fail(err.message));
