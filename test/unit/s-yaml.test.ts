/**
 * s.yaml checked offline against the fc3 rules that matter (shared/reference/function-compute-and-sls.md
 * §2-§4): `s verify` would download the component, and its schema is loose anyway. The handler
 * must point into the built bundle, which must export it (npm test builds dist/ first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseTrigger } from '../../functions/handler.js';
import { parseMode } from '../../functions/mode.js';
import { loadPolicyFile } from '../../functions/policy/load.js';
import { DIST, ROOT, requireBuiltBundle } from '../../scripts/build.js';

type Json = Record<string, unknown>;
const RAW = readFileSync(join(ROOT, 's.yaml'), 'utf8');
const ACCOUNT = '1234567890123456';

/**
 * Resolves the magic variables this file uses the way `s` does for a deployer who sets nothing:
 * env() to its default (or a marker when it has none), config('AccountID') to an account, vars.
 */
function resolve(value: unknown, vars: Json): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
      const env = /^env\('([A-Z0-9_]+)'(?:,\s*'([^']*)')?\)$/.exec(expr);
      if (env) return env[2] ?? `<required:${env[1]}>`;
      if (expr === "config('AccountID')") return ACCOUNT;
      const v = /^vars\.(\w+)$/.exec(expr);
      if (v && typeof vars[v[1] as string] === 'string') return resolve(vars[v[1] as string], {}) as string;
      throw new Error(`s.yaml: unknown magic variable \${${expr}}`);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, vars));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, vars)]));
  return value;
}

const doc = parse(RAW) as Json;
const resolved = resolve(doc, (doc['vars'] ?? {}) as Json) as Json;
const [resourceName, resource] = Object.entries(resolved['resources'] as Record<string, Json>).find(([, r]) => String(r['component']).startsWith('fc3')) ?? [];
const props = (resource?.['props'] ?? {}) as Json;

describe('s.yaml', () => {
  it('is a Serverless Devs 3 project with one fc3 function', () => {
    expect(resolved['edition']).toBe('3.0.0');
    expect(resourceName).toBeDefined();
    expect(props['functionName']).toBe('image-gc');
    expect(props['region']).toBe('cn-hangzhou');
  });

  it('builds the bundle before deploying it', () => {
    const steps = ((resource?.['actions'] as Json)?.['pre-deploy'] ?? []) as Json[];
    expect(steps).toContainEqual({ run: 'npm ci && npm run build', path: './' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['build']).toBeDefined();
  });

  it('runs nodejs20 with a handler that the built bundle exports', () => {
    expect(props['runtime']).toBe('nodejs20');
    expect(props['code']).toBe('./dist');
    const [file, exported] = String(props['handler']).split('.');
    const bundle = join(ROOT, String(props['code']), `${file}.js`);
    expect(bundle).toBe(requireBuiltBundle());
    const mod = createRequire(import.meta.url)(bundle) as Record<string, unknown>;
    expect(typeof mod[exported as string]).toBe('function');
  });

  it('sets a sane timeout and memory (fc3 would default the timeout to 3 s)', () => {
    const timeout = props['timeout'];
    const memory = props['memorySize'];
    expect(Number.isInteger(timeout) && (timeout as number) >= 60 && (timeout as number) <= 86_400).toBe(true);
    expect(Number.isInteger(memory) && (memory as number) % 64 === 0 && (memory as number) >= 128 && (memory as number) <= 32_768).toBe(true);
  });

  it('has a timer trigger: CRON_TZ and six fields, seconds first, and a payload the handler accepts', () => {
    const timers = ((props['triggers'] ?? []) as Json[]).filter((t) => t['triggerType'] === 'timer');
    expect(timers).toHaveLength(1);
    const config = timers[0]?.['triggerConfig'] as Json;
    const cron = /^CRON_TZ=(\S+) (\S+(?: \S+){5})$/.exec(String(config['cronExpression']));
    expect(cron, `cronExpression ${String(config['cronExpression'])}`).not.toBeNull();
    expect(() => new Intl.DateTimeFormat('en', { timeZone: cron?.[1] })).not.toThrow();
    const [seconds, minutes, hours] = (cron?.[2] ?? '').split(' ');
    expect(seconds).toMatch(/^\d+$/); // minute granularity: a fixed second, never `*`
    expect(minutes).toMatch(/^\d+$/);
    expect(hours).toMatch(/^[\d,*/-]+$/);
    expect(config['enable']).toBe(true);
    expect(typeof config['payload']).toBe('string');
    const event = Buffer.from(JSON.stringify({ triggerTime: '2026-11-22T18:00:00Z', triggerName: timers[0]?.['triggerName'], payload: config['payload'] }));
    expect(() => parseTrigger(event)).not.toThrow();
  });

  it('never overlaps runs and never retries a failed one', () => {
    expect((props['concurrencyConfig'] as Json)['reservedConcurrency']).toBe(1);
    const async = props['asyncInvokeConfig'] as Json;
    expect(async['maxAsyncRetryAttempts']).toBe(0);
    const age = async['maxAsyncEventAgeInSeconds'];
    expect(Number.isInteger(age) && (age as number) >= 1 && (age as number) <= 604_800).toBe(true);
  });

  it('logs to an explicit project and logstore, one JSON line per entry', () => {
    const log = props['logConfig'] as Json;
    expect(typeof log).toBe('object');
    expect(log['project']).toBe('<required:IMAGE_GC_LOG_PROJECT>');
    expect(log['logstore']).toBe('image-gc');
    expect(log['logBeginRule']).toBe('None');
  });

  it('runs as a role of the deploying account', () => {
    expect(props['role']).toBe(`acs:ram::${ACCOUNT}:role/image-gc-function`);
  });

  it('points IMAGE_GC_POLICY at a policy in the bundle that loads, and defaults IMAGE_GC_MODE to dry-run', () => {
    const env = props['environmentVariables'] as Record<string, string>;
    const policy = join(DIST, env['IMAGE_GC_POLICY'] ?? '');
    expect(existsSync(policy), `${policy} is not in dist/`).toBe(true);
    expect(loadPolicyFile(policy).ok).toBe(true);
    expect(parseMode(env['IMAGE_GC_MODE'], 'IMAGE_GC_MODE')).toBe('dry-run');
  });

  it('holds no secret', () => {
    expect(RAW).not.toMatch(/LTAI[0-9A-Za-z]{8,}/); // an AccessKey ID
    expect(RAW).not.toMatch(/STS\.[0-9A-Za-z]{8,}/); // an STS AccessKey ID
    const offenders: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node === 'object' && node !== null) {
        for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`);
        return;
      }
      const key = path.split('.').at(-1) ?? '';
      const literal = typeof node === 'string' && !/^\$\{(env|config)\(/.test(node);
      if (/secret|token|password|accesskey/i.test(key) && literal) offenders.push(path);
      if (typeof node === 'string' && /^[A-Za-z0-9+/=]{30,}$/.test(node)) offenders.push(`${path} (looks like a key)`);
    };
    walk(doc, 's.yaml');
    expect(offenders).toEqual([]);
  });
});
