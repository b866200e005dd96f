/**
 * Which account the credentials belong to (STS GetCallerIdentity). A plan records it; apply
 * refuses a plan made in another account, before it lists or changes anything.
 */
import type { CloudApi } from '../cloud/api.js';

export interface CallerAccount {
  readonly accountId: string;
  readonly arn: string | null;
  readonly identityType: string | null;
}

export class AccountUnknown extends Error {
  override name = 'AccountUnknown';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** `region`: any region the credentials may call STS in (STS answers the same everywhere). */
export async function callerAccount(api: CloudApi, region: string): Promise<CallerAccount> {
  const body = await api.call('sts.GetCallerIdentity', region, {});
  const accountId = str(body['AccountId']);
  if (accountId === null) throw new AccountUnknown('GetCallerIdentity answered without an AccountId');
  return { accountId, arn: str(body['Arn']), identityType: str(body['IdentityType']) };
}
