/**
 * A plan that may not be applied is refused as a whole, before anything is listed or changed:
 * expired, made in another account, tampered with, made with another policy; and bad flags.
 * Against the emulator through the CLI; each asserts zero mutating calls, and for every check
 * but the account one, no API call at all.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/index.js';
import { cli, emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { ECS_POLICY, ecsFleet } from '../support/fleets.js';
import { apply, changeFleet, deleteIds, makePlan, NOW, readPlan, reseal, tamper } from '../support/plan-apply.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function setUp(extraEnv: Record<string, string> = {}) {
  emu = await emulatorWith(ecsFleet());
  const env = envFor(emu, extraEnv);
  const policy = writePolicy(tempDir(), ECS_POLICY);
  const file = await makePlan(policy, env);
  const before = idsIn(emu.state());
  emu.clearCalls();
  return { emu, env, policy, file, before };
}

/** Refused whole: exit 2, the reason on stderr, a run.rejected line, nothing listed, nothing changed. */
function expectRefusedWhole(r: Awaited<ReturnType<typeof apply>>, e: Emulator, before: Set<string>, reason: RegExp, calls: 'none' | 'sts-only' = 'none') {
  expect(r.code, r.stderr + r.stdout).toBe(2);
  expect(r.stderr).toMatch(reason);
  expect(mutatingCalls(e.calls())).toEqual([]);
  if (calls === 'none') expect(e.calls()).toEqual([]);
  else expect(e.calls().map((c) => c.action)).toEqual(['GetCallerIdentity']);
  expect(idsIn(e.state())).toEqual(before);
  expect(r.lines.map((l) => l['event'])).toEqual(['run.rejected']);
}

describe('refused as a whole', () => {
  it('an expired plan', async () => {
    const { emu, env, file, before } = await setUp();
    // Time passing: the same plan, made 25 hours ago with a 24h TTL (re-sealed, as gc plan would have).
    reseal(file, (p) => {
      p.createdAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
      p.expiresAt = new Date(Date.now() - 3_600_000).toISOString();
    });
    const r = await apply(file, env);
    expectRefusedWhole(r, emu, before, /refused \(expired\).*expired at/);
  });

  it('a plan that claims to be made in the future', async () => {
    const { emu, env, file, before } = await setUp();
    reseal(file, (p) => {
      p.createdAt = new Date(Date.now() + 3_600_000).toISOString();
      p.expiresAt = new Date(Date.now() + 25 * 3_600_000).toISOString();
    });
    expectRefusedWhole(await apply(file, env), emu, before, /refused \(not-yet-valid\)/);
  });

  it('a plan from another account', async () => {
    const { emu, env, file, before } = await setUp();
    changeFleet(emu, (f) => (f.accountId = '6543210987654321'));
    const r = await apply(file, env);
    expectRefusedWhole(r, emu, before, /refused \(other-account\).*account 1234567890123456.*6543210987654321/s, 'sts-only');
  });

  it('a tampered plan: a kept image turned into a deletion', async () => {
    const { emu, env, file, before } = await setUp();
    tamper(file, (p) => {
      const kept = p.items.find((i) => i.id === 'm-hzbuild0');
      if (kept === undefined) throw new Error('fixture changed');
      kept.decision = 'delete';
      kept.facts = p.items.find((i) => i.decision === 'delete' && i.id !== 'm-hzbuild0')?.facts;
    });
    expectRefusedWhole(await apply(file, env), emu, before, /refused \(tampered\).*changed after it was made/);
  });

  it('a tampered plan: an ID swapped, or only re-indented and re-keyed (which is not tampering)', async () => {
    const { emu, env, file, before } = await setUp();
    const original = readFileSync(file, 'utf8');
    // Re-indenting and reordering keys changes no value: still applies (checked in dry-run).
    const reordered = JSON.parse(original) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(reordered).reverse())));
    const ok = await apply(file, env, ['--dry-run']);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(mutatingCalls(emu.calls())).toEqual([]);
    emu.clearCalls();
    writeFileSync(file, original.replace('"id": "m-hzbuild3"', '"id": "m-hzbuild0"'));
    expectRefusedWhole(await apply(file, env), emu, before, /refused \(tampered\)/);
  });

  it('a plan made with another policy: --policy names a different file', async () => {
    const { emu, env, file, before } = await setUp();
    const other = writePolicy(tempDir(), ECS_POLICY.replace('newest: 2', 'newest: 1'));
    const r = await apply(file, env, ['--policy', other]);
    expectRefusedWhole(r, emu, before, /refused \(other-policy\).*another policy/);
  });

  it('a plan made with another policy: the file the plan names was changed since', async () => {
    const { emu, env, policy, file, before } = await setUp();
    writeFileSync(policy, `${readFileSync(policy, 'utf8')}# edited after planning\n`);
    expectRefusedWhole(await apply(file, env), emu, before, /refused \(other-policy\)/);
  });

  it('a plan the policy of which cannot be found', async () => {
    const { emu, env, file, before } = await setUp();
    reseal(file, (p) => {
      p.policy.path = join(tempDir(), 'gone.yaml');
    });
    const r = await apply(file, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot be loaded; pass --policy/);
    expect(emu.calls()).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
  });

  it('not a plan file, or no file at all', async () => {
    const { emu, env, policy, before } = await setUp();
    const dir = tempDir();
    writeFileSync(join(dir, 'policy-as-plan.json'), readFileSync(policy));
    for (const f of [join(dir, 'policy-as-plan.json'), join(dir, 'missing.json')]) {
      const r = await apply(f, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refused \((malformed|unreadable)\)/);
    }
    expect(emu.calls()).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
  });
});

describe('signed plans (IMAGE_GC_PLAN_KEY)', () => {
  it('a signed plan applies with the key, and is refused without it or with another', async () => {
    const { emu, env, file, before } = await setUp({ IMAGE_GC_PLAN_KEY: 'reviewers-key' });
    expect(readPlan(file).checksum.algorithm).toBe('hmac-sha256');
    expectRefusedWhole(await apply(file, { ...env, IMAGE_GC_PLAN_KEY: '' }), emu, before, /IMAGE_GC_PLAN_KEY is not set/);
    expectRefusedWhole(await apply(file, { ...env, IMAGE_GC_PLAN_KEY: 'guess' }), emu, before, /another key/);
    const r = await apply(file, env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(mutatingCalls(emu.calls()).map((c) => String(c.params['ImageId'])).sort()).toEqual(deleteIds(readPlan(file)));
  });

  it('a forger who re-hashes an edited plan without the key is refused while the key is set', async () => {
    const { emu, env, file, before } = await setUp({ IMAGE_GC_PLAN_KEY: 'reviewers-key' });
    reseal(file, (p) => {
      const kept = p.items.find((i) => i.id === 'm-hzbuild0');
      if (kept) kept.decision = 'delete';
    });
    expectRefusedWhole(await apply(file, env), emu, before, /only a plain sha256/);
  });
});

describe('flags', () => {
  it('plan --ttl beyond 7d, or without --out, is bad input and calls nothing', async () => {
    emu = await emulatorWith(ecsFleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const out = join(tempDir(), 'plan.json');
    expect((await cli(['plan', '--policy', policy, '--out', out, '--ttl', '8d'], env)).code).toBe(2);
    expect((await cli(['plan', '--policy', policy, '--ttl', '1d'], env)).code).toBe(2);
    expect((await cli(['plan', '--policy', policy, '--out', join(tempDir(), 'no', 'such', 'dir', 'p.json')], env)).code).toBe(2);
    expect(emu.calls()).toEqual([]);
  });

  it('plan --out with --ttl sets the expiry; --json keeps stdout pure JSON', async () => {
    emu = await emulatorWith(ecsFleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), ECS_POLICY);
    const out = join(tempDir(), 'plan.json');
    const r = await cli(['plan', '--policy', policy, '--now', NOW, '--json', '--out', out, '--ttl', '2h'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    expect(r.stderr).toMatch(/plan written to .*plan\.json/);
    const p = readPlan(out);
    expect(Date.parse(p.expiresAt) - Date.parse(p.createdAt)).toBe(2 * 3_600_000);
    expect(p.ttl).toBe('2h');
    expect(p.now).toBe(NOW);
  });

  it('when STS cannot say which account: plan writes no file, apply lists and changes nothing (exit 1)', async () => {
    const { emu, env, policy, file, before } = await setUp();
    emu.setBehaviour({ errors: [{ action: 'GetCallerIdentity', status: 403, code: 'Forbidden', message: 'no' }] });
    const out = join(tempDir(), 'plan.json');
    const planned = await cli(['plan', '--policy', policy, '--now', NOW, '--out', out], env);
    expect(planned.code).toBe(1);
    expect(planned.stderr).toMatch(/cannot tell which account.*no plan file was written/);
    expect(() => readFileSync(out)).toThrow();
    const r = await apply(file, env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot tell which account these credentials belong to/);
    expect(emu.calls().map((c) => c.action).filter((a) => a !== 'GetCallerIdentity')).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
  });

  it('apply --now and --deadline must be ISO times', async () => {
    const { emu, env, file, before } = await setUp();
    expect((await cli(['apply', file, '--now', 'yesterday'], env)).code).toBe(2);
    expect((await cli(['apply', file, '--deadline', 'soon'], env)).code).toBe(2);
    expect((await cli(['apply'], env)).code).toBe(2);
    expect(emu.calls()).toEqual([]);
    expect(idsIn(emu.state())).toEqual(before);
  });
});
