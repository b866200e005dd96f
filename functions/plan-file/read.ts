/**
 * Reading a plan file back and deciding whether it may be applied at all. Each check refuses the
 * whole plan, before anything is listed or changed: a file that is not a plan, a tampered one
 * (checksum), an expired one, one made with another policy, one made in another account.
 */
import { readFileSync, statSync } from 'node:fs';
import { CLOCK_SKEW_MS } from '../plan/time.js';
import { checksumProblem } from './seal.js';
import { PLAN_FILE_FORMAT, PLAN_FILE_VERSION, planFileSchema, type PlanFile } from './types.js';
import { isRecord } from '../inventory/fields.js';

export const REFUSAL_REASONS = ['unreadable', 'malformed', 'tampered', 'expired', 'not-yet-valid', 'other-policy', 'other-account'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** The plan as a whole may not be applied. */
export class PlanRefused extends Error {
  override name = 'PlanRefused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/** 100,000 items at well under 2 KiB each; anything bigger is not a plan this tool wrote. */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/** Reads, checks the checksum, then the structure. Throws PlanRefused. */
export function readPlanFile(path: string, key: string | null): PlanFile {
  let text: string;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new PlanRefused('unreadable', `${path} is not a regular file`);
    if (info.size > MAX_PLAN_BYTES) throw new PlanRefused('unreadable', `${path} is ${info.size} bytes; a plan file is at most ${MAX_PLAN_BYTES}`);
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof PlanRefused) throw e;
    const code = (e as { code?: unknown }).code;
    throw new PlanRefused('unreadable', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`);
  }
  return parsePlanFile(text, path, key);
}

export function parsePlanFile(text: string, path: string, key: string | null): PlanFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PlanRefused('malformed', `${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isRecord(parsed) || parsed['format'] !== PLAN_FILE_FORMAT) {
    throw new PlanRefused('malformed', `${path} is not an image-gc plan file (no "format": "${PLAN_FILE_FORMAT}"); make one with gc plan --out`);
  }
  if (parsed['formatVersion'] !== PLAN_FILE_VERSION) {
    throw new PlanRefused('malformed', `${path} has plan format version ${JSON.stringify(parsed['formatVersion'])}; this image-gc reads version ${PLAN_FILE_VERSION}`);
  }
  // The checksum first: a changed file is refused as changed, whatever else is wrong with it.
  const problem = checksumProblem(parsed, key);
  if (problem !== null) throw new PlanRefused('tampered', `${path}: ${problem}`);
  const checked = planFileSchema.safeParse(parsed);
  if (!checked.success) {
    const issues = checked.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new PlanRefused('malformed', `${path} is not a valid plan file:\n  ${issues.join('\n  ')}`);
  }
  return checked.data;
}

/** Refuses a plan past its expiry, or one that claims to be made in the future. `wallNow`: the real clock. */
export function checkExpiry(file: PlanFile, wallNow: number): void {
  const expires = Date.parse(file.expiresAt);
  const created = Date.parse(file.createdAt);
  if (!(wallNow < expires)) {
    throw new PlanRefused('expired', `the plan expired at ${file.expiresAt} (made ${file.createdAt}, ttl ${file.ttl}); the fleet has moved on since it was reviewed: make and review a new plan`);
  }
  if (created > wallNow + CLOCK_SKEW_MS) {
    throw new PlanRefused('not-yet-valid', `the plan says it was made at ${file.createdAt}, which is in the future: the clocks disagree or the plan was not made by gc plan`);
  }
}

export function checkPolicy(file: PlanFile, policy: { file: string; sha256: string }): void {
  if (policy.sha256 !== file.policy.sha256) {
    throw new PlanRefused(
      'other-policy',
      `the plan was made with another policy: ${file.policy.file} had sha256 ${file.policy.sha256}, ${policy.file} has ${policy.sha256}; make a new plan with this policy`,
    );
  }
}

export function checkAccount(file: PlanFile, accountId: string): void {
  if (accountId !== file.account.accountId) {
    throw new PlanRefused('other-account', `the plan was made in account ${file.account.accountId}; these credentials belong to account ${accountId}`);
  }
}
