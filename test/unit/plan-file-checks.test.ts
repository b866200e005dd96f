/**
 * What a plan file holds and the whole-plan checks apply makes before anything is listed: expiry,
 * policy, account; the TTL flag; the facts recorded for each deletion and how changes to them read.
 */
import { describe, expect, it } from 'vitest';
import { diffFacts, factsOf, itemFromFacts } from '../../functions/plan-file/facts.js';
import { checkAccount, checkExpiry, checkPolicy, PlanRefused } from '../../functions/plan-file/read.js';
import { parseTtl } from '../../functions/plan-file/ttl.js';
import type { PlanFile } from '../../functions/plan-file/types.js';
import { fact, item, NOW } from '../support/builders.js';
import { SAMPLE_ACCOUNT, SAMPLE_SHA, samplePlanFile } from './plan-file-sample.js';

const HOUR = 3_600_000;

function reasonOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof PlanRefused) return e.reason;
    throw e;
  }
}

describe('a plan file as written', () => {
  const file: PlanFile = samplePlanFile();

  it('holds every plan item, with decision, rule, reasons and detail', () => {
    expect(file.items.map((i) => [i.id, i.decision])).toEqual([
      ['m-new', 'keep'],
      ['m-kept', 'protect'],
      ['m-old', 'delete'],
    ]);
    for (const i of file.items) expect(i.detail.length).toBeGreaterThan(0);
    expect(file.items.find((i) => i.id === 'm-old')).toMatchObject({ rule: 'r', reasons: ['not-newest'] });
  });

  it('records the facts only for delete items', () => {
    for (const i of file.items) expect(i.facts !== undefined).toBe(i.decision === 'delete');
    expect(file.items.find((i) => i.id === 'm-old')?.facts).toMatchObject({ status: 'Available', tags: { team: 'hpc' }, sizeGiB: 20, inUse: false, shared: false });
  });

  it('records the policy, the account, the times and the expiry', () => {
    expect(file.policy).toMatchObject({ sha256: SAMPLE_SHA, file: 'policy.yaml' });
    expect(file.account).toEqual(SAMPLE_ACCOUNT);
    expect(file.createdAt).toBe(NOW.toISOString());
    expect(Date.parse(file.expiresAt) - Date.parse(file.createdAt)).toBe(24 * HOUR);
    expect(file.summary).toMatchObject({ deletions: 1, gibToReclaim: 20, listed: 3 });
  });
});

describe('whole-plan checks', () => {
  const file = samplePlanFile();
  const created = Date.parse(file.createdAt);

  it('expiry: usable until expiresAt, refused from then on', () => {
    expect(reasonOf(() => checkExpiry(file, created))).toBeNull();
    expect(reasonOf(() => checkExpiry(file, created + 24 * HOUR - 1))).toBeNull();
    expect(reasonOf(() => checkExpiry(file, created + 24 * HOUR))).toBe('expired');
  });

  it('a plan made in the future (beyond clock skew) is refused', () => {
    expect(reasonOf(() => checkExpiry(file, created - 60_000))).toBeNull();
    expect(reasonOf(() => checkExpiry(file, created - HOUR))).toBe('not-yet-valid');
  });

  it('policy: the sha256 must be the plan’s', () => {
    expect(reasonOf(() => checkPolicy(file, { file: 'p.yaml', sha256: SAMPLE_SHA }))).toBeNull();
    expect(reasonOf(() => checkPolicy(file, { file: 'p.yaml', sha256: 'b'.repeat(64) }))).toBe('other-policy');
  });

  it('account: the caller’s must be the plan’s', () => {
    expect(reasonOf(() => checkAccount(file, SAMPLE_ACCOUNT.accountId))).toBeNull();
    expect(reasonOf(() => checkAccount(file, '6543210987654321'))).toBe('other-account');
  });
});

describe('--ttl', () => {
  it('takes the policy duration grammar, at most 7d', () => {
    expect(parseTtl('24h')).toEqual({ ok: true, ms: 24 * HOUR });
    expect(parseTtl('7d')).toEqual({ ok: true, ms: 7 * 24 * HOUR });
    expect(parseTtl('1w')).toEqual({ ok: true, ms: 7 * 24 * HOUR });
    for (const bad of ['8d', '2w', '0h', '1m', '', '24', 'forever']) expect(parseTtl(bad).ok).toBe(false);
  });
});

describe('facts and their changes', () => {
  const base = item({ name: 'img', tags: { team: 'hpc' }, status: 'Available' });

  it('no change, no difference', () => {
    expect(diffFacts(factsOf(base), factsOf({ ...base, warnings: ['noise'], raw: { x: 1 } }))).toEqual([]);
  });

  it('says what changed, in words', () => {
    const after = item({ name: 'img', tags: { team: 'web', 'image-gc:keep': 'true' }, status: 'CreateFailed', inUse: true, shared: true, atRest: fact(null) });
    expect(diffFacts(factsOf(base), factsOf(after))).toEqual([
      'now in use',
      'now shared with other accounts',
      'atRest can no longer be established (was true)',
      'tag image-gc:keep=true added',
      'tag team hpc -> web',
      'status Available -> CreateFailed',
    ]);
  });

  it('pipelines: a new execution is a change', () => {
    const pipe = item({ kind: 'image-pipeline', name: 'ci', executions: [], lastActivityAt: null });
    const busy = { ...pipe, executions: [{ id: 'exec-1', status: 'BUILDING', createdAt: NOW.toISOString(), modifiedAt: NOW.toISOString() }], lastActivityAt: NOW.toISOString() };
    expect(diffFacts(factsOf(pipe), factsOf(busy))).toEqual([`lastActivityAt unknown -> ${NOW.toISOString()}`, 'new execution exec-1 (BUILDING)']);
  });

  it('an item rebuilt from its facts has the same facts', () => {
    for (const i of [base, item({ kind: 'image-pipeline', name: 'p', executions: [{ id: 'e', status: 'SUCCESS', createdAt: null, modifiedAt: null }], lastActivityAt: null }), item({ snapshots: [{ id: 's-1', sizeGiB: 20 }] })]) {
      expect(factsOf(itemFromFacts(i, factsOf(i)))).toEqual(factsOf(i));
    }
  });
});
