/**
 * Reading the times the planner judges by. A time it cannot read with certainty is unknown, and
 * every caller treats unknown as the unsafe answer: an image of unknown age is never old enough.
 */
import type { InventoryItem } from '../inventory/types.js';

/** How far ahead of our clock a creation time may be and still be believed (clock skew between API and run). */
export const CLOCK_SKEW_MS = 5 * 60_000;

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/i;

/**
 * Milliseconds since the epoch of an ISO-8601 date-time with an explicit zone, or null.
 * Stricter than Date.parse on purpose: a time without a zone would be read in the machine's local
 * zone (so the plan would depend on where it runs), and Date.parse rolls 2024-02-30 over to March.
 */
export function parseIsoTime(text: string | null | undefined): number | null {
  if (typeof text !== 'string') return null;
  if (CANONICAL_UTC.test(text)) return parseCanonicalUtc(text);
  const m = ISO_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  if (day > daysInMonth(year, month)) return null;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (Math.abs(offsetMinutes) > 18 * 60) return null;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day); // setUTCFullYear, not Date.UTC: years 0-99 stay literal
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMinutes * 60_000;
}

/** What the APIs and toISOString() write. Date.parse reads it exactly, once the fields are range-checked. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/** The fast path (no allocation) for 100,000 items: check the ranges Date.parse would roll over. */
function parseCanonicalUtc(text: string): number | null {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (digits(text, 11, 2) > 23 || digits(text, 14, 2) > 59 || digits(text, 17, 2) > 59) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Why an item's creation time cannot be trusted; null when it can. */
export type AgeProblem = 'missing' | 'unreadable' | 'future';

export interface CreationTime {
  /** The creation time as read, even when it is in the future (for ordering the plan). */
  readonly readMs: number | null;
  /** The creation time when it can be trusted for ageing and ranking; null otherwise. */
  readonly trustedMs: number | null;
  readonly problem: AgeProblem | null;
}

export function readCreationTime(item: InventoryItem, nowMs: number): CreationTime {
  if (item.createdAt === null) return { readMs: null, trustedMs: null, problem: 'missing' };
  const readMs = parseIsoTime(item.createdAt);
  if (readMs === null) return { readMs: null, trustedMs: null, problem: 'unreadable' };
  // A time from the future says the record or a clock is wrong; how old the image really is, nobody knows.
  if (readMs > nowMs + CLOCK_SKEW_MS) return { readMs, trustedMs: null, problem: 'future' };
  return { readMs, trustedMs: readMs, problem: null };
}

/** `41d`, `5h`, `12m`: whole units, rounded down, so an age never reads older than it is. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes >= 24 * 60) return `${Math.floor(minutes / (24 * 60))}d`;
  if (minutes >= 60) return `${Math.floor(minutes / 60)}h`;
  return `${minutes}m`;
}
