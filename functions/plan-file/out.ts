/**
 * `gc plan --out FILE [--ttl 24h]`: checking the flags before anything is listed, and writing the
 * sealed plan file once the plan is made. The account comes from STS before the listing, so a plan
 * file always names the account its listing came from.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CloudApi } from '../cloud/api.js';
import { BadInput } from '../commands/common.js';
import { kindsOf } from '../inventory/index.js';
import type { Inventory } from '../inventory/types.js';
import type { Plan } from '../plan/types.js';
import type { LoadedPolicy } from '../run.js';
import { isCloudError } from '../cloud/errors.js';
import { AccountUnknown, callerAccount, type CallerAccount } from './account.js';
import { planKeyFrom } from './seal.js';
import { DEFAULT_TTL, parseTtl } from './ttl.js';
import type { PlanFile } from './types.js';
import { buildPlanFile, writePlanFile } from './write.js';

export interface OutTarget {
  readonly path: string;
  readonly ttl: { readonly text: string; readonly ms: number };
  readonly key: string | null;
}

/** The --out/--ttl flags, checked; null without --out. Throws BadInput before anything is listed. */
export function planOutTarget(flags: { readonly out?: string; readonly ttl?: string }, env: NodeJS.ProcessEnv): OutTarget | null {
  if (flags.out === undefined) {
    if (flags.ttl !== undefined) throw new BadInput('--ttl is the lifetime of a plan file: it needs --out FILE');
    return null;
  }
  if (flags.out.trim() === '') throw new BadInput('--out needs a file name');
  const ttl = parseTtl(flags.ttl ?? DEFAULT_TTL);
  if (!ttl.ok) throw new BadInput(ttl.message);
  const path = resolve(flags.out);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BadInput(`--out ${flags.out}: the directory ${dir} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new BadInput(`--out ${flags.out} is a directory`);
  return { path, ttl: { text: flags.ttl ?? DEFAULT_TTL, ms: ttl.ms }, key: planKeyFrom(env) };
}

/** STS answers the same in every region: ask in the policy's first. */
export function accountOf(api: CloudApi, regions: readonly string[]): Promise<CallerAccount> {
  return callerAccount(api, regions[0] ?? 'cn-hangzhou');
}

/** plan --out: the account, or an error that says no plan file was written and why. */
export async function accountForPlan(api: CloudApi, regions: readonly string[]): Promise<CallerAccount> {
  try {
    return await accountOf(api, regions);
  } catch (e) {
    const why = isCloudError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    throw new AccountUnknown(`cannot tell which account these credentials belong to (STS GetCallerIdentity failed: ${why}); nothing was listed and no plan file was written`);
  }
}

export interface SaveInput {
  readonly target: OutTarget;
  readonly account: CallerAccount;
  readonly loaded: LoadedPolicy;
  readonly plan: Plan;
  readonly inventory: Inventory;
  /** Wall clock when the plan was made; the TTL counts from it. */
  readonly createdAt?: Date;
}

export function savePlanFile(input: SaveInput): PlanFile {
  const { loaded } = input;
  const file = buildPlanFile({
    plan: input.plan,
    inventory: input.inventory,
    account: input.account,
    policy: {
      file: loaded.file,
      path: resolve(loaded.file),
      sha256: loaded.sha256,
      mode: loaded.policy.mode,
      regions: loaded.policy.regions,
      kinds: kindsOf(loaded.policy),
    },
    createdAt: input.createdAt ?? new Date(),
    ttl: input.target.ttl,
    key: input.target.key,
  });
  writePlanFile(input.target.path, file);
  return file;
}

/** One line for the person who made the plan: where it is, what it holds, until when. */
export function savedLine(target: OutTarget, file: PlanFile): string {
  const signed = file.checksum.algorithm === 'hmac-sha256' ? 'signed with IMAGE_GC_PLAN_KEY' : 'sha256 checksum';
  return `plan written to ${target.path}: ${file.summary.deletions} deletion(s), ${file.summary.gibToReclaim} GiB, account ${file.account.accountId}, expires ${file.expiresAt} (${signed}); review it, then: gc apply ${target.path}`;
}
