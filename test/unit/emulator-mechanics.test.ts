/**
 * The emulator's mechanics in isolation: parameter unflattening, paging (and its anomalies),
 * token-bucket quotas, seeded faults, nonce memory, host-name regions.
 */
import { describe, expect, it } from 'vitest';
import { NonceMemory } from '../emulator/auth.js';
import { FaultInjector, mulberry32 } from '../emulator/faults.js';
import { hostRegion } from '../emulator/incoming.js';
import { pageByNumber, pageByToken } from '../emulator/paging.js';
import { Params, unflatten } from '../emulator/params.js';
import { QuotaBuckets, quotaFor } from '../emulator/quota.js';

describe('params', () => {
  it('unflattens Tag.N.Key / ResourceId.N into arrays and objects (1-based, gaps close up)', () => {
    expect(unflatten({ 'Tag.1.Key': 'a', 'Tag.2.Key': 'b', 'Tag.2.Value': 'v', 'ResourceId.3': 'm-3', 'ResourceId.1': 'm-1', RegionId: 'r' })).toEqual({
      Tag: [{ Key: 'a' }, { Key: 'b', Value: 'v' }],
      ResourceId: ['m-1', 'm-3'],
      RegionId: 'r',
    });
  });

  it('typed getters answer InvalidParameter / MissingParameter', () => {
    const p = new Params({ PageSize: '101', Force: 'yes', ImageId: 'm-1, m-2,,' });
    expect(() => p.int('PageSize', 10, 1, 100)).toThrow(expect.objectContaining({ code: 'InvalidParameter', status: 400 }));
    expect(() => p.bool('Force', false)).toThrow(expect.objectContaining({ code: 'InvalidParameter' }));
    expect(() => p.required('RegionId')).toThrow(expect.objectContaining({ code: 'MissingParameter', message: expect.stringContaining('"RegionId"') }));
    expect(p.commaList('ImageId')).toEqual(['m-1', 'm-2']);
  });
});

describe('paging', () => {
  const items = Array.from({ length: 25 }, (_, i) => i);

  it('page numbers: plain', () => {
    expect(pageByNumber(items, 1, 10)).toEqual({ items: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], totalCount: 25 });
    expect(pageByNumber(items, 3, 10).items).toEqual([20, 21, 22, 23, 24]);
    expect(pageByNumber(items, 4, 10).items).toEqual([]);
  });

  it('page numbers: anomalies', () => {
    expect(pageByNumber(items, 2, 10, { duplicateAcrossPages: true }).items).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(pageByNumber(items, 1, 10, { lyingTotalCount: true }).totalCount).toBe(32);
    expect(pageByNumber(items, 2, 10, { emptyPageBeforeEnd: true }).items).toEqual([]);
    expect(pageByNumber(items, 3, 10, { emptyPageBeforeEnd: true }).items).toEqual([20, 21, 22, 23, 24]);
    expect(pageByNumber(items, 1, 10, { hugePage: true }).items).toHaveLength(25);
    expect(pageByNumber(items, 2, 10, { hugePage: true }).items).toEqual([]);
  });

  it('tokens: walk to the end; "" on the last page (or absent with omitFinalNextToken)', () => {
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = pageByToken(items, token, 10);
      seen.push(...page.items);
      token = page.nextToken || undefined;
      pages += 1;
      if (!token) expect(page.nextToken).toBe('');
    } while (token);
    expect(seen).toEqual(items);
    expect(pages).toBe(3);
    expect(pageByToken(items, undefined, 50, { omitFinalNextToken: true }).nextToken).toBeUndefined();
    expect(() => pageByToken(items, 'garbage!', 10)).toThrow(expect.objectContaining({ code: 'InvalidParameter' }));
  });

  it('tokens: the empty second page still carries a token that continues', () => {
    const first = pageByToken(items, undefined, 10, { emptyPageBeforeEnd: true });
    const second = pageByToken(items, first.nextToken, 10, { emptyPageBeforeEnd: true });
    expect(second.items).toEqual([]);
    const third = pageByToken(items, second.nextToken, 10, { emptyPageBeforeEnd: true });
    expect(third.items).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });
});

describe('quota', () => {
  it('product-qualified key beats the bare action, which beats default', () => {
    const q = { default: 100, DeleteImage: 10, 'appstream.DeleteImage': 2 };
    expect(quotaFor(q, 'appstream', 'DeleteImage')).toBe(2);
    expect(quotaFor(q, 'ecs', 'DeleteImage')).toBe(10);
    expect(quotaFor(q, 'ecs', 'DescribeImages')).toBe(100);
    expect(quotaFor(undefined, 'ecs', 'DescribeImages')).toBeUndefined();
  });

  it('token bucket: capacity max(1, qps), continuous refill, throttled requests take no token', () => {
    let now = 0;
    const b = new QuotaBuckets({ DeleteImage: 2 }, () => now);
    expect(b.take('r', 'ecs', 'DeleteImage').ok).toBe(true);
    expect(b.take('r', 'ecs', 'DeleteImage').ok).toBe(true);
    expect(b.take('r', 'ecs', 'DeleteImage')).toEqual({ ok: false, retryAfterMs: 500 });
    expect(b.take('other-region', 'ecs', 'DeleteImage').ok).toBe(true);
    now = 250;
    expect(b.take('r', 'ecs', 'DeleteImage')).toEqual({ ok: false, retryAfterMs: 250 });
    now = 500;
    expect(b.take('r', 'ecs', 'DeleteImage').ok).toBe(true);
    const slow = new QuotaBuckets({ default: 0.5 }, () => now);
    expect(slow.take('r', 'ecs', 'X').ok).toBe(true);
    expect(slow.take('r', 'ecs', 'X')).toEqual({ ok: false, retryAfterMs: 2000 });
  });
});

describe('faults', () => {
  it('same seed, same sequence; rate 0 never faults', () => {
    const run = (): unknown[] => {
      const f = new FaultInjector({ rate: 0.5, kinds: ['ServiceUnavailable', 'reset', 'timeout', 'malformed', 'Throttling'], seed: 42 });
      return Array.from({ length: 50 }, () => f.decide('ecs', 'DeleteImage', true));
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(a.filter((x) => x !== null).length).toBeGreaterThan(10);
    expect(new Set(a.filter((x) => x !== null).map((x) => (x as { kind: string }).kind)).size).toBe(5);
    const none = new FaultInjector({ rate: 0, kinds: ['reset'] });
    expect(Array.from({ length: 20 }, () => none.decide('ecs', 'DeleteImage', true)).every((x) => x === null)).toBe(true);
  });

  it('`actions` limits faults; only lossy kinds on mutating calls can be applied', () => {
    const f = new FaultInjector({ rate: 1, kinds: ['reset', 'ServiceUnavailable'], seed: 3, actions: ['appstream.DeleteImage'] });
    expect(f.decide('ecs', 'DeleteImage', true)).toBeNull();
    const decisions = Array.from({ length: 40 }, () => f.decide('appstream', 'DeleteImage', true)!);
    expect(decisions.some((d) => d.kind === 'reset' && d.applied)).toBe(true);
    expect(decisions.some((d) => d.kind === 'reset' && !d.applied)).toBe(true);
    expect(decisions.every((d) => d.kind !== 'ServiceUnavailable' || !d.applied)).toBe(true);
    const reads = new FaultInjector({ rate: 1, kinds: ['reset'], seed: 3 });
    expect(reads.decide('ecs', 'DescribeImages', false)).toEqual({ kind: 'reset', applied: false });
  });

  it('mulberry32 gives floats in [0, 1)', () => {
    const r = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('nonce memory', () => {
  it('refuses a nonce within the window and forgets it after', () => {
    const m = new NonceMemory(() => 1000);
    expect(m.remember('a', 0)).toBe(true);
    expect(m.remember('a', 500)).toBe(false);
    expect(m.remember('b', 900)).toBe(true);
    expect(m.remember('c', 1600)).toBe(true); // forgets a (t=0)
    expect(m.size).toBe(2);
    expect(m.remember('a', 1700)).toBe(true);
  });
});

describe('hostRegion', () => {
  it.each([
    ['ecs.cn-hangzhou.aliyuncs.com', 'cn-hangzhou'],
    ['ecs-cn-hangzhou.aliyuncs.com', 'cn-hangzhou'],
    ['ehpc-vpc.ap-southeast-1.aliyuncs.com:443', 'ap-southeast-1'],
    ['appstream-center.vpc-proxy.aliyuncs.com', ''],
    ['ecs.aliyuncs.com', ''],
    ['127.0.0.1:8080', ''],
  ])('%s → %j', (host, region) => {
    expect(hostRegion(host)).toBe(region);
  });
});
