/**
 * Listing cuts each DescribeImages item to ECS_FACT_FIELDS as its page arrives (memory at 100,000
 * images). That is only safe if the cut item gives exactly the facts the full one gives: every
 * field ecsImageFacts reads must be in the list, whatever the API sends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ECS_FACT_FIELDS, ecsImageFacts, slimImage } from '../../functions/inventory/ecs-describe.js';

/** The top-level keys `fn` touches on `item` (reads, `in`, own-property checks). */
function keysTouched(item: Record<string, unknown>, fn: (raw: Record<string, unknown>) => unknown): Set<string> {
  const touched = new Set<string>();
  const note = (k: string | symbol) => typeof k === 'string' && touched.add(k);
  const proxy = new Proxy(item, {
    get: (t, k, r) => (note(k), Reflect.get(t, k, r)),
    has: (t, k) => (note(k), Reflect.has(t, k)),
    getOwnPropertyDescriptor: (t, k) => (note(k), Reflect.getOwnPropertyDescriptor(t, k)),
  });
  fn(proxy);
  return touched;
}

/** DescribeImages item fields, written out here rather than taken from the code under test. */
const DESCRIBE_IMAGES_FIELDS = ['ImageId', 'ImageName', 'CreationTime', 'Status', 'Progress', 'Usage', 'IsSelfShared', 'IsPublic', 'ImageOwnerAlias', 'ImageFamily', 'Size', 'Tags', 'DiskDeviceMappings'];
const REAL_EXTRA_FIELDS = ['Architecture', 'OSType', 'OSName', 'Platform', 'Description', 'ProductCode', 'ImageVersion', 'BootMode', 'ResourceGroupId', 'LoginAsNonRootSupported', 'Features', 'DetectionOptions', 'ImageOwnerId', 'IsSubscribed', 'IsCopied', 'IsSupportCloudinit', 'IsSupportIoOptimized', 'OSNameEn', 'SupplierId'];
const anyValue = fc.oneof(
  fc.constantFrom('self', 'others', 'system', 'instance', 'none', 'true', 'false', 'Available', 'Creating', 'CreateFailed', '100%', '50%', '2026-01-02T03:04:05Z', ''),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ Tag: [{ TagKey: 'image-gc:keep', TagValue: 'true' }] }),
  fc.constant({ DiskDeviceMapping: [{ SnapshotId: 's-1', Size: '40' }] }),
  fc.constant({ Tag: 'not a list' }),
);
const arbImageItem = fc.dictionary(fc.constantFrom(...DESCRIBE_IMAGES_FIELDS, ...REAL_EXTRA_FIELDS), anyValue);

describe('slimImage', () => {
  it('ecsImageFacts reads no field outside ECS_FACT_FIELDS', () => {
    const full = Object.fromEntries([...DESCRIBE_IMAGES_FIELDS, ...REAL_EXTRA_FIELDS].map((k) => [k, 'x']));
    const touched = keysTouched(full, ecsImageFacts);
    expect([...touched].filter((k) => !ECS_FACT_FIELDS.includes(k))).toEqual([]);
    expect(touched.size).toBeGreaterThan(5); // the proxy saw the reads
  });

  it('gives exactly the facts of the full item, for any item', () => {
    fc.assert(
      fc.property(arbImageItem, (item) => {
        expect(ecsImageFacts(slimImage(item))).toEqual(ecsImageFacts(item));
      }),
      { numRuns: 2000 },
    );
  });

  it('drops what the facts do not read', () => {
    const cut = slimImage({ ImageId: 'm-1', Architecture: 'x86_64', Description: 'a very long text' });
    expect(cut).toEqual({ ImageId: 'm-1' });
  });
});
