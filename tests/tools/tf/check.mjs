#!/usr/bin/env node
// Terraform conformance checker for tfc's generated .tf files.
//
//   node tests/tools/tf/check.mjs FILE.tf...
//
// Prints one `FILE:LINE: message` per problem (LINE 0 when unknown); exit 0 = clean, 1 = problems,
// 2 = usage error or missing packages. Packages come from TFC_NODE_MODULES, else
// $TFC_TOOLS/node/node_modules, else ../../../.tools/node/node_modules relative to this script
// (where scripts/test installs tests/tools/package.json); NODE_PATH is honoured as a last resort.
//
// Checks, per file:
//  a. parse:  @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly) must accept it.
//  b. format: @cdktf/hcl-tools format() (terraform fmt's formatter) must leave it byte-for-byte unchanged.
//  c. schema: resource/data blocks against the AWS provider schema, read with the TypeScript compiler
//     API from @cdktf/provider-aws's generated lib/<kebab-name>/index.d.ts (data sources: lib/data-aws-*).
//     The constructor's `XxxConfig` interface lists the arguments; `?` marks optional ones; the HCL
//     name is the `#snake_name` anchor of each property's registry doc link (camel->snake as a fallback).
//     A property is a nested block when its doc comment says "<name> block" (cdktf writes that for block
//     types); its type then names another interface generated in the resource folder (an array of them =
//     repeatable). A property whose type names such an interface without that comment is an object-valued
//     attribute (framework nested attributes: `x = { ... }`; a few SDKv2 ones, ATTR_AS_BLOCKS, also take
//     block syntax); anything else (scalars, string[], { [key: string]: string }) is a plain attribute.
//     provider "aws" is checked the same way against lib/provider; terraform, output, variable, locals
//     and lifecycle are checked loosely (known keys). Types not named aws_* are not checked.
//
// Blocks vs attributes in the file: hcl2json's JSON turns `x { ... }` into [{...}], but `x = [{...}]`
// looks the same, so the JSON alone cannot tell them apart. The JSON stays the authority on which
// keys exist; a light scanner of the source text (scanBody below: it tracks brackets, strings,
// heredocs and comments, and at each body level sees `name =` as an attribute and `name "label" {`
// as a block) tells for each key whether it was written as a block or an attribute, and its line.
// The n-th JSON element of a repeated block is paired with the n-th scanned block of that name.
// Where the scan has nothing for a key, the JSON shape decides (array of objects = block), line 0.
import { createRequire } from 'node:module';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.TFC_NODE_MODULES
  || (process.env.TFC_TOOLS && path.join(process.env.TFC_TOOLS, 'node', 'node_modules'))
  || path.resolve(here, '../../../.tools/node/node_modules');
const require = createRequire(path.join(modulesDir, 'noop.js'));

// ---------- source scan: a tree of { name, kind: 'attr'|'block', labels, line, body } ----------
function scanBody(src, pos, lineOf) {
  const items = [];
  const ws = /[ \t\r\n]/;
  for (;;) {
    while (pos.i < src.length && ws.test(src[pos.i])) pos.i++;
    if (skipComment(src, pos)) continue;
    if (pos.i >= src.length || src[pos.i] === '}') return items;
    const m = /^[A-Za-z_][\w-]*/.exec(src.slice(pos.i, pos.i + 200));
    if (!m) { // not something we understand: skip the line (always moving on)
      const before = pos.i; skipExpr(src, pos); if (pos.i === before) pos.i++; continue;
    }
    const item = { name: m[0], line: lineOf(pos.i), labels: [] };
    pos.i += m[0].length;
    while (/[ \t]/.test(src[pos.i])) pos.i++;
    if (src[pos.i] === '=' && src[pos.i + 1] !== '=') {
      pos.i++; item.kind = 'attr'; skipExpr(src, pos);
    } else {
      for (;;) { // labels, then `{`
        while (/[ \t]/.test(src[pos.i])) pos.i++;
        if (src[pos.i] === '"') { const s = pos.i; skipString(src, pos); item.labels.push(JSON.parse(src.slice(s, pos.i))); }
        else if (src[pos.i] === '{') break;
        else { const l = /^[\w-]+/.exec(src.slice(pos.i, pos.i + 200)); if (!l) break; item.labels.push(l[0]); pos.i += l[0].length; }
      }
      if (src[pos.i] !== '{') { skipExpr(src, pos); continue; }
      pos.i++; item.kind = 'block'; item.body = scanBody(src, pos, lineOf); pos.i++; // past `}`
    }
    items.push(item);
  }
}
function skipComment(src, pos) {
  const two = src.slice(pos.i, pos.i + 2);
  if (src[pos.i] === '#' || two === '//') { while (pos.i < src.length && src[pos.i] !== '\n') pos.i++; return true; }
  if (two === '/*') { const e = src.indexOf('*/', pos.i + 2); pos.i = e < 0 ? src.length : e + 2; return true; }
  return false;
}
function skipString(src, pos) { // at the opening quote; handles ${ ... } / %{ ... } templates
  pos.i++;
  while (pos.i < src.length && src[pos.i] !== '"') {
    if (src[pos.i] === '\\') pos.i += 2;
    else if ((src[pos.i] === '$' || src[pos.i] === '%') && src[pos.i + 1] === src[pos.i] && src[pos.i + 2] === '{') pos.i += 3; // `$${`, `%%{`: literal text
    else if ((src[pos.i] === '$' || src[pos.i] === '%') && src[pos.i + 1] === '{') { pos.i += 2; skipExpr(src, pos, true); pos.i++; }
    else pos.i++;
  }
  pos.i++;
}
// Skips an expression up to (not past) a newline at bracket depth 0 or an unmatched closer.
function skipExpr(src, pos, inTemplate = false) {
  let depth = 0;
  while (pos.i < src.length) {
    const c = src[pos.i];
    if (c === '\n' && depth === 0 && !inTemplate) return;
    if (skipComment(src, pos)) continue;
    if (c === '"') { skipString(src, pos); continue; }
    const h = c === '<' && /^<<-?([A-Za-z_]\w*)\r?\n/.exec(src.slice(pos.i, pos.i + 100));
    if (h) { // heredoc: skip to the line holding only the marker
      const re = new RegExp(`\\n[ \\t]*${h[1]}[ \\t]*(?=\\r?\\n|$)`, 'g');
      re.lastIndex = pos.i; const e = re.exec(src); pos.i = e ? e.index + e[0].length : src.length; continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) { if (depth === 0) return; depth--; }
    pos.i++;
  }
}

// ---------- provider schema from @cdktf/provider-aws .d.ts ----------
// SDKv2 "attributes as blocks": list-of-object attributes that Terraform also accepts in block syntax.
const ATTR_AS_BLOCKS = new Set(['RouteTableConfig.route', 'DefaultRouteTableConfig.route', 'NetworkAclConfig.ingress', 'NetworkAclConfig.egress',
  'SecurityGroupConfig.ingress', 'SecurityGroupConfig.egress', 'DefaultSecurityGroupConfig.ingress', 'DefaultSecurityGroupConfig.egress']);
const snake = (s) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
const schemaCache = new Map();
function loadSchema(ts, providerDir, dir) {
  if (schemaCache.has(dir)) return schemaCache.get(dir);
  const folder = path.join(providerDir, 'lib', dir);
  let schema = null;
  if (existsSync(path.join(folder, 'index.d.ts'))) {
    const files = [path.join(folder, 'index.d.ts')];
    const structs = path.join(folder, 'index-structs');
    if (existsSync(structs)) files.push(...readdirSync(structs).filter((f) => f.endsWith('.d.ts')).map((f) => path.join(structs, f)));
    const ifaces = new Map();
    let configName = null;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const sf = ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true);
      for (const st of sf.statements) {
        if (ts.isInterfaceDeclaration(st)) ifaces.set(st.name.text, st);
        if (ts.isClassDeclaration(st)) for (const m of st.members) {
          if (ts.isConstructorDeclaration(m) && m.parameters[2]?.type && ts.isTypeReferenceNode(m.parameters[2].type)) configName = m.parameters[2].type.typeName.getText();
        }
      }
    }
    const build = (name, seen = new Set()) => {
      const fields = new Map();
      for (const p of ifaces.get(name)?.members ?? []) {
        if (!ts.isPropertySignature(p) || !p.type) continue;
        const doc = p.getFullText().slice(0, p.getStart() - p.getFullStart());
        const hcl = /#(\w+) \w+#\w+\}/.exec(doc)?.[1] ?? snake(p.name.getText());
        const refs = []; // generated interfaces named in the type (element type of arrays, union members)
        const visit = (n) => { if (ts.isTypeReferenceNode(n) && ifaces.has(n.typeName.getText())) refs.push(n.typeName.getText()); ts.forEachChild(n, visit); };
        visit(p.type);
        const type = p.type.getText();
        const kind = new RegExp(`\\* ${hcl} block\\b`).test(doc) ? 'block' : refs.length ? 'nested' : 'attr';
        const f = { name: hcl, required: !p.questionToken, kind, repeatable: /\[\]/.test(type), map: /^\{\s*\[key: string\]/.test(type),
          blockOk: ATTR_AS_BLOCKS.has(`${name}.${hcl}`) };
        if (refs.length && !seen.has(refs[0])) f.body = () => (f._b ??= build(refs[0], new Set([...seen, refs[0]])));
        fields.set(hcl, f);
      }
      return fields;
    };
    if (configName) schema = build(configName);
  }
  schemaCache.set(dir, schema);
  return schema;
}

// ---------- checks ----------
const META = { count: 'attr', for_each: 'attr', depends_on: 'attr', provider: 'attr', lifecycle: 'block' };
const LIFECYCLE = ['create_before_destroy', 'prevent_destroy', 'ignore_changes', 'replace_triggered_by', 'precondition', 'postcondition'];
const LOOSE = {
  terraform: ['required_version', 'required_providers', 'backend', 'cloud', 'experiments', 'provider_meta'],
  output: ['value', 'description', 'sensitive', 'depends_on', 'precondition', 'ephemeral'],
  variable: ['type', 'default', 'description', 'sensitive', 'nullable', 'validation', 'ephemeral'],
};
const TOP = ['terraform', 'provider', 'resource', 'data', 'output', 'variable', 'locals', 'module', 'moved', 'import', 'removed', 'check'];
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkFile(json, src, ctx) {
  const starts = [0]; for (let i = 0; i < src.length; i++) if (src[i] === '\n') starts.push(i + 1);
  const lineOf = (i) => { let lo = 0, hi = starts.length - 1; while (lo < hi) { const m = (lo + hi + 1) >> 1; if (starts[m] <= i) lo = m; else hi = m - 1; } return lo + 1; };
  let scanned = [];
  try { scanned = scanBody(src, { i: 0 }, lineOf); } catch { /* degrade to JSON shapes, line 0 */ }
  const report = (line, msg) => ctx.problems.push({ line: line || 0, msg });

  // Pairs each JSON key of a body with its scanned items; yields { key, value, kind, line, elems }.
  function* entries(obj, scan) {
    for (const [key, value] of Object.entries(obj)) {
      const items = (scan ?? []).filter((s) => s.name === key);
      const shapeBlock = Array.isArray(value) && value.length > 0 && value.every(isObj);
      const kind = items.length ? items[0].kind : shapeBlock ? 'block' : 'attr';
      const blocks = items.filter((s) => s.kind === 'block');
      const elems = kind === 'block' && shapeBlock ? value.map((v, n) => ({ value: v, scan: blocks[n]?.body, line: blocks[n]?.line ?? items[0]?.line })) : [];
      yield { key, value, kind, line: items[0]?.line ?? 0, elems };
    }
  }
  // Labelled blocks (`resource "T" "N" {}`) become { T: { N: [body] } }; pair with scanned labels.
  const labelled = (json, scanItems, depth, fn) => {
    const walk = (obj, labels) => {
      if (labels.length === depth) {
        const matches = scanItems.filter((s) => labels.every((l, n) => s.labels[n] === l));
        return (Array.isArray(obj) ? obj : [obj]).forEach((b, n) => fn(labels, b, matches[n]?.body, matches[n]?.line ?? 0));
      }
      for (const [k, v] of Object.entries(obj ?? {})) walk(v, [...labels, k]);
    };
    walk(json, []);
  };

  function checkBody(obj, scan, fields, where, bodyLine, meta = {}) {
    if (!isObj(obj)) return;
    for (const e of entries(obj, scan)) {
      if (e.key === 'dynamic' && isObj(e.value)) { checkDynamic(e, scan, fields, where); continue; }
      const f = fields.get(e.key);
      const mk = meta[e.key];
      if (!f && !mk) { report(e.line, `${where}: unknown argument "${e.key}"`); continue; }
      const want = f ? f.kind : mk;
      if (want === 'nested' && e.kind === 'attr') checkValue(e.value, f, `${where}.${e.key}`, e.line);
      else if (want === 'block' && e.kind === 'attr') report(e.line, `${where}: "${e.key}" is a block, not an attribute: write \`${e.key} { ... }\`, not \`${e.key} = ...\``);
      else if (want !== 'block' && !f?.blockOk && e.kind === 'block') report(e.line, `${where}: "${e.key}" is an attribute, not a block: write \`${e.key} = ...\`, not \`${e.key} { ... }\``);
      else if (e.kind === 'block') {
        if (f && !f.repeatable && e.elems.length > 1) report(e.elems[1].line, `${where}: block "${e.key}" may appear at most once`);
        for (const el of e.elems) {
          if (f?.body) checkBody(el.value, el.scan, f.body(), `${where}.${e.key}`, el.line);
          else if (e.key === 'lifecycle') checkLoose(el.value, el.scan, LIFECYCLE, `${where}.lifecycle`);
        }
      }
    }
    for (const f of fields.values()) {
      if (f.required && !(f.name in obj) && !dynamicHas(obj, f.name)) report(bodyLine, `${where}: missing required ${f.kind === 'block' ? 'block' : 'argument'} "${f.name}"`);
    }
  }
  // An object-typed attribute (`x = { ... }` / `x = [{ ... }]`): check the keys of literal objects.
  function checkValue(value, f, where, line) {
    if (!f.body || typeof value !== 'object' || value === null) return; // an expression: not checked
    const objs = f.map ? Object.values(value) : Array.isArray(value) ? value : [value];
    for (const o of objs) {
      if (!isObj(o)) continue;
      const fields = f.body();
      for (const [k, v] of Object.entries(o)) {
        if (!fields.has(k)) report(line, `${where}: unknown key "${k}"`);
        else checkValue(v, fields.get(k), `${where}.${k}`, line);
      }
      for (const g of fields.values()) if (g.required && !(g.name in o)) report(line, `${where}: missing required key "${g.name}"`);
    }
  }
  const dynamicHas = (obj, name) => isObj(obj.dynamic) && name in obj.dynamic;
  function checkDynamic(e, scan, fields, where) {
    const dyn = (scan ?? []).filter((s) => s.name === 'dynamic' && s.kind === 'block');
    labelled(e.value, dyn, 1, ([name], b, dscan, line) => {
      const f = fields.get(name);
      if (!f || f.kind !== 'block') return report(line, `${where}: dynamic "${name}": no such block`);
      for (const k of Object.keys(b)) if (!['for_each', 'iterator', 'labels', 'content'].includes(k)) report(line, `${where}: dynamic "${name}": unknown argument "${k}"`);
      const cscan = (dscan ?? []).find((s) => s.name === 'content');
      for (const c of b.content ?? []) f.body && checkBody(c, cscan?.body, f.body(), `${where}.${name}`, cscan?.line ?? line);
    });
  }
  function checkLoose(obj, scan, known, where) {
    for (const e of entries(obj, scan)) if (!known.includes(e.key)) report(e.line, `${where}: unknown argument "${e.key}"`);
  }
  const schemaFor = (kind, type, where, line) => {
    if (!type.startsWith('aws_')) return null; // other providers: not checked
    const dir = kind === 'data' ? 'data-aws-' + type.slice(4).replaceAll('_', '-') : type.slice(4).replaceAll('_', '-');
    const s = loadSchema(ctx.ts, ctx.providerDir, dir);
    if (!s) report(line, `${where}: unknown ${kind === 'data' ? 'data source' : 'resource type'} "${type}" in AWS provider ${ctx.providerVersion}`);
    return s;
  };

  for (const [top, value] of Object.entries(json)) {
    const scanTop = scanned.filter((s) => s.name === top);
    const line0 = scanTop[0]?.line ?? 0;
    if (!TOP.includes(top)) { report(line0, `unknown top-level ${Array.isArray(value) ? 'block' : 'attribute'} "${top}"`); continue; }
    if (top === 'resource' || top === 'data') {
      labelled(value, scanTop, 2, ([type, name], body, scan, line) => {
        const where = `${top === 'data' ? 'data.' : ''}${type}.${name}`;
        const s = schemaFor(top, type, where, line);
        if (s) checkBody(body, scan, s, where, line, top === 'resource' ? { ...META, provisioner: 'block', connection: 'block' } : META);
      });
    } else if (top === 'provider') {
      labelled(value, scanTop, 1, ([name], body, scan, line) => {
        if (name === 'aws') checkBody(body, scan, loadSchema(ctx.ts, ctx.providerDir, 'provider'), 'provider.aws', line);
      });
    } else if (top === 'output' || top === 'variable') {
      labelled(value, scanTop, 1, ([name], body, scan, line) => {
        checkLoose(body, scan, LOOSE[top], `${top}.${name}`);
        if (top === 'output' && !('value' in body)) report(line, `output.${name}: missing required argument "value"`);
      });
    } else if (top === 'terraform' || top === 'locals') {
      (Array.isArray(value) ? value : [value]).forEach((body, n) => {
        const scan = scanTop[n]?.body;
        if (top === 'locals') { for (const e of entries(body, scan)) if (e.kind === 'block') report(e.line, `locals: "${e.key}" must be an attribute`); return; }
        checkLoose(body, scan, LOOSE.terraform, 'terraform');
        for (const e of entries(body, scan)) {
          if (e.key !== 'required_providers') continue;
          if (e.kind !== 'block') { report(e.line, 'terraform: "required_providers" is a block'); continue; }
          for (const el of e.elems) for (const p of entries(el.value, el.scan)) {
            if (p.kind !== 'attr' || !isObj(p.value)) report(p.line, `terraform.required_providers: write \`${p.key} = { source = ..., version = ... }\``);
            else for (const k of Object.keys(p.value)) if (!['source', 'version', 'configuration_aliases'].includes(k)) report(p.line, `terraform.required_providers.${p.key}: unknown key "${k}"`);
          }
        }
      });
    }
  }
}

function firstDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return { line: i + 1, got: x[i], want: y[i] };
  return { line: 0, got: '', want: '' };
}

async function main(argv) {
  if (argv.length === 0 || argv.some((a) => a === '-h' || a === '--help')) {
    console.error('usage: node check.mjs FILE.tf...  (packages from $TFC_NODE_MODULES)');
    return 2;
  }
  let hcl2json, hclTools, ts, providerDir;
  try {
    hcl2json = require('@cdktf/hcl2json');
    hclTools = require('@cdktf/hcl-tools');
    ts = require('typescript');
    providerDir = path.dirname(require.resolve('@cdktf/provider-aws/package.json'));
  } catch (e) {
    console.error(`check.mjs: cannot load packages from ${modulesDir} (set TFC_NODE_MODULES): ${e.message.split('\n')[0]}`);
    return 2;
  }
  const providerVersion = JSON.parse(readFileSync(path.join(providerDir, 'package.json'), 'utf8')).cdktf?.provider?.version ?? '?';
  const sources = [];
  for (const file of argv) {
    try { sources.push([file, readFileSync(file, 'utf8')]); } catch (e) { console.error(`check.mjs: ${file}: ${e.message}`); return 2; }
  }
  let failed = false;
  for (const [file, src] of sources) {
    const problems = []; // { line, msg }
    const ctx = { problems, ts, providerDir, providerVersion };
    let json;
    try { json = await hcl2json.parse(file, src); } catch (e) {
      const msg = String(e?.message ?? e).replace(/^parse config: \[(.*)\]$/s, '$1').replace(/\s+/g, ' ');
      problems.push({ line: Number(/:(\d+),\d+/.exec(msg)?.[1] ?? 0), msg: `parse error: ${msg}` });
    }
    if (json) {
      const formatted = await hclTools.format(src).catch((e) => `${e}`);
      if (formatted !== src) {
        const d = firstDiff(src, formatted);
        problems.push({ line: d.line, msg: `not in terraform fmt form: line ${d.line} is ${JSON.stringify(d.got ?? '<end of file>')}, terraform fmt gives ${JSON.stringify(d.want ?? '<end of file>')}` });
      }
      checkFile(json, src, ctx);
    }
    for (const p of problems.sort((a, b) => a.line - b.line)) console.log(`${file}:${p.line}: ${p.msg}`);
    failed ||= problems.length > 0;
  }
  return failed ? 1 : 0;
}

process.exit(await main(process.argv.slice(2)));
