/**
 * The cloud emulator's public interface (see README.md): start one in-process with
 * startEmulator(), or run `npm run emulator -- --fleet FILE --port N`.
 */
export type { Behaviour, EmulatorCall, Fleet, FleetImage, FleetPipeline, FleetExecution, WuyingImage, FaultKind } from './fleet.js';
export type { FleetDisk, FleetExecutor, FleetLaunchTemplate, FleetRegion, FleetScalingConfiguration, FleetSnapshot } from './fleet.js';
export type { Emulator, StartOptions } from './server.js';
export { startEmulator } from './server.js';
export { loadFleetFile, validateFleet, FleetError } from './fleet-validate.js';
