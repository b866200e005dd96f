/**
 * The collector end to end through the CLI, against the emulator over real HTTP with signed
 * requests: for each kind the cloud afterwards holds exactly what the plan kept; a dry-run sends
 * no mutating call; a second run changes nothing; exit statuses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/index.js';
import { cli, cliProcess, emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { E2E_NOW, ECS_POLICY, KIND_CASES, ago, ecsFleet } from '../support/fleets.js';

const NOW = E2E_NOW.toISOString();
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

interface PlanJson {
  items: Array<{ kind: string; id: string; createdAt: string; decision: string; rule: string | null; reasons: string[] }>;
  summary: { counts: Record<string, number> };
}

async function planJson(policy: string, env: NodeJS.ProcessEnv): Promise<PlanJson> {
  const r = await cli(['plan', '--policy', policy, '--json', '--now', NOW], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe.each(KIND_CASES)('$kind end to end through the CLI', ({ fleet, policy: policyText }) => {
  it('deletes exactly what the plan said and keeps the rest; a second run deletes nothing', async () => {
    emu = await emulatorWith(fleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), policyText);
    const before = idsIn(emu.state());
    const plan = await planJson(policy, env);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    const toDelete = new Set(plan.items.filter((i) => i.decision === 'delete').map((i) => i.id));
    expect(toDelete.size).toBeGreaterThan(0);
    expect(plan.items.some((i) => i.decision === 'protect' || i.decision === 'keep')).toBe(true);

    const first = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/audit.jsonl`], env);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const after = idsIn(emu.state());
    expect([...after].sort()).toEqual([...before].filter((id) => !toDelete.has(id)).sort());

    emu.clearCalls();
    const second = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/audit.jsonl`], env);
    expect(second.code).toBe(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(idsIn(emu.state())).toEqual(after);
  });

  it('in dry-run sends no mutating call and changes nothing', async () => {
    emu = await emulatorWith(fleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), policyText);
    const before = idsIn(emu.state());
    const r = await cli(['run', '--policy', policy, '--now', NOW, '--dry-run', '--log', `${tempDir()}/audit.jsonl`], env);
    expect(r.code).toBe(0);
    expect(emu.calls().length).toBeGreaterThan(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
  });
});

describe('policy mode and flags', () => {
  it('a policy in dry-run mode changes nothing even through `run`', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('mode: enforce', 'mode: dry-run'));
    const r = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], envFor(emu));
    expect(r.code).toBe(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });

  it('a group over maxDeletionPercent is aborted: nothing of it deleted, exit 1', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('maxDeletionPercent: 100', 'maxDeletionPercent: 20'));
    const before = idsIn(emu.state());
    const r = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], envFor(emu));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ABORTED ecs-image in cn-hangzhou/);
    // cn-shanghai: 4 of 6 candidates is also over 20%: nothing anywhere.
    expect(idsIn(emu.state())).toEqual(before);
    expect(mutatingCalls(emu.calls())).toEqual([]);
  });

  it('maxDeletionsPerRun defers the rest, oldest deleted first; the next run takes the deferred', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('maxDeletionsPerRun: 100', 'maxDeletionsPerRun: 2'));
    const env = envFor(emu);
    const plan = await planJson(policy, env);
    const deletes = plan.items.filter((i) => i.decision === 'delete');
    const deferred = plan.items.filter((i) => i.decision === 'defer');
    expect(deletes).toHaveLength(2);
    expect(deferred.length).toBeGreaterThan(0);
    const newestDeleted = Math.max(...deletes.map((i) => Date.parse(i.createdAt)));
    for (const d of deferred) expect(Date.parse(d.createdAt)).toBeGreaterThanOrEqual(newestDeleted);
    await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], env);
    const deleted = mutatingCalls(emu.calls()).map((c) => String(c.params['ImageId']));
    expect(deleted.sort()).toEqual(deletes.map((i) => i.id).sort());
    emu.clearCalls();
    await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/b.jsonl`], env);
    const next = mutatingCalls(emu.calls()).map((c) => String(c.params['ImageId']));
    const oldestDeferred = [...deferred].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id)).slice(0, 2);
    expect(next.sort()).toEqual(oldestDeferred.map((i) => i.id).sort());
  });

  it('a listing that fails leaves that kind and region alone and exits 1', async () => {
    emu = await emulatorWith({
      ...ecsFleet(),
      behaviour: { errors: [{ action: 'DescribeImages', region: 'cn-shanghai', status: 503, code: 'ServiceUnavailable' }] },
    });
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const r = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], envFor(emu));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/LISTING FAILED ecs-image in cn-shanghai: ServiceUnavailable/);
    const deletedRegions = new Set(mutatingCalls(emu.calls()).map((c) => c.region));
    expect([...deletedRegions]).toEqual(['cn-hangzhou']);
  });

  it('grace: mark, wait, delete over successive --now values; a keep tag unmarks', async () => {
    emu = await emulatorWith(ecsFleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), ECS_POLICY.replace('keep: { newest: 2, youngerThan: 15d }', 'keep: { newest: 2, youngerThan: 15d }\n    grace: 7d'));
    const at = (days: number) => new Date(E2E_NOW.getTime() + days * 86_400_000).toISOString();
    const tagsOf = (id: string) => Object.values(emu!.state().regions).flatMap((r) => r.images ?? []).find((i) => i.ImageId === id)?.Tags ?? {};
    const run = (now: string) => cli(['run', '--policy', policy, '--now', now, '--log', `${tempDir()}/a.jsonl`], env);

    await run(at(0));
    expect(tagsOf('m-hzbuild5')['image-gc:marked-at']).toBe(at(0));
    expect(mutatingCalls(emu.calls()).map((c) => c.action)).not.toContain('DeleteImage');

    emu.clearCalls();
    await run(at(3));
    expect(mutatingCalls(emu.calls())).toEqual([]);

    // Someone decides m-hzbuild4 must stay: the mark comes off on the next run.
    emu.loadFleet({ ...emu.state(), regions: withTag(emu.state().regions, 'm-hzbuild4', 'image-gc:keep', 'true') });
    await run(at(8));
    expect(idsIn(emu.state()).has('m-hzbuild5')).toBe(false);
    expect(idsIn(emu.state()).has('m-hzbuild4')).toBe(true);
    expect(tagsOf('m-hzbuild4')['image-gc:marked-at']).toBeUndefined();
  });
});

function withTag<R extends Record<string, { images?: Array<{ ImageId: string; Tags?: Record<string, string> }> }>>(regions: R, id: string, key: string, value: string): R {
  const copy = structuredClone(regions);
  for (const r of Object.values(copy)) for (const i of r.images ?? []) if (i.ImageId === id) i.Tags = { ...(i.Tags ?? {}), [key]: value };
  return copy;
}

describe('the CLI as a process', () => {
  it('plan --json prints only JSON and exits 0', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const r = await cliProcess(['plan', '--policy', policy, '--json', '--now', NOW], envFor(emu));
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as PlanJson;
    expect(parsed.items.length).toBeGreaterThan(10);
    for (const i of parsed.items) expect(i).toEqual(expect.objectContaining({ kind: expect.any(String), region: expect.any(String), id: expect.any(String), decision: expect.any(String), reasons: expect.any(Array) }));
  });

  it('run without a TTY writes the audit log as JSON lines on stdout', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const r = await cliProcess(['run', '--policy', policy, '--dry-run', '--now', NOW], envFor(emu));
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; runId: string });
    expect(lines[0]?.event).toBe('run.start');
    expect(lines.at(-1)?.event).toBe('run.finish');
    expect(new Set(lines.map((l) => l.runId)).size).toBe(1);
  });

  it('run --deadline in the past lists and decides, starts no deletion, reports them skipped, exits 1', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const log = `${tempDir()}/a.jsonl`;
    const r = await cli(['run', '--policy', policy, '--now', NOW, '--deadline', new Date(Date.now() - 1000).toISOString(), '--log', log], envFor(emu));
    expect(r.code).toBe(1);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    expect(r.stdout).toMatch(/LEFT for the next run \(deadline\): \d+/);
  });

  it('a bad IMAGE_GC_READ_TIMEOUT_MS is bad input: exit 2, nothing called', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const r = await cli(['plan', '--policy', policy], { ...envFor(emu), IMAGE_GC_READ_TIMEOUT_MS: 'soon' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/IMAGE_GC_READ_TIMEOUT_MS/);
    expect(emu.calls()).toEqual([]);
  });

  it('bad flags exit 2 and call nothing', async () => {
    emu = await emulatorWith(ecsFleet());
    const policy = writePolicy(tempDir(), ECS_POLICY);
    expect((await cliProcess(['plan', '--policy', policy, '--now', 'yesterday'], envFor(emu))).code).toBe(2);
    expect((await cliProcess(['run', '--policy', policy, '--frobnicate'], envFor(emu))).code).toBe(2);
    expect((await cliProcess(['plan', '--policy', policy, '--endpoint', 'not a url'], envFor(emu))).code).toBe(2);
    // Shaped like a host but with a query: the client's own endpoint rule refuses it, as bad input too.
    const query = await cli(['plan', '--policy', policy, '--endpoint', `${emu.url}?x=1`], envFor(emu));
    expect(query.code, query.stderr).toBe(2);
    expect(query.stderr).toMatch(/endpoint/);
    expect(emu.calls()).toEqual([]);
    void ago;
  });
});
