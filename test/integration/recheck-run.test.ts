/**
 * The scheduled run reads each item again right before deleting it: the cloud is changed at an
 * exact moment (after the run's listing, before its first deletion) by a proxy in front of the
 * emulator, and the run deletes nothing that changed, and everything that did not. Through the
 * Function Compute handler (the scheduled run) and `gc run`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FcContext } from '../../functions/fc-types.js';
import { createHandler } from '../../functions/handler.js';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { cli, emulatorWith, envFor, idsIn, logSink, tempDir, writePolicy } from '../support/e2e.js';
import { ago, E2E_NOW } from '../support/fleets.js';
import { changeFleet, imageIn, interceptingProxy, readLog, removeImage, type SeenRequest } from '../support/plan-apply.js';

const POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100, concurrency: 1 }
rules:
  - name: apps
    resource: ecs-image
    match: { name: "app-*" }
    keep: { newest: 2, groupBy: family }
`;

/** a1..a8, 10 to 80 days before `now`; the policy keeps a1 and a2 and deletes a3..a8. */
function appFleet(now: Date): Fleet {
  const app = (n: number): FleetImage => ({ ImageId: `m-a${n}`, ImageName: `app-${n}`, CreationTime: ago(n * 10, now), Status: 'Available', Size: 20, ImageFamily: 'app' });
  return { regions: { 'cn-hangzhou': { images: [1, 2, 3, 4, 5, 6, 7, 8].map(app) } } };
}

const isReRead = (r: SeenRequest) => r.action === 'DescribeImages' && r.params['ImageId'] !== undefined;

let emu: Emulator | undefined;
let closeProxy: (() => Promise<void>) | undefined;
const saved = { ...process.env };
beforeEach(() => {
  delete process.env['IMAGE_GC_MODE'];
});
afterEach(async () => {
  process.env = { ...saved };
  await closeProxy?.();
  closeProxy = undefined;
  await emu?.close();
  emu = undefined;
});

/** Changes the fleet once, at the run's first re-read (of the oldest candidate, a8). */
async function changeAtFirstReRead(e: Emulator, change: (f: Fleet) => void) {
  let done = false;
  const proxy = await interceptingProxy(e, (r) => {
    if (done || !isReRead(r)) return;
    done = true;
    changeFleet(e, change);
  });
  closeProxy = proxy.close;
  return { proxy, changed: () => done };
}

const STS = { accessKeyId: 'STS.recheck0001', accessKeySecret: 'recheck-secret-0001', securityToken: 'recheck-token-0001' };
const context: FcContext = {
  requestId: 'c0ffee00-0000-4000-8000-0000000000aa',
  credentials: STS,
  function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 600 },
  region: 'cn-hangzhou',
  accountId: '1234567890123456',
};

describe('the scheduled run (Function Compute handler)', () => {
  it('refuses what went into use or was tagged keep; skips what is gone', async () => {
    emu = await emulatorWith({ ...appFleet(new Date()), credentials: [STS] });
    const { proxy, changed } = await changeAtFirstReRead(emu, (f) => {
      imageIn(f, 'm-a8').usedByInstances = 1;
      imageIn(f, 'm-a6').Tags = { 'image-gc:keep': 'true' };
      removeImage(f, 'm-a5');
    });
    process.env['IMAGE_GC_ENDPOINT'] = proxy.url;
    process.env['IMAGE_GC_POLICY'] = writePolicy(tempDir(), POLICY);
    const sink = logSink();
    const summary = await createHandler({ destination: sink.destination })(Buffer.from(JSON.stringify({ triggerName: 'nightly', payload: '' })), context);
    expect(changed()).toBe(true);
    const deletes = proxy.seen.filter((s) => s.action === 'DeleteImage').map((s) => s.params['ImageId']).sort();
    expect(deletes).toEqual(['m-a3', 'm-a4', 'm-a7']);
    expect([...idsIn(emu.state())].sort()).toEqual(['m-a1', 'm-a2', 'm-a6', 'm-a8']);
    const outcomes = Object.fromEntries(sink.lines.filter((l) => l['event'] === 'item.outcome').map((l) => [l['id'], `${l['outcome']}/${l['code']}`]));
    expect(outcomes).toEqual({
      'm-a8': 'refused/changed',
      'm-a7': 'deleted/null',
      'm-a6': 'refused/changed',
      'm-a5': 'already-gone/gone',
      'm-a4': 'deleted/null',
      'm-a3': 'deleted/null',
    });
    const message = (id: string) => String(sink.lines.find((l) => l['event'] === 'item.outcome' && l['id'] === id)?.['message']);
    expect(message('m-a8')).toMatch(/now in use/);
    expect(message('m-a6')).toMatch(/tag image-gc:keep=true added/);
    expect(summary.outcomes).toMatchObject({ deleted: 3, refused: 2, 'already-gone': 1 });
  });
});

describe('gc run', () => {
  it('refuses what was shared or changed status after the listing', async () => {
    emu = await emulatorWith(appFleet(E2E_NOW));
    const { proxy } = await changeAtFirstReRead(emu, (f) => {
      imageIn(f, 'm-a7').sharedWith = ['1111222233334444'];
      imageIn(f, 'm-a4').Status = 'CreateFailed';
    });
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', writePolicy(tempDir(), POLICY), '--now', E2E_NOW.toISOString(), '--log', log], { ...envFor(emu), IMAGE_GC_ENDPOINT: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    const deletes = proxy.seen.filter((s) => s.action === 'DeleteImage').map((s) => s.params['ImageId']).sort();
    expect(deletes).toEqual(['m-a3', 'm-a5', 'm-a6', 'm-a8']);
    const refused = readLog(log).filter((l) => l['event'] === 'item.outcome' && l['outcome'] === 'refused');
    expect(refused.map((l) => [l['id'], l['code']]).sort()).toEqual([['m-a4', 'changed'], ['m-a7', 'changed']]);
    expect(String(refused.find((l) => l['id'] === 'm-a4')?.['message'])).toMatch(/status Available -> CreateFailed/);
    expect(String(refused.find((l) => l['id'] === 'm-a7')?.['message'])).toMatch(/now shared/);
  });

  it('reads each item once right before its deletion, and deletes all when nothing changed', async () => {
    emu = await emulatorWith(appFleet(E2E_NOW));
    const { proxy } = await changeAtFirstReRead(emu, () => {});
    const r = await cli(['run', '--policy', writePolicy(tempDir(), POLICY), '--now', E2E_NOW.toISOString(), '--log', `${tempDir()}/a.jsonl`], { ...envFor(emu), IMAGE_GC_ENDPOINT: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    // The re-read asks for the item first, then the newer items of its keep.newest group (one call).
    const sequence = proxy.seen.filter((s) => isReRead(s) || s.action === 'DeleteImage').map((s) => `${s.action} ${String(s.params['ImageId']).split(',')[0]}`);
    // concurrency 1, oldest first: each deletion right after its own re-read.
    expect(sequence).toEqual([8, 7, 6, 5, 4, 3].flatMap((n) => [`DescribeImages m-a${n}`, `DeleteImage m-a${n}`]));
  });

  it('a re-read that fails deletes nothing of that item', async () => {
    emu = await emulatorWith({
      ...appFleet(E2E_NOW),
      behaviour: { errors: [{ action: 'DescribeImages', params: { ImageId: 'm-a6,*' }, status: 403, code: 'Forbidden.RAM', message: 'denied' }] },
    });
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', writePolicy(tempDir(), POLICY), '--now', E2E_NOW.toISOString(), '--log', log], envFor(emu));
    expect(r.code).toBe(1);
    const deletes = emu.calls().filter((c) => c.action === 'DeleteImage').map((c) => c.params['ImageId']).sort();
    expect(deletes).toEqual(['m-a3', 'm-a4', 'm-a5', 'm-a7', 'm-a8']);
    const failed = readLog(log).find((l) => l['event'] === 'item.outcome' && l['id'] === 'm-a6');
    expect(failed).toMatchObject({ outcome: 'failed', code: 'Forbidden.RAM' });
    expect(String(failed?.['message'])).toMatch(/re-reading it before deletion failed, so it was not deleted/);
  });
});

describe('still a candidate under the policy now', () => {
  it('an item whose change makes the policy keep it is refused, though no protection covers it', async () => {
    emu = await emulatorWith(appFleet(E2E_NOW));
    // a5 renamed out of the rule's match: no rule matches it any more (keep, unmatched).
    const { proxy } = await changeAtFirstReRead(emu, (f) => (imageIn(f, 'm-a5').ImageName = 'kept-by-hand'));
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', writePolicy(tempDir(), POLICY), '--now', E2E_NOW.toISOString(), '--log', log], { ...envFor(emu), IMAGE_GC_ENDPOINT: proxy.url });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.seen.filter((s) => s.action === 'DeleteImage').map((s) => s.params['ImageId']).sort()).toEqual(['m-a3', 'm-a4', 'm-a6', 'm-a7', 'm-a8']);
    const a5 = readLog(log).find((l) => l['event'] === 'item.outcome' && l['id'] === 'm-a5');
    expect(a5).toMatchObject({ outcome: 'refused', code: 'changed' });
    expect(String(a5?.['message'])).toMatch(/name app-5 -> kept-by-hand; no longer a candidate: the policy now says keep \(unmatched\)/);
  });
});
