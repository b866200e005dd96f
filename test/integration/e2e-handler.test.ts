/**
 * The Function Compute handler (from the sources; the bundle has its own test) invoked as a
 * timer trigger does: the event a Buffer of JSON with the payload as a string, STS credentials in
 * the context, the policy a file named by IMAGE_GC_POLICY, every call to the emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import type { Emulator, Fleet } from '../emulator/index.js';
import { emulatorWith, idsIn, logSink, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { ECS_POLICY, ago } from '../support/fleets.js';

const STS = {
  accessKeyId: 'STS.NUy7nTmBqfFyZq3kBWPcLkZ4a',
  accessKeySecret: 'Fd8pK2vQq9Xr4TgH7sLmN3bVcZ1wYe6uJ0aI5oPz',
  securityToken: 'CAIS+gF1q6Ft5B2yfSjIr5bDHtbB2pZj0qq5Ykfk1XQxbNYcnbzqtTz2IHhMe3VqAOsctf8ymW1Y6f4TlqJ4T55IQ1Dza8kWmRXpcEPxXwL3ssPz',
};

/** Builds that are old relative to the real clock: the handler measures ages against it. */
function fleet(): Fleet {
  const now = new Date();
  const img = (id: string, days: number) => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: ago(days, now), Status: 'Available' as const, ImageOwnerAlias: 'self' as const, Size: 30 });
  return {
    credentials: [STS],
    regions: { 'cn-hangzhou': { images: [img('m-new', 1), img('m-mid', 5), img('m-old1', 40), img('m-old2', 50), { ...img('m-used', 60), usedByInstances: 1 }] } },
  };
}

function context(timeoutSeconds = 600): FcContext {
  return {
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    credentials: STS,
    function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: timeoutSeconds },
    region: 'cn-hangzhou',
    accountId: '1234567890123456',
  };
}

function timerEvent(payload: string): Buffer {
  return Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'nightly', payload }));
}

let emu: Emulator;
const saved = { ...process.env };
beforeEach(async () => {
  emu = await emulatorWith(fleet());
  process.env['IMAGE_GC_ENDPOINT'] = emu.url;
  process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), ECS_POLICY.replace('regions: [cn-hangzhou, cn-shanghai]', 'regions: [cn-hangzhou]'));
  delete process.env['IMAGE_GC_MODE'];
  delete process.env['ALIBABA_CLOUD_ACCESS_KEY_ID'];
  delete process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
});
afterEach(async () => {
  process.env = { ...saved };
  await emu.close();
});

describe('the Function Compute handler', () => {
  it('runs the policy with the STS credentials of the context and returns the summary', async () => {
    const sink = logSink();
    const summary = await createHandler({ destination: sink.destination })(timerEvent(''), context());
    expect(summary.mode).toBe('enforce');
    expect(summary.outcomes.deleted).toBe(2);
    expect([...idsIn(emu.state())].sort()).toEqual(['m-mid', 'm-new', 'm-used']);
    // Every call carried the STS token (the emulator refuses the key without it).
    expect(emu.calls().every((c) => c.status === 200)).toBe(true);
    const events = sink.lines.map((l) => l['event']);
    expect(events[0]).toBe('run.start');
    expect(events.at(-1)).toBe('run.finish');
    expect(events.filter((e) => e === 'item.decision')).toHaveLength(5);
    expect(events.filter((e) => e === 'item.outcome')).toHaveLength(2);
    expect(new Set(sink.lines.map((l) => l['runId'])).size).toBe(1);
    expect(sink.lines[0]).toMatchObject({ trigger: { name: 'nightly', requestId: context().requestId } });
  });

  it('a payload asking for dry-run is obeyed: no mutating call', async () => {
    const summary = await createHandler({ destination: logSink().destination })(timerEvent('{"dryRun":true}'), context());
    expect(summary.mode).toBe('dry-run');
    expect(summary.decisions.delete).toBe(2);
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });

  it('a payload asking for enforce cannot override a dry-run policy', async () => {
    process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), ECS_POLICY.replace('mode: enforce', 'mode: dry-run'));
    const sink = logSink();
    const summary = await createHandler({ destination: sink.destination })(timerEvent('{"mode":"enforce"}'), context());
    expect(summary.mode).toBe('dry-run');
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(sink.lines.some((l) => l['event'] === 'run.warning' && String(l['msg']).includes('asked for enforce'))).toBe(true);
  });

  it('IMAGE_GC_MODE=dry-run turns an enforce policy into a dry-run', async () => {
    process.env['IMAGE_GC_MODE'] = 'dry-run';
    const summary = await createHandler({ destination: logSink().destination })(timerEvent(''), context());
    expect(summary.mode).toBe('dry-run');
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });

  it.each([
    ['not JSON', Buffer.from('nightly')],
    ['payload not JSON', timerEvent('please delete everything')],
    ['unknown payload key', timerEvent('{"maxDeletionsPerRun": 1000}')],
  ])('refuses a bad event (%s) before calling anything', async (_name, event) => {
    const sink = logSink();
    await expect(createHandler({ destination: sink.destination })(event, context())).rejects.toThrow(/image-gc/);
    expect(emu.calls()).toEqual([]);
    expect(sink.lines.map((l) => l['event'])).toEqual(['run.rejected']);
  });

  it('refuses an invalid policy with its position, calling nothing', async () => {
    process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), ECS_POLICY.replace('keep:', 'kep:'));
    const sink = logSink();
    await expect(createHandler({ destination: sink.destination })(timerEvent(''), context())).rejects.toThrow(/policy\.yaml:\d+:\d+/);
    expect(emu.calls()).toEqual([]);
    expect(sink.lines[0]).toMatchObject({ event: 'run.rejected', reason: 'invalid policy' });
  });

  it('stops starting deletions at the deadline and reports what it left', async () => {
    // A 30 s function keeps a 30 s margin: the deadline has passed before the first deletion.
    const summary = await createHandler({ destination: logSink().destination })(timerEvent(''), context(30));
    expect(summary.outcomes.skipped).toBe(2);
    expect(summary.leftByDeadline).toBe(2);
    expect(summary.completed).toBe(false);
    expect(summary.exitStatus).toBe(1);
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });
});
