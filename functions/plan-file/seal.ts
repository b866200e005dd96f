/**
 * A plan file's checksum: SHA-256 over the canonical serialisation of everything in the file but
 * the checksum itself; HMAC-SHA256 with IMAGE_GC_PLAN_KEY instead when that is set.
 *
 * What it is worth: the plain hash catches accidental edits and naive ones (someone changing an ID
 * in an editor); anyone who can edit the file can also recompute a plain hash. Only the keyed form
 * shows that the plan came from someone holding the key. docs/plan-apply.md says so.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export const CHECKSUM_ALGORITHMS = ['sha256', 'hmac-sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface Checksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Lowercase hex. */
  readonly value: string;
}

/** The key from the environment: unset or empty means none. */
export function planKeyFrom(env: NodeJS.ProcessEnv): string | null {
  const key = env['IMAGE_GC_PLAN_KEY'];
  return key === undefined || key === '' ? null : key;
}

/** The body the checksum covers: the file without its `checksum` field. */
export function checksumBody(file: Readonly<Record<string, unknown>>): string {
  const { checksum: _omitted, ...rest } = file;
  return canonicalJson(rest);
}

export function computeChecksum(file: Readonly<Record<string, unknown>>, key: string | null): Checksum {
  const body = checksumBody(file);
  if (key !== null) return { algorithm: 'hmac-sha256', value: createHmac('sha256', key).update(body, 'utf8').digest('hex') };
  return { algorithm: 'sha256', value: createHash('sha256').update(body, 'utf8').digest('hex') };
}

/** Adds the checksum (replacing any old one). */
export function seal<T extends Record<string, unknown>>(file: T, key: string | null): T & { checksum: Checksum } {
  const { checksum: _old, ...rest } = file;
  return { ...(rest as T), checksum: computeChecksum(rest, key) };
}

/** Why the checksum does not hold, or null when it does. */
export function checksumProblem(file: Readonly<Record<string, unknown>>, key: string | null): string | null {
  const given = file['checksum'];
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return 'the plan has no checksum';
  const { algorithm, value } = given as Record<string, unknown>;
  if (typeof algorithm !== 'string' || !(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    return `the plan's checksum algorithm ${JSON.stringify(algorithm)} is not one of ${CHECKSUM_ALGORITHMS.join(', ')}`;
  }
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return "the plan's checksum is not 64 hex digits";
  if (algorithm === 'hmac-sha256' && key === null) {
    return 'the plan is signed with a key (hmac-sha256) but IMAGE_GC_PLAN_KEY is not set: set it to the key the plan was made with';
  }
  if (algorithm === 'sha256' && key !== null) {
    // Otherwise anyone could drop the signature, edit the plan and write a plain hash.
    return 'IMAGE_GC_PLAN_KEY is set but the plan carries only a plain sha256 checksum, not a signature made with the key';
  }
  let expected: Checksum;
  try {
    expected = computeChecksum(file, key);
  } catch (e) {
    return `the plan cannot be checksummed: ${e instanceof Error ? e.message : String(e)}`;
  }
  const a = Buffer.from(expected.value, 'hex');
  const b = Buffer.from(value, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return algorithm === 'hmac-sha256'
      ? 'the plan does not match its signature: it was changed after it was made, or signed with another key'
      : 'the plan does not match its checksum: it was changed after it was made';
  }
  return null;
}
