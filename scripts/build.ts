/**
 * Builds the deployable code package under dist/ (s.yaml: `code: ./dist`, `handler: index.handler`):
 *
 * - index.js: one CommonJS bundle of functions/handler.ts (the SDK breaks under ESM bundling:
 *   `Dynamic require of "stream"`), with a package.json that makes Node read it as CommonJS even
 *   inside this ESM project, and the bundled packages' licences beside it;
 * - policies/: every policy YAML under policies/, each checked with the real loader, so a policy
 *   that would be refused at run time fails the build instead of the first timer run.
 *
 * Prints the bundle's size and cold import time against the budgets (docs/deploy.md, "Budgets"):
 * the size fails the build, the import time only warns (it is a timing, and a loaded CI machine
 * must not turn it into a red build).
 *
 * `npm run build`. Tests that load the bundle call requireBuiltBundle().
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { formatPolicyErrors, loadPolicyFile } from '../functions/policy/load.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

/** Budgets (docs/deploy.md, "Budgets"). */
export const BUNDLE_BUDGET_BYTES = 1_000_000;
export const IMPORT_BUDGET_RATIO = 2.0;

/**
 * Modules that dependencies load at import for a feature image-gc never or rarely uses, loaded on
 * first use instead: the same module, later, so behaviour is unchanged and every cold start is
 * cheaper (~15 ms of CPU together). A patch that no longer applies (a dependency changed) only
 * warns: the bundle is then as upstream made it.
 */
interface LazyRequire {
  readonly file: RegExp;
  readonly eager: string;
  readonly lazy: string;
  readonly why: string;
}

export const LAZY_REQUIRES: readonly LazyRequire[] = [
  {
    // test/integration/bundle-xml.test.ts shows the XML path still parses.
    why: 'openapi-client loads xml2js (with xmlbuilder, sax) for one rare case, an error answered as text/xml',
    file: /[\\/]@alicloud[\\/]openapi-client[\\/]dist[\\/]client\.js$/,
    eager: 'const tea_xml_1 = __importDefault(require("@alicloud/tea-xml"));',
    lazy: 'let tea_xml_lazy; const tea_xml_1 = { get default() { return (tea_xml_lazy ??= __importDefault(require("@alicloud/tea-xml"))).default; } };',
  },
  {
    why: 'pino loads thread-stream (and worker_threads) for transports; the audit log writes to a destination, never a transport',
    file: /[\\/]pino[\\/]lib[\\/]transport\.js$/,
    eager: "const ThreadStream = require('thread-stream')",
    lazy: "let ThreadStreamLazy; const ThreadStream = function (...args) { return new (ThreadStreamLazy ??= require('thread-stream'))(...args) }",
  },
];

export const lazyRequires: Plugin = {
  name: 'lazy-requires',
  setup(b) {
    for (const patch of LAZY_REQUIRES) {
      b.onLoad({ filter: patch.file }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(patch.eager)) {
          process.stderr.write(`build: warning: ${relative(ROOT, args.path)} changed; not deferring: ${patch.why}\n`);
          return undefined;
        }
        return { contents: source.replace(patch.eager, patch.lazy), resolveDir: dirname(args.path), loader: 'js' };
      });
    }
  },
};

/**
 * `import { z } from 'zod'` hands over zod's whole namespace object, which the bundler must keep
 * whole (~350 kB more, every locale); `import * as z from 'zod'` lets it keep only what is used.
 */
function warnOnWholeZod(inputs: readonly string[]): void {
  if (inputs.some((f) => /zod[\\/]v4[\\/]locales[\\/](?!en\.js)/.test(f))) {
    process.stderr.write("build: warning: the bundle holds all of zod: a module on the handler's path imports { z } from 'zod'; write import * as z from 'zod'\n");
  }
}

/**
 * @alicloud/tea-util after 1.4.9 depends on moment, lodash and ws (bundle 556 KB instead of
 * 234 KB, import ~139 ms instead of ~60 ms): package.json pins 1.4.9 and overrides every copy in
 * the tree to it. Should an upgrade bring them back, the build says so rather than ship them.
 */
export function heavyInputs(inputs: readonly string[]): string[] {
  return inputs.filter((f) => /node_modules[\\/](moment|lodash|ws)[\\/]/.test(f));
}

function policyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return policyFiles(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}

/** Copies every policy YAML into dist/policies, refusing the build if one would not load. */
function copyPolicies(): string[] {
  const source = join(ROOT, 'policies');
  const copied: string[] = [];
  for (const file of policyFiles(source)) {
    const loaded = loadPolicyFile(file);
    if (!loaded.ok) throw new Error(`policy ${relative(ROOT, file)} is invalid:\n${formatPolicyErrors(loaded.errors)}`);
    const target = join(DIST, 'policies', relative(source, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
    copied.push(relative(DIST, target));
  }
  return copied;
}

export async function buildBundle(): Promise<{ bytes: number; policies: string[] }> {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  const result = await build({
    entryPoints: [join(ROOT, 'functions/handler.ts')],
    outfile: join(DIST, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    // No source map in the package: FC does not load one (no --enable-source-maps) and it
    // would more than triple the upload. Rebuild the same commit without `minify` to read a stack trace.
    sourcemap: false,
    legalComments: 'external',
    plugins: [lazyRequires],
    metafile: true,
    logLevel: 'warning',
  });
  const bundled = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([f]) => f));
  warnOnWholeZod(bundled);
  const heavy = heavyInputs(bundled);
  if (heavy.length > 0) throw new Error(`build: the bundle pulls in ${[...new Set(heavy.map((f) => /node_modules[\\/]([^\\/]+)/.exec(f)?.[1]))].join(', ')}: keep @alicloud/tea-util at 1.4.9 (package.json "//")`);
  writeFileSync(join(DIST, 'package.json'), `${JSON.stringify({ name: 'image-gc-function', private: true, type: 'commonjs', main: 'index.js' }, null, 2)}\n`);
  const policies = copyPolicies();
  return { bytes: statSync(join(DIST, 'index.js')).size, policies };
}

/** Wall time of `node -e code` (ms), and the CPU time the child reports it used (ms). */
function nodeRun(code: string): { wallMs: number; cpuMs: number } {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(process.execPath, ['-e', `${code};const u=process.cpuUsage();process.stdout.write(String(u.user+u.system))`], { cwd: DIST, stdio: ['ignore', 'pipe', 'ignore'] });
  return { wallMs: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: Number(out.toString()) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Import the bundle and build the first client, as the first invocation does. */
const COLD_IMPORT = "const m=require('./index.js');if(typeof m.handler!=='function')process.exit(3);m.coldStartProbe()";

export interface ColdStart {
  readonly bareMs: number;
  readonly importMs: number;
  /** importMs / bareMs: the budgeted figure. */
  readonly ratio: number;
  /** The same ratio in CPU time, which a busy machine disturbs far less than wall time. */
  readonly cpuRatio: number;
}

/**
 * Medians over n runs each of `node -e 0` and of the cold import, interleaved so a burst of load
 * on the machine hits both alike.
 */
export function measureColdStart(n = 11): ColdStart {
  const bare: Array<{ wallMs: number; cpuMs: number }> = [];
  const imported: Array<{ wallMs: number; cpuMs: number }> = [];
  for (let i = 0; i < n; i++) {
    bare.push(nodeRun('0'));
    imported.push(nodeRun(COLD_IMPORT));
  }
  const bareMs = median(bare.map((r) => r.wallMs));
  const importMs = median(imported.map((r) => r.wallMs));
  return { bareMs, importMs, ratio: importMs / bareMs, cpuRatio: median(imported.map((r) => r.cpuMs)) / median(bare.map((r) => r.cpuMs)) };
}

/** For tests that load the bundle: its path, or an error that says how to build it. */
export function requireBuiltBundle(): string {
  const index = join(DIST, 'index.js');
  if (!existsSync(index)) throw new Error(`${relative(ROOT, index)} is missing: run \`npm run build\` first (npm test does)`);
  return index;
}

async function main(): Promise<void> {
  const { bytes, policies } = await buildBundle();
  const cold = measureColdStart();
  const sizeOk = bytes <= BUNDLE_BUDGET_BYTES;
  const importOk = cold.ratio <= IMPORT_BUDGET_RATIO;
  process.stdout.write(
    [
      `dist/index.js: ${(bytes / 1024).toFixed(1)} KiB, ${bytes} bytes (budget ${BUNDLE_BUDGET_BYTES} bytes: ${sizeOk ? 'ok' : 'OVER'})`,
      `cold import + first client: ${cold.importMs.toFixed(0)} ms vs bare node ${cold.bareMs.toFixed(0)} ms = ${cold.ratio.toFixed(2)}x (budget ${IMPORT_BUDGET_RATIO}x: ${importOk ? 'ok' : 'OVER, a warning only'}); in CPU time ${cold.cpuRatio.toFixed(2)}x`,
      `policies: ${policies.join(', ')}`,
      '',
    ].join('\n'),
  );
  if (!sizeOk) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
