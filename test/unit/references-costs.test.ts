/**
 * The cost model (policy `costs`) and the storage figures of the summary: images and snapshots
 * apart, the saving priced at the policy's rate or the documented placeholder, planned totals
 * counting a snapshot once, and the exit status of runs with snapshot failures or failed lookups.
 */
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../functions/policy/load.js';

const loadPolicyText = (text: string, file: string) => loadPolicy({ text, file });
import { DEFAULT_COSTS } from '../../functions/policy/types.js';
import { policyJsonSchema } from '../../functions/policy/schema.js';
import { plannedStorage, summarise, type SummaryInput } from '../../functions/report/summary.js';
import { storageLines } from '../../functions/report/table.js';
import { plannedSnapshotTotals } from '../../functions/sweep/snapshots.js';
import type { Plan, PlanItem } from '../../functions/plan/types.js';
import type { SnapshotOutcome } from '../../functions/sweep/types.js';

const BASE = `version: 1
regions: [cn-hangzhou]
rules:
  - name: a
    resource: ecs-image
    keep: {}
    deleteSnapshots: true
`;

describe('policy costs', () => {
  it('absent: the placeholder default, marked as such', () => {
    const loaded = loadPolicyText(BASE, 'p.yaml');
    expect(loaded.ok && loaded.policy.costs).toEqual({ snapshotPricePerGiBMonth: 0.0173, currency: 'USD', source: 'default' });
    expect(DEFAULT_COSTS.source).toBe('default');
  });

  it('given: the policy price and currency', () => {
    const loaded = loadPolicyText(`${BASE}costs: { snapshotPricePerGiBMonth: 0.12, currency: CNY }\n`, 'p.yaml');
    expect(loaded.ok && loaded.policy.costs).toEqual({ snapshotPricePerGiBMonth: 0.12, currency: 'CNY', source: 'policy' });
  });

  it.each([
    ['costs: { snapshotPricePerGiBMonth: -1, currency: USD }', 'costs.snapshotPricePerGiBMonth: a price cannot be negative'],
    ['costs: { snapshotPricePerGiBMonth: 0.1, currency: usd }', 'costs.currency: a currency is a three-letter ISO 4217 code'],
    ['costs: { snapshotPricePerGiBMonth: 0.1 }', 'costs.currency: currency is required'],
    ['costs: { price: 0.1, currency: USD }', "costs.price: unknown key 'price'"],
  ])('%s is refused', (line, message) => {
    const loaded = loadPolicyText(`${BASE}${line}\n`, 'p.yaml');
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors.map((e) => `${e.path}: ${e.message}`).join('\n')).toContain(message);
  });

  it('is in the published JSON Schema', () => {
    const props = (policyJsonSchema() as { properties: Record<string, { required?: string[] }> }).properties;
    expect(props['costs']?.required?.sort()).toEqual(['currency', 'snapshotPricePerGiBMonth']);
  });
});

const item = (id: string, snapshots?: PlanItem['snapshots'], decision: PlanItem['decision'] = 'delete'): PlanItem => ({
  kind: 'ecs-image',
  region: 'cn-hangzhou',
  id,
  name: id,
  createdAt: '2026-01-01T00:00:00.000Z',
  sizeGiB: 40,
  decision,
  rule: 'a',
  reasons: [],
  detail: '',
  markedAt: null,
  group: null,
  warnings: [],
  ...(snapshots !== undefined && { snapshots }),
});

const plan = (items: PlanItem[]): Plan => ({
  now: '2026-11-01T00:00:00.000Z',
  items,
  aborted: [],
  counts: { delete: items.length, mark: 0, wait: 0, unmark: 0, keep: 0, protect: 0, defer: 0, abort: 0 },
});

const snap = (imageId: string, snapshotId: string, outcome: SnapshotOutcome['outcome'], size: number): SnapshotOutcome => ({
  kind: 'ecs-image',
  region: 'cn-hangzhou',
  imageId,
  imageName: imageId,
  rule: 'a',
  snapshotId,
  sizeGiB: size,
  outcome,
  code: null,
  httpStatus: null,
  requestId: null,
  message: null,
  detail: '',
  steps: [],
  gibReclaimed: outcome === 'deleted' ? size : 0,
});

function input(p: Plan, over: Partial<SummaryInput> = {}): SummaryInput {
  return {
    runId: 'r',
    mode: 'enforce',
    policyFile: 'p.yaml',
    policySha256: 'x',
    plan: p,
    listed: [{ kind: 'ecs-image', region: 'cn-hangzhou', count: p.items.length }],
    listingFailures: [],
    outcomes: p.items.map((i) => ({ kind: i.kind, region: i.region, id: i.id, name: i.name, decision: i.decision, rule: i.rule, outcome: 'deleted', code: null, httpStatus: null, requestId: null, message: null, steps: [], durationMs: 1, gibReclaimed: 40 })),
    startedAt: 0,
    finishedAt: 1,
    apiCalls: 0,
    throttled: 0,
    ...over,
  };
}

describe('storage in the summary', () => {
  const p = plan([
    item('m-1', [{ id: 's-1', sizeGiB: 100, action: 'delete', detail: '' }, { id: 's-shared', sizeGiB: 50, action: 'keep', detail: 'image m-2 uses it' }]),
    item('m-2', [{ id: 's-shared', sizeGiB: 50, action: 'keep', detail: 'image m-1 uses it' }, { id: 's-x', sizeGiB: null, action: 'unknown', detail: 'DescribeDisks Throttling' }]),
    item('m-3'),
  ]);

  it('planned totals count each snapshot once; a snapshot without a size counts 0 GiB', () => {
    expect(plannedSnapshotTotals(p)).toEqual({ count: 1, gib: 100, kept: 2 });
    expect(plannedStorage(p, { snapshotPricePerGiBMonth: 0.12, currency: 'CNY', source: 'policy' })).toMatchObject({
      plannedImages: 3,
      plannedImageGiB: 120,
      plannedSnapshots: 1,
      plannedSnapshotGiB: 100,
      plannedMonthlySaving: 12,
      priceSource: 'policy',
    });
  });

  it('images and snapshots apart, the saving from snapshots only, and the honest note', () => {
    const s = summarise(input(p, { snapshotOutcomes: [snap('m-1', 's-1', 'deleted', 100), snap('m-1', 's-shared', 'kept', 50), snap('m-2', 's-shared', 'deleted', 50)] }));
    expect(s.gibReclaimed).toBe(120);
    expect(s.storage).toMatchObject({ imagesDeleted: 3, imageGiB: 120, snapshotsDeleted: 2, snapshotGiB: 150, estimatedMonthlySaving: 2.6, currency: 'USD', priceSource: 'default' });
    expect(s.storage.note).toMatch(/deleting an ECS image frees no storage by itself/);
    expect(s.snapshotOutcomes).toEqual({ deleted: 2, 'already-gone': 0, kept: 1, refused: 0, failed: 0, skipped: 0 });
    expect(s.exitStatus).toBe(0);
    expect(storageLines(s.storage, 'enforce', s.snapshotOutcomes)).toEqual([
      'reclaimed: images 120 GiB (3 deleted; nominal: an image frees no storage by itself), snapshots 150 GiB (2 deleted)',
      'snapshots not deleted: kept 1',
      'estimated saving: 2.6 USD/month (0.0173 USD/GiB-month, default placeholder price; set costs in the policy)',
      'planned: 1 snapshots free to delete with their images (100 GiB, 1.73 USD/month at 0.0173 USD/GiB-month, default placeholder price; set costs in the policy); 2 kept',
    ]);
  });

  it('a failed snapshot or a failed in-use lookup makes the run exit 1; a refused or kept one does not', () => {
    expect(summarise(input(p, { snapshotOutcomes: [snap('m-1', 's-1', 'refused', 100)] })).exitStatus).toBe(0);
    expect(summarise(input(p, { snapshotOutcomes: [snap('m-1', 's-1', 'failed', 100)] })).exitStatus).toBe(1);
    const lookup = { region: 'cn-hangzhou', lookup: 'launch templates', action: 'DescribeLaunchTemplates', code: 'Throttling', message: '' };
    const s = summarise(input(p, { lookupFailures: [lookup] }));
    expect(s.exitStatus).toBe(1);
    expect(s.lookupFailures).toEqual([lookup]);
  });
});
