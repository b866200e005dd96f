/**
 * The function role's RAM policies. The permission policy must grant exactly what the action
 * table (functions/cloud/actions.ts: `ram`, `ramResources`) says the code can call: not one
 * action more or less, and no resource broader than the table's. Entries with `ram: null` need
 * no grant and are skipped. When this fails, each line says what to change in the JSON.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, type ActionSpec } from '../../functions/cloud/actions.js';
import { ROOT } from '../../scripts/build.js';

const PERMISSION_FILE = 'policies/ram/permission-policy.json';
const TRUST_FILE = 'policies/ram/trust-policy.json';

type Statement = Record<string, unknown>;
const readJson = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { Version: string; Statement: Statement[] };
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** RAM action -> the resources the table scopes it to (union over the table's entries). */
export function requiredGrants(actions: Readonly<Record<string, ActionSpec>>): Map<string, Set<string>> {
  const need = new Map<string, Set<string>>();
  for (const spec of Object.values(actions)) {
    if (spec.ram === null) continue;
    const set = need.get(spec.ram) ?? new Set<string>();
    for (const r of spec.ramResources) set.add(r);
    need.set(spec.ram, set);
  }
  return need;
}

/** Every Allow statement's actions and resources, with what is malformed about the policy. */
function grantedBy(policy: { Statement: Statement[] }): { granted: Map<string, Set<string>>; problems: string[] } {
  const granted = new Map<string, Set<string>>();
  const problems: string[] = [];
  for (const [i, s] of policy.Statement.entries()) {
    const at = `${PERMISSION_FILE} Statement[${i}]`;
    if (s['Effect'] !== 'Allow') problems.push(`${at}: Effect ${String(s['Effect'])}: the role needs Allow statements only`);
    for (const key of ['NotAction', 'NotResource', 'Principal']) if (key in s) problems.push(`${at}: remove ${key} (it grants more than it names)`);
    for (const action of asList(s['Action'])) {
      if (action.includes('*')) problems.push(`${at}: remove the wildcard action ${action}; list the actions one by one`);
      const set = granted.get(action) ?? new Set<string>();
      for (const r of asList(s['Resource'])) set.add(r);
      granted.set(action, set);
    }
  }
  return { granted, problems };
}

/** What to add, remove or narrow so the policy grants exactly what the table needs. */
export function policyDiff(need: Map<string, Set<string>>, granted: Map<string, Set<string>>): string[] {
  const fix: string[] = [];
  for (const [action, resources] of need) {
    const has = granted.get(action);
    if (!has) {
      fix.push(`add "${action}" to ${PERMISSION_FILE} with Resource ${JSON.stringify([...resources])} (functions/cloud/actions.ts calls it)`);
      continue;
    }
    const missing = [...resources].filter((r) => !has.has(r));
    const extra = [...has].filter((r) => !resources.has(r));
    if (missing.length > 0) fix.push(`grant "${action}" on ${JSON.stringify(missing)} too (the action table scopes it so)`);
    if (extra.length > 0) fix.push(`narrow "${action}": remove Resource ${JSON.stringify(extra)}; the action table scopes it to ${JSON.stringify([...resources])}`);
  }
  for (const action of granted.keys()) {
    if (!need.has(action)) fix.push(`remove "${action}" from ${PERMISSION_FILE}: no entry of functions/cloud/actions.ts needs it`);
  }
  return fix;
}

describe('the function role', () => {
  it('is assumable by Function Compute and nothing else', () => {
    const trust = readJson(TRUST_FILE);
    expect(trust.Version).toBe('1');
    expect(trust.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['fc.aliyuncs.com'] } }]);
  });

  it('is granted exactly the RAM actions the action table can call, on its resources', () => {
    const policy = readJson(PERMISSION_FILE);
    expect(policy.Version).toBe('1');
    const { granted, problems } = grantedBy(policy);
    expect([...problems, ...policyDiff(requiredGrants(ACTIONS), granted)]).toEqual([]);
  });

  it('scopes ECS image and pipeline actions to their ARNs, not to *', () => {
    for (const spec of Object.values(ACTIONS as Readonly<Record<string, ActionSpec>>)) {
      if (spec.ram?.startsWith('ecs:') && /Image/.test(spec.ram)) expect(spec.ramResources, spec.ram).not.toContain('*');
    }
  });
});

describe('the policy check itself', () => {
  const need = new Map([
    ['ecs:DeleteImage', new Set(['acs:ecs:*:*:image/*'])],
    ['ehpc:ListCustomImages', new Set(['*'])],
  ]);

  it('names the action to add, the one to remove and the resource to narrow', () => {
    const granted = new Map([
      ['ecs:DeleteImage', new Set(['acs:ecs:*:*:image/*', '*'])],
      ['ecs:DeleteSnapshot', new Set(['*'])],
    ]);
    expect(policyDiff(need, granted)).toEqual([
      `narrow "ecs:DeleteImage": remove Resource ["*"]; the action table scopes it to ["acs:ecs:*:*:image/*"]`,
      `add "ehpc:ListCustomImages" to ${PERMISSION_FILE} with Resource ["*"] (functions/cloud/actions.ts calls it)`,
      `remove "ecs:DeleteSnapshot" from ${PERMISSION_FILE}: no entry of functions/cloud/actions.ts needs it`,
    ]);
  });

  it('skips table entries that need no grant', () => {
    const table = {
      a: { ...ACTIONS['ecs.DeleteImage'] },
      b: { ...ACTIONS['ecs.DeleteImage'], action: 'GetCallerIdentity', ram: null, ramResources: [] },
    } as Record<string, ActionSpec>;
    expect([...requiredGrants(table).keys()]).toEqual(['ecs:DeleteImage']);
  });
});
