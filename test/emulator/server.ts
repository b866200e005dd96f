/**
 * The emulator's HTTP server: one endpoint for every product, routed by action and version.
 * Per API request, in this order: route → authenticate → quota → scripted errors → faults →
 * handler. Every API request is logged (throttled, faulted and refused ones too); the answer
 * waits `latencyMs`. Paths under /_emulator/ are the control interface (control.ts): never
 * logged, never faulted, never throttled.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { findRoute, PRODUCT_VERSIONS } from './apis/index.js';
import type { ApiAnswer, Route } from './apis/common.js';
import { authenticate, NonceMemory, schemeOf, type IncomingApiRequest, type Scheme } from './auth.js';
import { handleControl } from './control.js';
import { ApiError, errorBody, throttling } from './errors.js';
import { FaultInjector, MALFORMED_BODY } from './faults.js';
import type { Behaviour, EmulatorCall, Fleet, Product } from './fleet.js';
import { validateBehaviour, validateFleet } from './fleet-validate.js';
import { BodyTooLarge, hostRegion, readBody, splitUrl, toApiRequest } from './incoming.js';
import { Params, V1_COMMON_PARAMS } from './params.js';
import { QuotaBuckets } from './quota.js';
import { FleetState } from './state.js';

export interface Emulator {
  /** 'http://127.0.0.1:PORT' */
  readonly url: string;
  /** '127.0.0.1:PORT', what the SDK's `endpoint` wants. */
  readonly endpoint: string;
  readonly port: number;
  /** The fleet as it is now (same as GET /_emulator/state). */
  state(): Fleet;
  /** Every API call so far, in arrival order (same as GET /_emulator/calls). */
  calls(): EmulatorCall[];
  clearCalls(): void;
  /** Shallow patch of `behaviour`; a key set to null or undefined is removed. */
  setBehaviour(patch: Partial<Behaviour>): void;
  /** Replaces the whole fleet and resets quotas, nonces, faults and the call log. */
  loadFleet(fleet: Fleet): void;
  /** Stops listening and ends every connection, hanging ("timeout" fault) ones included. */
  close(): Promise<void>;
}

export interface StartOptions {
  fleet: Fleet;
  /** 0 or absent: any free port. */
  port?: number;
  /** Default true in-process: when false, one line per API call on stderr. */
  quiet?: boolean;
}

/** Keeps the call log from growing without bound in a long-running emulator. */
const MAX_LOGGED_CALLS = 1_000_000;

type Outcome =
  | { kind: 'json'; status: number; body: ApiAnswer; headers: Record<string, string> }
  | { kind: 'reset' | 'timeout' }
  | { kind: 'malformed'; status: number };

function latencyFor(b: Behaviour, product: Product | null, action: string): number {
  const l = b.latencyMs;
  if (l === undefined) return 0;
  if (typeof l === 'number') return l;
  return (product ? l[`${product}.${action}`] : undefined) ?? l[action] ?? l.default ?? 0;
}

function firstHeader(req: IncomingApiRequest, name: string): string {
  return req.headers[name]?.[0] ?? '';
}

class EmulatorServer implements Emulator {
  url = '';
  endpoint = '';
  port = 0;
  private fleet: FleetState;
  private quotas: QuotaBuckets;
  private faults: FaultInjector;
  private nonces: NonceMemory;
  private log: EmulatorCall[] = [];
  private readonly started = performance.now();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly server: Server;

  constructor(fleet: Fleet, private readonly quiet: boolean) {
    this.fleet = new FleetState(validateFleet(fleet));
    this.quotas = new QuotaBuckets(this.fleet.behaviour.qps);
    this.faults = new FaultInjector(this.fleet.behaviour.faults);
    this.nonces = new NonceMemory(() => this.windowMs());
    // Node's default keepAliveTimeout (5 s) sends `Keep-Alive: timeout=5`, which the SDK's agent honours.
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.endpoint = `127.0.0.1:${this.port}`;
    this.url = `http://${this.endpoint}`;
  }

  state(): Fleet {
    return this.fleet.toFleet();
  }

  calls(): EmulatorCall[] {
    return structuredClone(this.log);
  }

  clearCalls(): void {
    this.log = [];
  }

  setBehaviour(patch: Partial<Behaviour>): void {
    const next: Record<string, unknown> = { ...this.fleet.behaviour };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === null) delete next[k];
      else next[k] = v;
    }
    this.fleet.behaviour = structuredClone(validateBehaviour(next));
    if ('qps' in patch) this.quotas = new QuotaBuckets(this.fleet.behaviour.qps);
    if ('faults' in patch) this.faults = new FaultInjector(this.fleet.behaviour.faults);
  }

  loadFleet(fleet: Fleet): void {
    this.fleet = new FleetState(validateFleet(fleet));
    this.quotas = new QuotaBuckets(this.fleet.behaviour.qps);
    this.faults = new FaultInjector(this.fleet.behaviour.faults);
    this.nonces = new NonceMemory(() => this.windowMs());
    this.log = [];
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private windowMs(): number {
    return (this.fleet.behaviour.timestampWindowMinutes ?? 15) * 60_000;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge && !res.headersSent) res.writeHead(413).end();
      return;
    }
    if (splitUrl(req.url ?? '/').pathname.startsWith('/_emulator/')) {
      handleControl(this, req, res, body);
      return;
    }
    this.handleApi(req, res, body);
  }

  private handleApi(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): void {
    const incoming = toApiRequest(req, rawBody);
    const scheme = schemeOf(incoming);
    const merged = { ...incoming.query, ...incoming.bodyParams };
    const action = (scheme === 'v3' ? firstHeader(incoming, 'x-acs-action') : merged.Action) || firstHeader(incoming, 'x-acs-action');
    const version = (scheme === 'v3' ? firstHeader(incoming, 'x-acs-version') : merged.Version) || firstHeader(incoming, 'x-acs-version');
    const params = Object.fromEntries(Object.entries(merged).filter(([k]) => !V1_COMMON_PARAMS.has(k)));
    const host = firstHeader(incoming, 'host');
    const region = params.RegionId || hostRegion(host);
    const route = findRoute(version, action);
    const product = route?.product ?? PRODUCT_VERSIONS[version] ?? null;
    const call: EmulatorCall = {
      action, version, region, params, status: 0, code: null, signature: scheme,
      t: Math.round(performance.now() - this.started), product,
    };
    if (this.log.length >= MAX_LOGGED_CALLS) this.log.shift();
    this.log.push(call);
    const requestId = randomUUID().toUpperCase();

    let outcome: Outcome;
    try {
      outcome = this.decide(incoming, scheme, route, call, new Params(params), requestId);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `The emulator failed: ${(e as Error).stack ?? String(e)}`);
      if (!(e instanceof ApiError)) process.stderr.write(`emulator: internal error in ${action}: ${(e as Error).stack ?? String(e)}\n`);
      outcome = { kind: 'json', status: err.status, body: errorBody(err, requestId, host, product), headers: err.headers };
    }
    if (outcome.kind === 'json') {
      call.status = outcome.status;
      call.code = outcome.status >= 400 ? String(outcome.body.Code) : null;
    } else if (outcome.kind === 'malformed') {
      call.status = outcome.status;
      call.code = 'malformed';
    } else {
      call.code = outcome.kind;
    }
    if (!this.quiet) {
      process.stderr.write(`emulator: ${action || '?'} ${version || '?'} ${region || '-'} -> ${call.status} ${call.code ?? 'OK'}\n`);
    }
    const delay = latencyFor(this.fleet.behaviour, product, action);
    if (delay > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.deliver(req, res, outcome, requestId);
      }, delay);
      this.timers.add(timer);
    } else {
      this.deliver(req, res, outcome, requestId);
    }
  }

  /** Everything up to the answer; throws ApiError for an error answer. Changes happen here, before any latency. */
  private decide(incoming: IncomingApiRequest, scheme: Scheme | null, route: Route | undefined, call: EmulatorCall, params: Params, requestId: string): Outcome {
    if (incoming.method !== 'GET' && incoming.method !== 'POST') {
      throw new ApiError(403, 'UnsupportedHTTPMethod', `The HTTP method ${incoming.method} is not supported; use GET or POST.`);
    }
    if (!call.action) throw new ApiError(400, 'MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.');
    if (!route) {
      throw new ApiError(404, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method. (${call.action} ${call.version})`);
    }
    authenticate(incoming, scheme, { credentials: this.fleet.credentials, nonces: this.nonces, windowMs: this.windowMs(), now: Date.now() });
    const quota = this.quotas.take(call.region, route.product, route.action);
    if (!quota.ok) throw throttling(quota.retryAfterMs);
    this.scriptedError(route, call);

    const ctx = { fleet: this.fleet, params, region: call.region, requestId };
    const fault = this.faults.decide(route.product, route.action, route.mutating);
    if (fault) {
      call.fault = fault.kind;
      if (fault.kind === 'ServiceUnavailable') throw new ApiError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      if (fault.kind === 'Throttling') throw throttling(this.fleet.behaviour.faults?.throttleRetryAfterMs ?? 100);
      if (route.mutating) {
        call.applied = fault.applied;
        if (fault.applied) {
          try {
            route.handler(ctx);
          } catch {
            // A refusal changes nothing; its answer is lost with the rest.
          }
        }
      }
      return fault.kind === 'malformed' ? { kind: 'malformed', status: this.fleet.behaviour.faults?.malformedStatus ?? 200 } : { kind: fault.kind };
    }
    return { kind: 'json', status: 200, body: route.handler(ctx), headers: {} };
  }

  private scriptedError(route: Route, call: EmulatorCall): void {
    for (const rule of this.fleet.behaviour.errors ?? []) {
      if (rule.action !== route.action && rule.action !== `${route.product}.${route.action}`) continue;
      if (rule.region !== undefined && rule.region !== call.region) continue;
      if (rule.params && !Object.entries(rule.params).every(([k, v]) => paramMatches(call.params[k], v))) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times -= 1;
      }
      throw new ApiError(rule.status, rule.code, rule.message ?? `${rule.code} (scripted by behaviour.errors)`);
    }
  }

  private deliver(req: IncomingMessage, res: ServerResponse, outcome: Outcome, requestId: string): void {
    if (res.destroyed || req.socket.destroyed) return;
    switch (outcome.kind) {
      case 'json':
        res.writeHead(outcome.status, { 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': requestId, ...outcome.headers });
        res.end(JSON.stringify(outcome.body));
        return;
      case 'malformed':
        res.writeHead(outcome.status, { 'content-type': 'text/html', 'x-acs-request-id': requestId });
        res.end(MALFORMED_BODY);
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'timeout':
        // Never answer: the socket stays open until the client gives up or close() ends it.
        return;
    }
  }
}

export async function startEmulator(opts: StartOptions): Promise<Emulator> {
  const emu = new EmulatorServer(opts.fleet, opts.quiet ?? true);
  await emu.listen(opts.port ?? 0);
  return emu;
}

/**
 * A scripted error's parameter condition: the exact value, or, for a comma list such as
 * DescribeImages' `ImageId=m-1,m-2`, `v` as one of its entries when `v` ends with `,*`
 * (`m-1,*`: any list whose first ID is m-1) or starts with `*,` (`*,m-1`: any list holding m-1).
 */
function paramMatches(actual: unknown, v: string): boolean {
  if (typeof actual !== 'string') return false;
  if (actual === v) return true;
  const entries = actual.split(',');
  if (v.endsWith(',*')) return entries[0] === v.slice(0, -2);
  if (v.startsWith('*,')) return entries.includes(v.slice(2));
  return false;
}
