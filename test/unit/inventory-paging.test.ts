/**
 * Paging read defensively, against an API that answers from a list (the emulator covers the wire;
 * this covers the arithmetic): the minimum number of calls when answers are honest, and a refusal
 * whenever the listing cannot be shown complete.
 */
import { describe, expect, it } from 'vitest';
import type { ActionName } from '../../functions/cloud/actions.js';
import type { ApiBody, ApiParams, CloudApi } from '../../functions/cloud/api.js';
import { ListingError, listByToken, listNumbered } from '../../functions/inventory/paging.js';

type Page = (n: number, size: number) => { items: Array<{ Id: string }>; total: number };

function numberedApi(page: Page): CloudApi & { calls: number } {
  const api = {
    calls: 0,
    async call(_a: ActionName, _r: string, params: ApiParams): Promise<ApiBody> {
      api.calls++;
      const { items, total } = page(Number(params['PageNumber']), Number(params['PageSize']));
      return { Items: items, Total: total };
    },
  };
  return api;
}

const honest = (n: number): Page => (page, size) => ({ items: Array.from({ length: Math.max(0, Math.min(size, n - (page - 1) * size)) }, (_, i) => ({ Id: `i${(page - 1) * size + i}` })), total: n });

const numbered = (api: CloudApi) =>
  listNumbered(api, {
    action: 'ecs.DescribeImages',
    region: 'r',
    params: {},
    pageSize: 100,
    items: (b) => b['Items'] as Array<{ Id: string }>,
    total: (b) => b['Total'],
    id: (i) => (typeof i['Id'] === 'string' ? i['Id'] : null),
  });

describe('listNumbered', () => {
  it.each([0, 1, 99, 100, 101, 250, 1000])('lists %i items in ceil(n/100) calls (at least one)', async (n) => {
    const api = numberedApi(honest(n));
    const listed = await numbered(api);
    expect(listed.items).toHaveLength(n);
    expect(api.calls).toBe(Math.max(1, Math.ceil(n / 100)));
  });

  it('refuses a total that lies', async () => {
    const api = numberedApi((page, size) => ({ ...honest(150)(page, size), total: 157 }));
    await expect(numbered(api)).rejects.toBeInstanceOf(ListingError);
  });

  it('refuses when an empty page in the middle hides items', async () => {
    const api = numberedApi((page, size) => (page === 2 ? { items: [], total: 250 } : honest(250)(page, size)));
    await expect(numbered(api)).rejects.toThrow(/claimed 250/);
  });

  it('reads past one empty page when the items are all there after it', async () => {
    const h = honest(250);
    const api = numberedApi((page, size) => (page === 2 ? { items: [], total: 250 } : page === 3 ? { items: [...h(2, size).items, ...h(3, size).items], total: 250 } : h(page, size)));
    const listed = await numbered(api);
    expect(listed.items).toHaveLength(250);
  });

  it('drops duplicates with a warning, and refuses if that leaves the count short', async () => {
    const api = numberedApi((page, size) => {
      const p = honest(150)(page, size);
      return page === 2 ? { ...p, items: [{ Id: 'i99' }, ...p.items.slice(1)] } : p;
    });
    await expect(numbered(api)).rejects.toBeInstanceOf(ListingError);
  });

  it('accepts one enormous page', async () => {
    const api = numberedApi(() => honest(5000)(1, 5000));
    const listed = await numbered(api);
    expect(listed.items).toHaveLength(5000);
    expect(api.calls).toBe(1);
  });

  it('starts again from page 1 when the total changes between pages, and takes the pass that holds still', async () => {
    let pass = 0;
    const api = numberedApi((page, size) => {
      if (page === 1) pass++;
      // First pass: an image is deleted between page 1 and page 2.
      if (pass === 1 && page === 2) return honest(249)(page, size);
      return honest(pass === 1 ? 250 : 249)(page, size);
    });
    const listed = await numbered(api);
    expect(listed.items).toHaveLength(249);
    expect(listed.warnings.join()).toMatch(/listed again \(2 passes\)/);
    expect(api.calls).toBe(3 + 3);
  });

  it('refuses a list that never holds still', async () => {
    let calls = 0;
    const api = numberedApi((page, size) => ({ ...honest(250)(page, size), total: 250 + calls++ }));
    await expect(numbered(api)).rejects.toThrow(/total count changed between pages .*in 3 passes/);
  });

  it('refuses an answer without a usable total', async () => {
    const api = numberedApi(() => ({ items: [], total: 'many' as unknown as number }));
    await expect(numbered(api)).rejects.toThrow(/total/);
  });
});

describe('listByToken', () => {
  const tokenApi = (pages: Array<{ items: string[]; next?: string }>) => {
    const api = {
      calls: 0,
      async call(_a: ActionName, _r: string, params: ApiParams): Promise<ApiBody> {
        api.calls++;
        const index = params['NextToken'] === undefined ? 0 : Number(String(params['NextToken']).slice(1));
        const page = pages[index] ?? { items: [] };
        return { Items: page.items.map((Id) => ({ Id })), NextToken: page.next ?? '' };
      },
    };
    return api;
  };
  const list = (api: CloudApi) => listByToken(api, { action: 'ecs.DescribeImagePipelines', region: 'r', params: {}, maxResults: 500, items: (b) => b['Items'] as Array<{ Id: string }>, id: (i) => String(i['Id']) });

  it('follows the token to the end', async () => {
    const api = tokenApi([{ items: ['a', 'b'], next: 't1' }, { items: ['c'], next: 't2' }, { items: ['d'] }]);
    expect((await list(api)).items.map((i) => i['Id'])).toEqual(['a', 'b', 'c', 'd']);
    expect(api.calls).toBe(3);
  });

  it('refuses a token that loops', async () => {
    const api = tokenApi([{ items: ['a'], next: 't1' }, { items: ['b'], next: 't1' }]);
    await expect(list(api)).rejects.toThrow(/twice/);
  });
});
