/**
 * Hostile policies at the command line and the handler (issue #7). The loader itself is fuzzed in
 * test/unit/policy-hostile.test.ts; here the same kinds of input go through the real entry points
 * against a live emulator: every input is either valid or refused with file:line:column and exit 2
 * (the handler: an error naming the position, and a run.rejected line), with not one API call.
 * fast-check mutates valid policies; the explicit list is an alias bomb, a 10 MB file, deep nesting,
 * bytes that are not UTF-8, a policy that is a list, and one that is a scalar.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import { loadPolicy } from '../../functions/policy/load.js';
import type { Emulator } from '../emulator/index.js';
import { ROOT, cli, emulatorWith, envFor, logSink, tempDir } from '../support/e2e.js';
import { ECS_POLICY, ecsFleet } from '../support/fleets.js';
import { Figures } from '../support/reliability-figures.js';

const SEEDS = [ECS_POLICY, readFileSync(join(ROOT, 'policies/default.yaml'), 'utf8')];
const SCALARS = ['[]', '{}', '0', '-1', 'true', 'null', '~', '""', '*a', '&a x', '!!binary aGk=', '- x', '{a: [b', '.inf', '__proto__', '"\\u0000"', '30x', 'enforce'];

type Mutation = (lines: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((i): Mutation => (ls) => ls.filter((_, j) => j !== i % ls.length)),
  fc.nat().map((i): Mutation => (ls) => ls.flatMap((l, j) => (j === i % ls.length ? [l, l] : [l]))),
  fc.tuple(fc.nat(), fc.string({ maxLength: 10 })).map(([i, name]): Mutation => (ls) => ls.map((l, j) => (j === i % ls.length ? l.replace(/^(\s*-?\s*)[^:\s]+:/, `$1${name}:`) : l))),
  fc.tuple(fc.nat(), fc.constantFrom(...SCALARS)).map(([i, v]): Mutation => (ls) => ls.map((l, j) => (j === i % ls.length ? l.replace(/:\s.*$/, `: ${v}`) : l))),
  fc.tuple(fc.nat(), fc.nat({ max: 6 })).map(([i, n]): Mutation => (ls) => ls.map((l, j) => (j === i % ls.length ? ' '.repeat(n) + l.trimStart() : l))),
);
const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([seed, ms]) => ms.reduce((ls, m) => m(ls), seed.split('\n')).join('\n'));

function aliasBomb(): string {
  const levels = ['version: 1', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  return levels.join('\n');
}

const EXPLICIT: Array<[string, string | Uint8Array]> = [
  ['an alias bomb', aliasBomb()],
  ['a 10 MB file', `version: 1\n${'#'.repeat(10 * 1024 * 1024)}`],
  ['deep nesting', '['.repeat(100_000)],
  ['deep block nesting', Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')],
  ['bytes that are not UTF-8', new Uint8Array([...new TextEncoder().encode('version: 1\nregions: [cn-hangzhou, "'), 0xff, 0xfe, 0x22, 0x5d, 0x0a])],
  ['a list', '- version: 1\n- mode: enforce\n'],
  ['a scalar', '42\n'],
  ['a string', '"delete everything"\n'],
  ['an empty file', ''],
];

let emu: Emulator;
const dir = tempDir('image-gc-hostile-policy-');
let refused = 0;
let accepted = 0;
beforeAll(async () => {
  emu = await emulatorWith(ecsFleet());
});
afterAll(async () => {
  await emu.close();
  const figures = new Figures('hostile-policy');
  figures.add({
    part: 'hostile policies (CLI and handler)',
    runs: refused + accepted,
    faults: { 'bad policy': refused },
    items: 0,
    candidatesDeleted: 0,
    protectedDeleted: 0,
    lostOutcomes: 0,
    reruns: 0,
    rerunsConverged: 0,
    note: `${refused} refused with a position and exit 2 and zero API calls; ${accepted} mutations happened to be valid`,
  });
  figures.write();
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** validate, plan and run on one file: exit 2, the position on stderr, no call. Returns false when the policy is valid. */
async function expectRefusedEverywhere(file: string): Promise<boolean> {
  emu.clearCalls();
  const valid = loadPolicy({ text: readFileSync(file), file }).ok;
  if (valid) {
    const r = await cli(['validate', '--policy', file], envFor(emu));
    expect(r.code).toBe(0);
    return false;
  }
  for (const command of ['validate', 'plan', 'run']) {
    const argv = command === 'validate' ? [command, '--policy', file] : [command, '--policy', file, '--endpoint', emu.url, ...(command === 'run' ? ['--log', join(dir, 'audit.jsonl')] : [])];
    const r = await cli(argv, envFor(emu));
    expect(r.code, `${command}: ${r.stderr.slice(0, 300)}`).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${escape(file)}:\\d+:\\d+: `));
  }
  expect(emu.calls()).toEqual([]);
  return true;
}

describe('hostile policies through the entry points', () => {
  it('fuzzed mutations of valid policies: each is valid, or refused by validate, plan and run with a position, exit 2 and zero API calls', async () => {
    const samples = fc.sample(mutated, { numRuns: 40, seed: 7 });
    for (const [i, text] of samples.entries()) {
      const file = join(dir, `fuzz-${i}.yaml`);
      writeFileSync(file, text);
      if (await expectRefusedEverywhere(file)) refused++;
      else accepted++;
    }
    expect(refused).toBeGreaterThan(20);
  });

  it.each(EXPLICIT)('%s: refused by validate, plan and run with a position, exit 2 and zero API calls', async (name, content) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, content);
    expect(await expectRefusedEverywhere(file)).toBe(true);
    refused++;
  });

  it.each(EXPLICIT)('%s: the handler refuses it with a position and a run.rejected line, calling nothing', async (name, content) => {
    const file = join(dir, `handler-${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, content);
    const saved = { ...process.env };
    try {
      process.env['IMAGE_GC_ENDPOINT'] = emu.url;
      process.env['IMAGE_GC_POLICY'] = file;
      emu.clearCalls();
      const sink = logSink();
      const context: FcContext = { requestId: 'r-1', credentials: { accessKeyId: 'STS.e2e-key-id-0001', accessKeySecret: 'e2e-secret-value-0001', securityToken: 'e2e-token-0001' }, function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 600 }, region: 'cn-hangzhou', accountId: '1' };
      await expect(createHandler({ destination: sink.destination })(Buffer.from(''), context)).rejects.toThrow(new RegExp(`${escape(file)}:\\d+:\\d+`));
      expect(sink.lines.map((l) => l['event'])).toEqual(['run.rejected']);
      expect(emu.calls()).toEqual([]);
    } finally {
      process.env = saved;
    }
  });
});
