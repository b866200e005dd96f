/**
 * STS 2015-04-01 GetCallerIdentity: who the signing credentials belong to. The real service answers
 * any valid credentials without a RAM grant; here every accepted key belongs to the fleet's account
 * (`accountId`), as the account's own AccessKey (IdentityType `Account`).
 */
import type { ApiAnswer, ApiContext } from './common.js';

export function getCallerIdentity(ctx: ApiContext): ApiAnswer {
  const account = ctx.fleet.accountId;
  return {
    RequestId: ctx.requestId,
    AccountId: account,
    UserId: account,
    Arn: `acs:ram::${account}:root`,
    IdentityType: 'Account',
    PrincipalId: account,
  };
}
