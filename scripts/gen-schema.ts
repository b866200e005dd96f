/**
 * Writes policies/policy.schema.json from the zod schema (functions/policy/schema.ts), the one
 * source of truth. Run after changing the schema: npx tsx scripts/gen-schema.ts
 * test/unit/policy-schema.test.ts fails when the file and the schema disagree.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyJsonSchemaText } from '../functions/policy/schema.js';

const target = fileURLToPath(new URL('../policies/policy.schema.json', import.meta.url));
writeFileSync(target, policyJsonSchemaText());
console.log(`wrote ${target}`);
