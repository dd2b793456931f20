#!/usr/bin/env node
// Reads .tf files back with HashiCorp's HCL parser (@cdktf/hcl2json) and prints, as one JSON
// object keyed by file, the values a Terraform user would get:
//  - literal strings and object keys unescaped (`$${` -> `${`, `%%{` -> `%{`, the escapes hcl2json keeps because its
//    output is Terraform JSON syntax, where strings are templates);
//  - `jsonencode(<literal expression>)` replaced by the decoded value of its argument (parsed again
//    with hcl2json as `v = <argument>`), so policies, event patterns and container definitions can be
//    compared as data;
//  - strings with interpolations (`${aws_...}`) left as they are, or with --mark-interpolations
//    as `{"$template": "<the template as written, escapes kept>"}`, so a reader can tell a
//    reference from literal text that only looks like one.
// Usage: node tests/tools/tf/decode.mjs [--mark-interpolations] FILE.tf...   (packages resolved like check.mjs)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.TFC_NODE_MODULES
  || (process.env.TFC_TOOLS && path.join(process.env.TFC_TOOLS, 'node', 'node_modules'))
  || path.resolve(here, '../../../.tools/node/node_modules');
const require = createRequire(path.join(modulesDir, 'noop.js'));
const { parse } = require('@cdktf/hcl2json');

const interpolated = (s) => /(^|[^$])\$\{/.test(s) || /(^|[^%])%\{/.test(s);
const unescape = (s) => s.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');

async function decode(v) {
  if (typeof v === 'string') {
    const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(v);
    if (m) {
      const inner = await parse('jsonencode.tf', `v = ${m[1]}\n`);
      return decode(inner.v);
    }
    if (interpolated(v)) return mark ? { $template: v } : v;
    return unescape(v);
  }
  if (Array.isArray(v)) return Promise.all(v.map(decode));
  if (v && typeof v === 'object') {
    const out = {};
    // Quoted object keys are templates too: `$${`/`%%{` in a key stand for `${`/`%{`.
    for (const [k, x] of Object.entries(v)) out[interpolated(k) ? k : unescape(k)] = await decode(x);
    return out;
  }
  return v;
}

const mark = process.argv.includes('--mark-interpolations');
const files = process.argv.slice(2).filter((a) => a !== '--mark-interpolations');
if (files.length === 0) {
  console.error('usage: decode.mjs FILE.tf...');
  process.exit(2);
}
const out = {};
for (const f of files) out[f] = await decode(await parse(path.basename(f), readFileSync(f, 'utf8')));
process.stdout.write(JSON.stringify(out));
