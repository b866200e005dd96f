/**
 * Shared set-up for the client's integration tests: a fleet that every action in the table can act
 * on, a client pointed at the emulator, and a recorder of what actually left the process (the
 * emulator's call log merges query and form body, so placement is checked on the way out).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { createCloudClient, type CloudClient, type CloudClientOptions, type ClientEvent } from '../../functions/cloud/client.js';
import type { Fleet, FleetImage } from '../emulator/index.js';

export const R = 'cn-hangzhou';
export const WUYING_REGION = 'cn-shanghai';
export const STS = { accessKeyId: 'STS.stsid', accessKeySecret: 'sts-secret-value', securityToken: 'sts-token-value-0123456789' };

export function testFleet(): Fleet {
  const paged: FleetImage[] = Array.from({ length: 25 }, (_, i) => ({
    ImageId: `m-page${String(i).padStart(3, '0')}`,
    ImageName: `hpc-build-${i}`,
    CreationTime: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().replace('.000', ''),
    Tags: { team: 'hpc' },
  }));
  return {
    accountId: '1234567890123456',
    credentials: [{ accessKeyId: 'testid', accessKeySecret: 'testsecret' }, STS],
    regions: {
      [R]: {
        images: [
          ...paged,
          { ImageId: 'm-del', CreationTime: '2025-01-01T00:00:00Z', ImageName: 'doomed' },
          { ImageId: 'm-tag', CreationTime: '2025-01-02T00:00:00Z', ImageName: 'marked' },
          { ImageId: 'm-inst', CreationTime: '2025-01-03T00:00:00Z', ImageName: 'instant', ehpc: { instantRegistered: true } },
          { ImageId: 'm-used', CreationTime: '2025-01-04T00:00:00Z', usedByInstances: 1 },
        ],
        // For the in-use lookups and the snapshot cascade.
        launchTemplates: [{ LaunchTemplateId: 'lt-test', LaunchTemplateName: 'web', versions: [{ VersionNumber: 1, ImageId: 'm-page000' }] }],
        snapshots: [{ SnapshotId: 's-free', SourceDiskSize: 20 }],
        pipelines: [
          { ImagePipelineId: 'ip-keep', Name: 'keep', CreationTime: '2026-01-01T00:00:00Z',
            executions: [{ ExecutionId: 'exec-1', Status: 'SUCCESS', CreationTime: '2026-01-02T00:00:00Z' }] },
          { ImagePipelineId: 'ip-del', Name: 'idle', CreationTime: '2025-01-01T00:00:00Z' },
        ],
      },
    },
    wuying: { images: [{ ImageId: 'imgc-0001', ImageName: 'desk', GmtCreate: '2025-04-25 15:13:57' }, { ImageId: 'imgc-0002', GmtCreate: '2025-04-26 10:00:00' }] },
  };
}

export function testClient(emuUrl: string, extra: Partial<CloudClientOptions> = {}): { client: CloudClient; events: ClientEvent[] } {
  const events: ClientEvent[] = [];
  const client = createCloudClient({
    credentials: { kind: 'static', accessKeyId: 'testid', accessKeySecret: 'testsecret' },
    endpoint: emuUrl,
    rate: { requestsPerSecond: 500, concurrency: 4 },
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    readTimeoutMs: 5_000,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { client, events };
}

export interface SentRequest {
  readonly method: string;
  /** Query parameters as sent (decoded). */
  readonly query: Record<string, string>;
  readonly contentType: string | undefined;
}

/** Records every HTTP request this process sends while active. */
export function recordRequests(): { sent: SentRequest[]; stop: () => void } {
  const sent: SentRequest[] = [];
  const onStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const url = new URL(request.path, 'http://x');
    const contentType = request.getHeader('content-type');
    sent.push({ method: request.method, query: Object.fromEntries(url.searchParams), contentType: typeof contentType === 'string' ? contentType : undefined });
  };
  diagnosticsChannel.subscribe('http.client.request.start', onStart);
  return { sent, stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', onStart) };
}

export async function rejectionOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}
