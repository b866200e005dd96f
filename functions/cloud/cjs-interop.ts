/**
 * The @alicloud packages are CommonJS compiled from TypeScript (`exports.default = Client` plus
 * `__esModule`). Node's own ESM loader hands a default import the whole `module.exports`, so the
 * class is at `.default` (openapi-client.md §2.6); vitest and esbuild's CJS output apply the
 * `__esModule` interop and hand over the class itself. Accept both, so the same code runs in
 * Function Compute, under tsx and under the test runner.
 */
export function cjsDefault<M extends { default: unknown }>(imported: M): M['default'] {
  const inner = (imported as { default?: unknown }).default;
  return (inner ?? imported) as M['default'];
}
