/**
 * Child process of the scale benchmark: one invocation of the deployed bundle's FC handler, as
 * Function Compute makes it, in a process of its own so that its peak RSS is the collector's
 * alone. Bundled to plain JavaScript before it runs (no tsx loader in the measured process).
 * argv: BUNDLE (dist/index.js). Environment: IMAGE_GC_POLICY, IMAGE_GC_ENDPOINT, BENCH_KEY (JSON
 * STS key for the context). The audit log goes to fd 1 as in FC; the result, one JSON object, to fd 3.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Bundle {
  handler(event: Buffer, context: unknown): Promise<Record<string, unknown>>;
}

async function main(): Promise<void> {
  const bundle = process.argv[2] as string;
  const key = JSON.parse(process.env['BENCH_KEY'] ?? '{}') as Record<string, string>;
  const t0 = performance.now();
  const m = createRequire(import.meta.url)(bundle) as Bundle;
  const t1 = performance.now();
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'bench', payload: '' }));
  const context = {
    requestId: 'bench-scale',
    credentials: key,
    function: { name: 'image-gc', handler: 'index.handler', memory: 512, timeout: 3600 },
    region: 'cn-hangzhou',
    accountId: '1234567890123456',
  };
  const summary = await m.handler(event, context);
  const t2 = performance.now();
  const ru = process.resourceUsage();
  writeSync(
    3,
    JSON.stringify({
      importS: (t1 - t0) / 1000,
      wallS: (t2 - t1) / 1000,
      maxRssKiB: ru.maxRSS,
      cpuS: (ru.userCPUTime + ru.systemCPUTime) / 1e6,
      heapUsed: process.memoryUsage().heapUsed,
      summary,
    }),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`fc-child: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
