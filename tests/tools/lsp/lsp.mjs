#!/usr/bin/env node
// Drives the pinned yaml-language-server over its stdio LSP protocol, the way an editor does,
// and prints what it answered as one JSON object. tests/editor.rs writes the job and asserts.
//
//   node tests/tools/lsp/lsp.mjs < job.json > results.json
//
// Job (stdin):
//   { "rootUri": "file:///…",                      workspace folder
//     "settings": { "yaml": {…}, … },               answered to the server's workspace/configuration
//                                                   pulls, by section ("yaml", "http", "[yaml]", "editor")
//     "documents": [{ "uri": "file:///…", "text": "…" }],   opened with didOpen (never read from disk)
//     "requests": [{ "uri", "method": "completion" | "hover", "line", "character" }] }  0-based
// Results (stdout):
//   { "server": {name, version}, "timedOut": false,
//     "diagnostics": { uri: [{ line, character, endLine, endCharacter, severity, source, code, message }] },
//     "results": [{ …request, "labels": [...], "items": [{label, kind, detail, insertText}] }   completion
//                 | { …request, "hover": "markdown or text" | null }]                          hover
//     "serverRequests": ["workspace/configuration", …], "stderr": "…" }
//
// Protocol: Content-Length framed JSON-RPC 2.0 over the server's stdin/stdout. The client says it
// supports workspace/configuration (yaml-language-server 2.0.0 ignores didChangeConfiguration's
// payload and pulls its settings with that request, as from VS Code), snippets in completion and
// markdown hovers. Diagnostics are the last textDocument/publishDiagnostics per document once
// every document has had one and none arrived for QUIET_MS.
//
// It can never hang: after DEADLINE_MS the server is killed and the partial results are printed
// with "timedOut": true (exit 3). Exit 2 = usage error or the server cannot be found. Packages
// come from TFC_NODE_MODULES, else ../../../.tools/node/node_modules relative to this script.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEADLINE_MS = Number(process.env.TFC_LSP_DEADLINE_MS || 30000);
const QUIET_MS = 750;

const here = path.dirname(fileURLToPath(import.meta.url));
const modulesDir = process.env.TFC_NODE_MODULES
  || path.join(here, '..', '..', '..', '.tools', 'node', 'node_modules');
const serverBin = path.join(modulesDir, 'yaml-language-server', 'bin', 'yaml-language-server');
if (!existsSync(serverBin)) {
  console.error(`lsp.mjs: ${serverBin} is missing (set TFC_NODE_MODULES or run scripts/test)`);
  process.exit(2);
}

let job;
try {
  job = JSON.parse(readFileSync(0, 'utf8'));
} catch (e) {
  console.error(`lsp.mjs: the job on stdin is not JSON: ${e.message}`);
  process.exit(2);
}

const out = {
  server: null,
  timedOut: false,
  diagnostics: {},
  results: [],
  serverRequests: [],
  stderr: '',
};

const server = spawn(process.execPath, [serverBin, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
server.stderr.on('data', (d) => { out.stderr = (out.stderr + d).slice(-4000); });

function finish(code) {
  clearTimeout(deadline);
  if (server.exitCode === null) server.kill('SIGKILL');
  process.stdout.write(JSON.stringify(out) + '\n', () => process.exit(code));
}
const deadline = setTimeout(() => {
  out.timedOut = true;
  finish(3);
}, DEADLINE_MS);
server.on('error', (e) => { out.stderr += `\nspawn error: ${e.message}`; finish(2); });
server.on('exit', (code, signal) => {
  if (!shuttingDown) {
    out.stderr += `\nserver exited early: code ${code} signal ${signal}`;
    finish(1);
  }
});
let shuttingDown = false;

// --- framing -------------------------------------------------------------------------------
function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

let buffer = Buffer.alloc(0);
server.stdout.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const header = buffer.subarray(0, headerEnd).toString('ascii');
    const m = /Content-Length: *(\d+)/i.exec(header);
    if (!m) {
      out.stderr += `\nbad header: ${header}`;
      finish(1);
      return;
    }
    const length = Number(m[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
    buffer = buffer.subarray(headerEnd + 4 + length);
    let message;
    try {
      message = JSON.parse(body);
    } catch (e) {
      out.stderr += `\nbad JSON from server: ${e.message}`;
      continue;
    }
    receive(message);
  }
});

// --- JSON-RPC ------------------------------------------------------------------------------
let nextId = 1;
const pending = new Map();
function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
function notify(method, params) {
  send({ method, params });
}

let lastDiagnosticsAt = 0;
function receive(message) {
  if (message.id !== undefined && message.method === undefined) {
    const p = pending.get(message.id);
    if (!p) return;
    pending.delete(message.id);
    if (message.error) p.reject(new Error(`${p.method}: ${message.error.message}`));
    else p.resolve(message.result);
    return;
  }
  if (message.id !== undefined) {
    // A request from the server: answer it as an editor would.
    out.serverRequests.push(message.method);
    let result = null;
    if (message.method === 'workspace/configuration') {
      const settings = job.settings || {};
      result = (message.params.items || []).map((item) => settings[item.section] ?? null);
    }
    send({ id: message.id, result });
    return;
  }
  if (message.method === 'textDocument/publishDiagnostics') {
    lastDiagnosticsAt = Date.now();
    out.diagnostics[message.params.uri] = message.params.diagnostics.map((d) => ({
      line: d.range.start.line,
      character: d.range.start.character,
      endLine: d.range.end.line,
      endCharacter: d.range.end.character,
      severity: d.severity ?? null,
      source: d.source ?? null,
      code: d.code ?? null,
      message: d.message,
    }));
  }
}

function hoverText(contents) {
  if (!contents) return null;
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map(hoverText).join('\n\n');
  return contents.value ?? null;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the session ---------------------------------------------------------------------------
try {
  const init = await request('initialize', {
    processId: process.pid,
    clientInfo: { name: 'tfc-tests', version: '1' },
    rootUri: job.rootUri ?? null,
    workspaceFolders: job.rootUri ? [{ uri: job.rootUri, name: 'tfc' }] : null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      textDocument: {
        synchronization: { dynamicRegistration: true },
        publishDiagnostics: { relatedInformation: true },
        completion: {
          completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] },
        },
        hover: { contentFormat: ['markdown', 'plaintext'] },
      },
    },
  });
  out.server = init?.serverInfo ?? null;
  notify('initialized', {});
  notify('workspace/didChangeConfiguration', { settings: null });

  for (const doc of job.documents || []) {
    notify('textDocument/didOpen', {
      textDocument: { uri: doc.uri, languageId: 'yaml', version: 1, text: doc.text },
    });
  }

  for (const r of job.requests || []) {
    const params = { textDocument: { uri: r.uri }, position: { line: r.line, character: r.character } };
    if (r.method === 'completion') {
      const res = await request('textDocument/completion', params);
      const items = Array.isArray(res) ? res : res?.items ?? [];
      out.results.push({
        ...r,
        labels: items.map((i) => i.label),
        items: items.map((i) => ({
          label: i.label,
          kind: i.kind ?? null,
          detail: i.detail ?? null,
          insertText: i.insertText ?? i.textEdit?.newText ?? null,
        })),
      });
    } else if (r.method === 'hover') {
      const res = await request('textDocument/hover', params);
      out.results.push({ ...r, hover: hoverText(res?.contents) });
    } else {
      throw new Error(`unknown request method ${r.method}`);
    }
  }

  // Diagnostics: every document has had one, then a quiet period (re-validation after the
  // configuration pull publishes again).
  const uris = (job.documents || []).map((d) => d.uri);
  for (;;) {
    const all = uris.every((u) => out.diagnostics[u] !== undefined);
    if (all && Date.now() - lastDiagnosticsAt >= QUIET_MS) break;
    await sleep(50);
  }

  shuttingDown = true;
  await Promise.race([request('shutdown', null), sleep(2000)]);
  notify('exit', null);
  await Promise.race([new Promise((r) => server.once('exit', r)), sleep(2000)]);
  finish(0);
} catch (e) {
  out.stderr += `\nclient error: ${e.stack || e.message}`;
  shuttingDown = true;
  finish(1);
}
