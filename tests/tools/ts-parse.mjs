#!/usr/bin/env node
// Parses TypeScript files with TypeScript's own parser (the pinned typescript package) and
// prints every syntax error; exits 1 if there is one. Types are not checked: the CDK tests run
// `tsc --strict` on whole apps.
// Usage: node tests/tools/ts-parse.mjs FILE.ts...   (packages from TFC_NODE_MODULES or .tools)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.TFC_NODE_MODULES
  || (process.env.TFC_TOOLS && path.join(process.env.TFC_TOOLS, 'node', 'node_modules'))
  || path.resolve(here, '../../.tools/node/node_modules');
const ts = createRequire(path.join(modulesDir, 'noop.js'))('typescript');

let errors = 0;
for (const f of process.argv.slice(2)) {
  const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
  for (const d of sf.parseDiagnostics) {
    const { line, character } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
    console.log(`${f}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    errors++;
  }
}
if (process.argv.length < 3) { console.error('usage: ts-parse.mjs FILE.ts...'); process.exit(2); }
process.exit(errors ? 1 : 0);
