// Tests of check.mjs: `node --test tests/tools/tf/` (packages from TFC_NODE_MODULES, as for check.mjs).
// Each case runs check.mjs on fixtures/ files and expects exactly the listed `LINE: message` problems.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name) => path.join(here, 'fixtures', name);
const check = (...files) => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [path.join(here, 'check.mjs'), ...files]);
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('error', reject);
  child.on('close', (code) => resolve({ code, lines: stdout.split('\n').filter(Boolean), stderr }));
});
// Expects exactly these problems (regexes matched against the line after `FILE:`), in order.
const expectProblems = async (name, ...expected) => {
  const file = fixture(name);
  const r = await check(file);
  const got = `stdout:\n${r.lines.join('\n')}\nstderr:\n${r.stderr}`;
  assert.equal(r.code, expected.length ? 1 : 0, `exit code; ${got}`);
  assert.equal(r.lines.length, expected.length, got);
  expected.forEach((re, n) => {
    assert.ok(r.lines[n].startsWith(`${file}:`), r.lines[n]);
    assert.match(r.lines[n].slice(file.length + 1), re);
  });
};

describe('check.mjs', { concurrency: true }, () => {
  test('valid.tf passes (parse, terraform fmt form, schema)', () => expectProblems('valid.tf'));

  test('unclosed brace: parse error with the parser message', () =>
    expectProblems('unclosed-brace.tf', /^1: parse error: .*Unclosed configuration block/));

  test('misspelled argument in a nested block', () =>
    expectProblems('misspelled-argument.tf',
      /^5: aws_cloudwatch_event_target\.run\.ecs_target: missing required argument "task_definition_arn"$/,
      /^6: aws_cloudwatch_event_target\.run\.ecs_target: unknown argument "task_defintion_arn"$/));

  test('block written as an attribute', () =>
    expectProblems('block-as-attribute.tf',
      /^7: aws_cloudwatch_event_target\.run\.ecs_target: "network_configuration" is a block, not an attribute/));

  test('map attribute written as a block', () =>
    expectProblems('map-as-block.tf',
      /^6: aws_cloudwatch_event_target\.run\.input_transformer: "input_paths" is an attribute, not a block/));

  test('missing required argument', () =>
    expectProblems('missing-required.tf', /^1: aws_cloudwatch_event_target\.run: missing required argument "arn"$/));

  test('unformatted file: first differing line, both versions', () =>
    expectProblems('unformatted.tf',
      /^2: not in terraform fmt form: line 2 is " {2}name = \\"\/tfc\/task\\"", terraform fmt gives " {2}name {14}= \\"\/tfc\/task\\""$/));

  test('unknown types, repeated single blocks, dynamic blocks, outputs; other providers skipped', () =>
    expectProblems('mixed-problems.tf',
      /^1: aws_no_such_thing\.x: unknown resource type "aws_no_such_thing" in AWS provider 6\.\d+\.\d+$/,
      /^3: data\.aws_no_such_source\.x: unknown data source "aws_no_such_source" in AWS provider 6\.\d+\.\d+$/,
      /^12: aws_cloudwatch_event_target\.t: block "retry_policy" may appear at most once$/,
      /^17: aws_cloudwatch_event_target\.t\.run_command_targets: missing required argument "values"$/,
      /^19: aws_cloudwatch_event_target\.t\.run_command_targets: unknown argument "valus"$/,
      /^25: output\.o: missing required argument "value"$/));

  test('heredocs, braces in strings, provider blocks, attributes-as-blocks, object attributes', () =>
    expectProblems('syntax-corners.tf', /^39: aws_s3tables_table\.t\.encryption_configuration: unknown key "bogus"$/));

  test('several files: the problems of each, exit 1', async () => {
    const r = await check(fixture('valid.tf'), fixture('missing-required.tf'), fixture('unformatted.tf'));
    assert.equal(r.code, 1);
    assert.deepEqual(r.lines.map((l) => path.basename(l.split(':')[0])), ['missing-required.tf', 'unformatted.tf']);
  });

  test('usage errors exit 2 and print nothing on stdout', async () => {
    const none = await check();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage/);
    const missing = await check(fixture('missing-required.tf'), fixture('no-such-file.tf'));
    assert.equal(missing.code, 2);
    assert.deepEqual(missing.lines, []);
    assert.match(missing.stderr, /no-such-file\.tf/);
  });
});
