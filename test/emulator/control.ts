/**
 * The emulator's own paths, so a test driving a separate emulator process can do what an
 * in-process test does with the Emulator object:
 *   GET    /_emulator/state      the fleet as it is now (fleet-file format)
 *   GET    /_emulator/calls      the API call log
 *   DELETE /_emulator/calls      clear the log
 *   PUT    /_emulator/behaviour  JSON patch of `behaviour` (null removes a key)
 *   PUT    /_emulator/fleet      replace the fleet (resets quotas, nonces, faults, log)
 * Never logged, faulted, throttled or authenticated.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Behaviour, EmulatorCall, Fleet } from './fleet.js';
import { FleetError } from './fleet-validate.js';
import { splitUrl } from './incoming.js';

export interface Controllable {
  state(): Fleet;
  calls(): EmulatorCall[];
  clearCalls(): void;
  setBehaviour(patch: Partial<Behaviour>): void;
  loadFleet(fleet: Fleet): void;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

function parseJson(body: Buffer): unknown {
  return JSON.parse(body.toString('utf8'));
}

export function handleControl(emu: Controllable, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = splitUrl(req.url ?? '/').pathname.replace(/\/+$/, '');
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    switch (route) {
      case 'GET /_emulator/state':
        return send(res, 200, emu.state());
      case 'GET /_emulator/calls':
        return send(res, 200, emu.calls());
      case 'DELETE /_emulator/calls':
        emu.clearCalls();
        return send(res, 200, { cleared: true });
      case 'PUT /_emulator/behaviour':
        emu.setBehaviour(parseJson(body) as Partial<Behaviour>);
        return send(res, 200, emu.state().behaviour ?? {});
      case 'PUT /_emulator/fleet':
        emu.loadFleet(parseJson(body) as Fleet);
        return send(res, 200, { loaded: true });
      default:
        return send(res, 404, { error: `no control path ${route}; see test/emulator/README.md` });
    }
  } catch (e) {
    if (e instanceof FleetError || e instanceof SyntaxError) return send(res, 400, { error: e.message });
    return send(res, 500, { error: (e as Error).message });
  }
}
