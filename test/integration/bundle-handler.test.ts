/**
 * The artifact that would be deployed works: the built dist/ bundle, copied to a code root as
 * Function Compute unpacks it, loaded by plain `node` (no tsx) with require('./index.js'), its
 * `handler` invoked with a real timer event (a Buffer of {triggerTime, triggerName, payload},
 * the payload s.yaml's string) and a context holding STS credentials, against the emulator.
 * Its real stdout is what SLS would index: every line must be one JSON object.
 *
 * The emulator runs in this process, so the child is spawned asynchronously.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { FcContext } from '../../functions/fc-types.js';
import { EVENTS } from '../../functions/report/audit-log.js';
import { ROOT, requireBuiltBundle } from '../../scripts/build.js';
import type { Emulator, Fleet } from '../emulator/index.js';
import { emulatorWith, idsIn, mutatingCalls, runProcess, tempDir, writePolicy } from '../support/e2e.js';
import { ECS_POLICY, ago } from '../support/fleets.js';

const STS = {
  accessKeyId: 'STS.NTq4bundleTestKey0000001',
  accessKeySecret: 'bundleTestSecretQ2v9Xr4TgH7sLmN3bVcZ1wYe6',
  securityToken: 'CAISbundleTestToken+gF1q6Ft5B2yfSjIr5bDHtbB2pZj0qq5Ykfk1XQxbNYcnbzqtTz2IHhMe3VqAOsctf8',
};

/** What the child runs: exactly what Function Compute does with `index.handler`. */
const INVOKE = `
const fs = require('fs');
const { handler } = require('./index.js');
const input = JSON.parse(fs.readFileSync(process.env.TEST_INPUT, 'utf8'));
handler(Buffer.from(input.event, 'utf8'), input.context).then(
  (value) => fs.writeFileSync(process.env.TEST_OUTPUT, JSON.stringify({ ok: true, value })),
  (e) => { fs.writeFileSync(process.env.TEST_OUTPUT, JSON.stringify({ ok: false, error: String(e && e.message) })); process.exitCode = 1; },
);`;

/** The payload s.yaml's timer trigger sends. */
function deployedPayload(): string {
  const doc = parse(readFileSync(join(ROOT, 's.yaml'), 'utf8')) as { resources: Record<string, { props: { triggers: Array<{ triggerConfig: { payload: string } }> } }> };
  const [resource] = Object.values(doc.resources);
  return resource?.props.triggers[0]?.triggerConfig.payload ?? '';
}

function timerEvent(payload = deployedPayload()): string {
  return JSON.stringify({ triggerTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'nightly', payload });
}

function context(): FcContext {
  return {
    requestId: '1-6740a1b2-c0ffee0123456789abcdef01',
    credentials: STS,
    function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 900 },
    region: 'cn-hangzhou',
    accountId: '1234567890123456',
  };
}

/** ECS images aged against the real clock: the handler measures ages against it. */
function fleet(): Fleet {
  const now = new Date();
  const img = (id: string, days: number) => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: ago(days, now), Status: 'Available' as const, ImageOwnerAlias: 'self' as const, ImageFamily: 'app', Size: 30 });
  return {
    credentials: [STS],
    regions: { 'cn-hangzhou': { images: [img('m-new', 1), img('m-mid', 5), img('m-old1', 40), img('m-old2', 50), { ...img('m-used', 60), usedByInstances: 1 }] } },
  };
}

interface Invocation {
  readonly code: number;
  readonly result: { ok: boolean; value?: Record<string, unknown>; error?: string };
  readonly lines: Array<Record<string, unknown>>;
  readonly stdout: string;
  readonly stderr: string;
}

let codeRoot: string;
let emu: Emulator;

async function invoke(env: Record<string, string>, event = timerEvent()): Promise<Invocation> {
  const io = tempDir('image-gc-bundle-io-');
  writeFileSync(join(io, 'input.json'), JSON.stringify({ event, context: context() }));
  const { code, stdout, stderr } = await runProcess(
    process.execPath,
    ['-e', INVOKE],
    {
      PATH: process.env['PATH'],
      FC_FUNC_CODE_PATH: codeRoot,
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      IMAGE_GC_ENDPOINT: emu.url,
      TEST_INPUT: join(io, 'input.json'),
      TEST_OUTPUT: join(io, 'output.json'),
      ...env,
    },
    codeRoot,
  );
  const result = JSON.parse(readFileSync(join(io, 'output.json'), 'utf8')) as Invocation['result'];
  return { code, result, stdout, stderr, lines: stdoutLines(stdout) };
}

/** Every stdout line as SLS would index it: one JSON object, each key once, the fields every line carries. */
function stdoutLines(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    const value: unknown = JSON.parse(line);
    expect(typeof value === 'object' && value !== null && !Array.isArray(value), line).toBe(true);
    // Re-serialising gives the line back only if no key was written twice (the last would win).
    expect(JSON.stringify(value), 'a key written twice').toBe(line);
    const o = value as Record<string, unknown>;
    expect(o).toMatchObject({ app: 'image-gc', level: expect.any(String), msg: expect.any(String), runId: expect.any(String) });
    expect(new Date(String(o['time'])).toISOString()).toBe(o['time']);
    expect(Object.values(EVENTS)).toContain(o['event']);
    return o;
  });
}

function expectCleanOutput(run: Invocation): void {
  expect(run.stderr).toBe('');
  for (const secret of [STS.accessKeySecret, STS.securityToken]) expect(run.stdout).not.toContain(secret);
  expect(new Set(run.lines.map((l) => l['runId'])).size).toBe(1);
}

beforeAll(() => {
  // A copy, as Function Compute unpacks the code package: nothing outside it can be reached.
  codeRoot = tempDir('image-gc-code-');
  cpSync(join(requireBuiltBundle(), '..'), codeRoot, { recursive: true });
});
beforeEach(async () => {
  emu = await emulatorWith(fleet());
});
afterEach(async () => {
  await emu.close();
});

describe('the built bundle, invoked as Function Compute does', () => {
  it("runs the policy shipped in the bundle (IMAGE_GC_POLICY relative to the code root) with the context's STS keys", async () => {
    const run = await invoke({ IMAGE_GC_POLICY: 'policies/default.yaml' });
    expect(run.result).toMatchObject({ ok: true });
    expect(run.code).toBe(0);
    expectCleanOutput(run);
    const summary = run.result.value as Record<string, unknown>;
    // policies/default.yaml ships in dry-run: it decides and changes nothing.
    expect(summary).toMatchObject({ mode: 'dry-run', policyFile: 'policies/default.yaml', listed: 5 });
    expect(mutatingCalls(emu.calls())).toEqual([]);
    // Every call was signed with the STS key and carried its token (the emulator refuses it otherwise).
    expect(emu.calls().length).toBeGreaterThan(0);
    expect(emu.calls().every((c) => c.status === 200)).toBe(true);
    const events = run.lines.map((l) => l['event']);
    expect(events[0]).toBe('run.start');
    expect(events.at(-1)).toBe('run.finish');
    expect(run.lines[0]).toMatchObject({ trigger: { name: 'nightly', requestId: context().requestId, function: 'image-gc' } });
    // The returned summary is the run.finish line (less the fields every line carries).
    const { level: _l, time: _t, app: _a, event: _e, msg: _m, ...finish } = run.lines.at(-1) as Record<string, unknown>;
    expect({ ...finish }).toEqual(summary);
  });

  it('runs a policy from outside the bundle (an absolute IMAGE_GC_POLICY) and deletes in enforce', async () => {
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('regions: [cn-hangzhou, cn-shanghai]', 'regions: [cn-hangzhou]'));
    const run = await invoke({ IMAGE_GC_POLICY: policy });
    expect(run.result).toMatchObject({ ok: true, value: { mode: 'enforce', policyFile: policy, outcomes: { deleted: 2 } } });
    expectCleanOutput(run);
    expect([...idsIn(emu.state())].sort()).toEqual(['m-mid', 'm-new', 'm-used']);
    expect(run.lines.filter((l) => l['event'] === 'item.outcome').map((l) => [l['id'], l['outcome']])).toEqual(
      expect.arrayContaining([['m-old1', 'deleted'], ['m-old2', 'deleted']]),
    );
  });

  it('IMAGE_GC_MODE=dry-run keeps an enforce policy from deleting', async () => {
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('regions: [cn-hangzhou, cn-shanghai]', 'regions: [cn-hangzhou]'));
    const run = await invoke({ IMAGE_GC_POLICY: policy, IMAGE_GC_MODE: 'dry-run' });
    expect(run.result).toMatchObject({ ok: true, value: { mode: 'dry-run', decisions: { delete: 2 } } });
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });

  it('fails the invocation on a payload it cannot obey, with one JSON line saying why', async () => {
    const run = await invoke({ IMAGE_GC_POLICY: 'policies/default.yaml' }, timerEvent('{"maxDeletionsPerRun": 1000}'));
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ ok: false, error: expect.stringContaining('unknown keys') });
    expect(run.lines.map((l) => l['event'])).toEqual(['run.rejected']);
    expect(emu.calls()).toEqual([]);
  });
});
