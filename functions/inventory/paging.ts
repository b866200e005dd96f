/**
 * Listing to the end. Both paging styles the APIs use (PageNumber/PageSize with a total count, and
 * NextToken) are read defensively: a page that repeats an item, a count that disagrees with what
 * arrived, a token that loops. A listing that cannot be shown complete is refused as a whole
 * (ListingError), because "keep the newest N" over a partial list is not the policy's meaning.
 */
import type { ActionName } from '../cloud/actions.js';
import type { ApiBody, CloudApi } from '../cloud/api.js';
import type { Raw } from './fields.js';

export class ListingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ListingError';
  }
}

export interface Listed {
  readonly items: Raw[];
  /** Things noticed on the way that did not make the listing unusable (duplicates dropped). */
  readonly warnings: string[];
  readonly calls: number;
}

/** No account has this many pages; reaching it means the API is looping. */
const MAX_PAGES = 5_000;

/** What both paging styles need to know of a listing. */
interface Paging {
  readonly action: ActionName;
  readonly region: string;
  readonly params: Record<string, unknown>;
  /** The items of one answer. */
  readonly items: (body: ApiBody) => Raw[];
  readonly id: (item: Raw) => string | null;
  /**
   * An item without a usable ID: dropped with a warning (the default: what cannot be named cannot
   * be deleted either), or the listing refused, where a dropped item would change what the others
   * mean (an execution that makes its pipeline busy, an E-HPC entry that decides an image's kind).
   */
  readonly missingId?: 'drop' | 'fail';
  /**
   * What the caller reads of an item, applied page by page as the answers arrive. A region's
   * listing otherwise holds every full answer item until its last page came; a real DescribeImages
   * item carries some forty fields, most of which the collector never reads. (The emulator's items
   * are already lean, so BENCHMARKS.md's RSS figures do not show this.)
   */
  readonly slim?: (item: Raw) => Raw;
}

export interface NumberedPaging extends Paging {
  readonly pageSize: number;
  /** The total the answer claims. */
  readonly total: (body: ApiBody) => unknown;
}

export interface TokenPaging extends Paging {
  readonly maxResults: number;
}

/** One answer's items, cut to what the caller reads. */
function pageItems(p: Paging, body: ApiBody): Raw[] {
  const items = p.items(body);
  return p.slim === undefined ? items : items.map(p.slim);
}

/**
 * PageNumber/PageSize listing. Page 1 gives the total; pages 2..n then go out together (the
 * client bounds calls in flight and their rate), so a region of 25,000 images costs the time of
 * its pages divided by the concurrency, not added up. The listing is complete when the distinct
 * items add up to the total and every page claimed the same total.
 *
 * A total that changes between pages means the list moved under the pages (an image deleted or
 * created meanwhile), so items shifted across page boundaries and one may never have been seen;
 * a page that came back short in the middle hides items the same way. Either way the listing
 * starts again from page 1, a few times, and is refused if it never adds up.
 */
export async function listNumbered(api: CloudApi, p: NumberedPaging): Promise<Listed> {
  let calls = 0;
  let last = '';
  for (let attempt = 1; attempt <= STILL_ATTEMPTS; attempt++) {
    const pass = await onePass(api, p);
    calls += pass.calls;
    if (pass.problem === null) {
      if (attempt > 1) pass.listed.warnings.push(`${p.action}: the list changed while it was paged (${last}); listed again (${attempt} passes)`);
      return { ...pass.listed, calls };
    }
    last = pass.problem;
  }
  throw new ListingError('InconsistentListing', `${p.action}: ${last}, in ${STILL_ATTEMPTS} passes; the listing cannot be shown complete`);
}

/** Passes over the pages before a list that keeps moving is refused. */
const STILL_ATTEMPTS = 3;

interface Pass {
  /** Why the pass does not add up, or null when it does. */
  readonly problem: string | null;
  readonly listed: Listed;
  readonly calls: number;
}

async function onePass(api: CloudApi, p: NumberedPaging): Promise<Pass> {
  const fetchPage = async (page: number) => {
    const body = await api.call(p.action, p.region, { ...p.params, PageNumber: page, PageSize: p.pageSize });
    const total = toCount(p.total(body));
    if (total === null) throw new ListingError('MalformedResponse', `${p.action} page ${page} has no usable total count`);
    return { total, items: pageItems(p, body) };
  };
  const first = await fetchPage(1);
  const claimed = first.total;
  const pageCount = Math.min(MAX_PAGES, Math.max(1, Math.ceil(claimed / p.pageSize)));
  // An API that ignores PageSize (one enormous page) needs no more pages.
  const rest = first.items.length >= claimed ? [] : await Promise.all(Array.from({ length: pageCount - 1 }, (_, i) => fetchPage(i + 2)));
  const seen = new Map<string, Raw>();
  const warnings: string[] = [];
  for (const page of [first, ...rest]) collect(p, page.items, seen, warnings);
  const calls = 1 + rest.length;
  const totals = new Set([claimed, ...rest.map((r) => r.total)]);
  let problem: string | null = null;
  if (totals.size > 1) problem = `the total count changed between pages (${[...totals].join(', ')})`;
  else if (seen.size !== claimed) problem = `it claimed ${claimed} items but ${seen.size} distinct ones arrived`;
  return { problem, listed: { items: [...seen.values()], warnings, calls }, calls };
}

/** NextToken listing: follows the token until it is empty; a token seen twice means a loop. */
export async function listByToken(api: CloudApi, p: TokenPaging): Promise<Listed> {
  const seen = new Map<string, Raw>();
  const warnings: string[] = [];
  const tokens = new Set<string>();
  let calls = 0;
  let token: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await api.call(p.action, p.region, { ...p.params, MaxResults: p.maxResults, NextToken: token });
    calls++;
    collect(p, pageItems(p, body), seen, warnings);
    const next = body['NextToken'];
    if (typeof next !== 'string' || next === '') return { items: [...seen.values()], warnings, calls };
    if (tokens.has(next)) throw new ListingError('InconsistentListing', `${p.action} returned NextToken ${next} twice`);
    tokens.add(next);
    token = next;
  }
  throw new ListingError('InconsistentListing', `${p.action} did not reach the end in ${MAX_PAGES} pages`);
}

/** Adds a page's items by ID: an item without one is dropped, a repeated one keeps its first copy. */
function collect(
  p: Paging,
  items: readonly Raw[],
  seen: Map<string, Raw>,
  warnings: string[],
): void {
  for (const item of items) {
    const id = p.id(item);
    if (id === null && p.missingId === 'fail') throw new ListingError('MalformedResponse', `${p.action} returned an item without a usable ID: ${JSON.stringify(item).slice(0, 120)}`);
    if (id === null) warnings.push(`${p.action} returned an item without an ID; ignored`);
    else if (seen.has(id)) warnings.push(`${p.action} returned ${id} twice; kept the first`);
    else seen.set(id, item);
  }
}

function toCount(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}
