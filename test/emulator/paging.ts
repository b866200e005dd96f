/**
 * The two paging styles these APIs use, with optional hostile anomalies (behaviour.paging):
 * PageNumber/PageSize (DescribeImages, ListImage, ListImages, DescribeImageSharePermission) and
 * MaxResults/NextToken (DescribeImagePipelines, DescribeImagePipelineExecutions).
 *
 * Anomalies, all off by default:
 * - duplicateAcrossPages: every page after the first starts with the previous page's last item
 *   (so it holds PageSize + 1 items; nothing is lost, one item is repeated).
 * - lyingTotalCount: TotalCount / Count is 7 more than the truth.
 * - emptyPageBeforeEnd: the second page comes back empty although more items exist;
 *   the third page (or the NextToken of the empty page) carries on where the second should have.
 * - hugePage: PageSize / MaxResults is ignored: the first page holds everything, later pages are empty.
 */
import { invalidParameter } from './errors.js';
import type { PagingAnomalies } from './fleet.js';

export const LYING_TOTAL_EXTRA = 7;

export interface Page<T> {
  items: T[];
  totalCount: number;
}

export function pageByNumber<T>(all: readonly T[], pageNumber: number, pageSize: number, a: PagingAnomalies = {}): Page<T> {
  const totalCount = all.length + (a.lyingTotalCount ? LYING_TOTAL_EXTRA : 0);
  const start = (pageNumber - 1) * pageSize;
  let items: T[];
  if (a.hugePage) {
    items = pageNumber === 1 ? all.slice() : [];
  } else if (a.emptyPageBeforeEnd && pageNumber === 2 && start < all.length) {
    items = [];
  } else {
    items = all.slice(start, start + pageSize);
    if (a.duplicateAcrossPages && start > 0 && start < all.length) items.unshift(all[start - 1]!);
  }
  return { items, totalCount };
}

interface Cursor {
  /** Offset of the first item of the page. */
  o: number;
  /** 1-based page index (emptyPageBeforeEnd needs to know which page is the second). */
  p: number;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeToken(token: string | undefined): Cursor {
  if (token === undefined) return { o: 0, p: 1 };
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (Number.isInteger(c.o) && Number.isInteger(c.p) && c.o! >= 0 && c.p! >= 1) return { o: c.o!, p: c.p! };
  } catch {
    // fall through
  }
  throw invalidParameter('NextToken', 'is not a token this API returned');
}

export interface TokenPage<T> extends Page<T> {
  /** Absent only with paging.omitFinalNextToken on the last page; '' on the last page otherwise. */
  nextToken: string | undefined;
}

export function pageByToken<T>(all: readonly T[], token: string | undefined, maxResults: number, a: PagingAnomalies = {}): TokenPage<T> {
  const { o, p } = decodeToken(token);
  const totalCount = all.length + (a.lyingTotalCount ? LYING_TOTAL_EXTRA : 0);
  const last = a.omitFinalNextToken ? undefined : '';
  if (a.hugePage) {
    return { items: all.slice(o), totalCount, nextToken: last };
  }
  if (a.emptyPageBeforeEnd && p === 2 && o < all.length) {
    return { items: [], totalCount, nextToken: encodeToken({ o, p: p + 1 }) };
  }
  const items = all.slice(o, o + maxResults);
  if (a.duplicateAcrossPages && o > 0 && o < all.length) items.unshift(all[o - 1]!);
  const next = o + maxResults;
  return { items, totalCount, nextToken: next < all.length ? encodeToken({ o: next, p: p + 1 }) : last };
}
