#!/usr/bin/env node
// Asks the pinned @mermaid-js/parser to parse a Mermaid file as a flowchart, and parses a
// one-line `info` diagram as a control (proving the module loads and parses at all).
//
//   node tests/tools/mermaid/parse.mjs FILE.mmd
//
// Prints one JSON object: {"version", "info": {ok, error?}, "flowchart": {ok, error?}}; exit 0
// when it could run, 2 on a usage error or missing package. @mermaid-js/parser 2.0.1 has no
// flowchart grammar (only info, packet, pie, treeView, architecture, gitGraph, eventmodeling,
// radar, railroad*, treemap, wardley, cynefin), so its flowchart answer is
// `Unknown diagram type: flowchart`; tests/graph.rs pins that and validates tfc's flowcharts
// structurally instead. Packages come from TFC_NODE_MODULES, else
// ../../../.tools/node/node_modules relative to this script (where scripts/test installs them).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.TFC_NODE_MODULES
  || path.join(here, '..', '..', '..', '.tools', 'node', 'node_modules');

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('usage: node parse.mjs FILE.mmd  (packages from $TFC_NODE_MODULES)');
  process.exit(2);
}

// The package is ESM-only with an `exports` map; resolve its entry point from package.json.
let parse, version;
try {
  const pkgDir = path.join(modulesDir, '@mermaid-js', 'parser');
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  version = pkg.version;
  const entry = pkg.exports['.'].import;
  ({ parse } = await import(pathToFileURL(path.join(pkgDir, entry)).href));
} catch (e) {
  console.error(`parse.mjs: cannot load @mermaid-js/parser from ${modulesDir}: ${e.message}`);
  process.exit(2);
}

async function attempt(type, text) {
  try {
    await parse(type, text);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: String(e.message) };
  }
}

const text = readFileSync(file, 'utf8');
const report = {
  version,
  info: await attempt('info', 'info\n'),
  flowchart: await attempt('flowchart', text),
};
console.log(JSON.stringify(report));
