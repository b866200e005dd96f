/**
 * Reading fields out of API answers that may be missing, mistyped or malformed. Nothing here
 * throws: a field that is not what the documentation promises comes back as null, and the caller
 * turns that into an unknown fact (fail closed) with the evidence of what was wrong.
 */
import { isValid, parseISO } from 'date-fns';
import type { Fact } from './types.js';

export type Raw = Readonly<Record<string, unknown>>;

export function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string field, or null. Numbers are accepted as their decimal text (IDs sometimes are). */
export function text(raw: Raw, key: string): string | null {
  const v = raw[key];
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** An identifier: a non-empty string of printable, space-free characters; anything else (numbers included) is null. */
export function id(raw: Raw, key: string): string | null {
  const v = raw[key];
  return typeof v === 'string' && /^[\x21-\x7e]{1,128}$/.test(v) ? v : null;
}

/** A finite, non-negative number, also from a numeric string (`"40"`), or null. */
export function num(raw: Raw, key: string): number | null {
  const v = raw[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** `true`/`"true"` and `false`/`"false"` (ECS sends IsSelfShared as a string), otherwise null. */
export function bool(raw: Raw, key: string): boolean | null {
  const v = raw[key];
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return null;
}

/** Dig through nested objects: `path(raw, 'Tags', 'Tag')`. */
export function path(raw: unknown, ...keys: string[]): unknown {
  let cur: unknown = raw;
  for (const k of keys) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** The records of an array field; anything that is not an array gives [] (and the caller checks counts). */
export function records(v: unknown): Raw[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const WUYING_LOCAL = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/**
 * An ISO-8601 time with an explicit zone (`2019-11-15T06:07:05Z`, also without seconds as ECS
 * filters write it), as a normalised ISO string; null for anything else. A time without a zone is
 * refused: its meaning would depend on where the function runs.
 */
export function isoTime(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_WITH_ZONE.test(value)) return null;
  const d = parseISO(value);
  return isValid(d) ? d.toISOString() : null;
}

/**
 * WUYING's `GmtCreate` (`2025-04-25 15:13:57`) carries no zone and the documentation does not say
 * which it is. Reading it as UTC can only make an image look younger than it is (China's UTC+8 is
 * the other candidate), never older, so an age rule errs on the side of keeping.
 */
export function wuyingTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = WUYING_LOCAL.exec(value);
  if (m) return isoTime(`${m[1]}T${m[2]}Z`);
  return isoTime(value);
}

export interface ReadTags {
  readonly tags: Record<string, string>;
  /** Why the tags could not be read, or null. Unreadable tags could hide the keep tag: the item is protected. */
  readonly problem: string | null;
}

/**
 * ECS-style tags: `{ Tags: { Tag: [{ TagKey, TagValue }] } }`. No `Tags` at all is no tags; a
 * `Tags` that is there but not in that shape (a string, one object instead of a list, `Key`
 * instead of `TagKey`, a value that is not text) is a problem, never "no tags": the keep tag may
 * be in it.
 */
export function ecsTags(raw: Raw): ReadTags {
  const field = raw['Tags'];
  if (field === undefined || field === null) return { tags: {}, problem: null };
  const list = isRecord(field) ? field['Tag'] : undefined;
  if (!isRecord(field) || (list !== undefined && !Array.isArray(list))) return { tags: {}, problem: `Tags ${shown(field)} is not a tag list` };
  return readTagList(Array.isArray(list) ? list : [], 'TagKey', 'TagValue');
}

/** A list of `{<keyName>: text, <valueName>: text}`; any entry not like that is a problem. */
export function readTagList(list: readonly unknown[], keyName: string, valueName: string): ReadTags {
  const tags: Record<string, string> = {};
  for (const entry of list) {
    const key = isRecord(entry) ? entry[keyName] : undefined;
    const value = isRecord(entry) ? (entry[valueName] ?? '') : undefined;
    if (typeof key !== 'string' || key === '' || typeof value !== 'string') {
      return { tags, problem: `tag entry ${shown(entry)} has no text ${keyName} and ${valueName}` };
    }
    tags[key] = value;
  }
  return { tags, problem: null };
}

/**
 * Facts are immutable and a large fleet repeats a handful of them (`Usage=none`, `Status=Available`)
 * hundreds of thousands of times: one shared object per distinct fact keeps 100,000 images' worth
 * of inventory tens of MiB smaller (BENCHMARKS.md, "Scale"). The table is bounded: evidence that
 * names an item (an execution ID) makes distinct facts, and those are simply not shared past it.
 */
const FACTS = new Map<string, Fact>();
const MAX_SHARED_FACTS = 10_000;

export function fact(value: boolean | null, evidence: string): Fact {
  const key = `${value}\u0000${evidence}`;
  const known = FACTS.get(key);
  if (known !== undefined) return known;
  const made = Object.freeze({ value, evidence });
  if (FACTS.size < MAX_SHARED_FACTS) FACTS.set(key, made);
  return made;
}

/** How a field looked, for evidence: `missing`, or its JSON (cut short). */
export function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Picks the named fields for the log, leaving out what was absent. */
export function pick(raw: Raw, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (raw[k] !== undefined) out[k] = raw[k];
  return out;
}
