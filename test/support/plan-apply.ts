/**
 * Helpers for plan → review → apply tests: making a plan file through the CLI, reading and
 * re-sealing it (to stand in for time passing or for a tamperer), and changing the emulated fleet
 * between plan and apply.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { seal } from '../../functions/plan-file/seal.js';
import type { PlanFile } from '../../functions/plan-file/types.js';
import type { Emulator, Fleet, FleetImage, FleetPipeline, WuyingImage } from '../emulator/index.js';
import { cli, tempDir } from './e2e.js';
import { E2E_NOW } from './fleets.js';

export const NOW = E2E_NOW.toISOString();

export async function makePlan(policy: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []): Promise<string> {
  const out = join(tempDir('image-gc-plan-'), 'plan.json');
  const r = await cli(['plan', '--policy', policy, '--now', NOW, '--out', out, ...extra], env);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return out;
}

export async function apply(planFile: string, env: NodeJS.ProcessEnv, extra: readonly string[] = []) {
  const log = join(tempDir('image-gc-apply-'), 'audit.jsonl');
  const r = await cli(['apply', planFile, '--now', NOW, '--log', log, ...extra], env);
  const lines = readLog(log);
  return { ...r, log, lines };
}

export function readLog(file: string): Array<Record<string, unknown>> {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

export function readPlan(file: string): PlanFile {
  return JSON.parse(readFileSync(file, 'utf8')) as PlanFile;
}

/** Changes the plan file and seals it again (with `key`, or a plain hash): a forger who knows the scheme. */
export function reseal(file: string, change: (p: PlanFile) => void, key: string | null = null): void {
  const p = readPlan(file);
  change(p);
  writeFileSync(file, JSON.stringify(seal(p as unknown as Record<string, unknown>, key), null, 2));
}

/** Changes the plan file without touching the checksum: a naive edit. */
export function tamper(file: string, change: (p: PlanFile) => void): void {
  const p = readPlan(file);
  change(p);
  writeFileSync(file, JSON.stringify(p, null, 2));
}

export const deleteIds = (p: PlanFile) => p.items.filter((i) => i.decision === 'delete').map((i) => i.id).sort();

/** Changes the live fleet (state → change → load). The call log starts over. */
export function changeFleet(emu: Emulator, change: (f: Fleet) => void): void {
  const fleet = emu.state();
  change(fleet);
  emu.loadFleet(fleet);
}

export function imageIn(f: Fleet, id: string): FleetImage {
  for (const r of Object.values(f.regions)) for (const i of r.images ?? []) if (i.ImageId === id) return i;
  throw new Error(`no image ${id} in the fleet`);
}

export function pipelineIn(f: Fleet, id: string): FleetPipeline {
  for (const r of Object.values(f.regions)) for (const p of r.pipelines ?? []) if (p.ImagePipelineId === id) return p;
  throw new Error(`no pipeline ${id} in the fleet`);
}

export function wuyingIn(f: Fleet, id: string): WuyingImage {
  const w = (f.wuying?.images ?? []).find((i) => i.ImageId === id);
  if (w === undefined) throw new Error(`no WUYING image ${id} in the fleet`);
  return w;
}

export function removeImage(f: Fleet, id: string): void {
  for (const r of Object.values(f.regions)) if (r.images) r.images = r.images.filter((i) => i.ImageId !== id);
}

export function deletedBy(calls: ReturnType<Emulator['calls']>): string[] {
  return calls
    .filter((c) => c.action === 'DeleteImage' || c.action === 'DeleteImagePipeline')
    .map((c) => String(c.params['ImageId'] ?? c.params['ImagePipelineId']))
    .sort();
}

/** A request the proxy saw: the action and its query parameters (ECS puts every business parameter there). */
export interface SeenRequest {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * A pass-through HTTP proxy in front of the emulator, for changing the cloud at an exact moment of
 * a run: `before` sees each API request before the emulator does (and may change the fleet). The
 * request goes on unchanged, Host header included, so its signature still holds.
 */
export async function interceptingProxy(target: Emulator, before: (r: SeenRequest) => void): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const action = String(req.headers['x-acs-action'] ?? url.searchParams.get('Action') ?? '');
      const r = { action, params: Object.fromEntries(url.searchParams) };
      seen.push(r);
      before(r);
      const upstream = request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
