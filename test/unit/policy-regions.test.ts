import { describe, expect, it } from 'vitest';
import { REGION_IDS, isRegionId, regionOfZone, regionProblem } from '../../functions/policy/regions.js';
import { closest, editDistance } from '../../functions/policy/suggest.js';

describe('regions', () => {
  it('lists each region once, as a lowercase region ID', () => {
    expect(new Set(REGION_IDS).size).toBe(REGION_IDS.length);
    for (const id of REGION_IDS) expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
    for (const id of ['cn-hangzhou', 'cn-wuhan-lr', 'ap-southeast-8', 'na-south-1', 'cn-shanghai-finance-1']) {
      expect(isRegionId(id)).toBe(true);
    }
  });

  it('recognises zones and names their region', () => {
    expect(regionOfZone('cn-hangzhou-h')).toBe('cn-hangzhou');
    expect(regionOfZone('ap-southeast-1a')).toBe('ap-southeast-1');
    expect(regionOfZone('us-east-1b')).toBe('us-east-1');
    expect(regionOfZone('cn-hangzhoux')).toBeNull(); // no dash after a letter-final region
    expect(regionOfZone('cn-hangzhou')).toBeNull();
    expect(regionProblem('cn-beijing-k')).toBe("'cn-beijing-k' is a zone, not a region; write its region 'cn-beijing'");
  });

  it('suggests the nearest region for a typo, and nothing for a wild guess', () => {
    expect(regionProblem('cn-hangzou')).toContain("did you mean 'cn-hangzhou'?");
    expect(regionProblem('CN-Shanghai')).toContain("did you mean 'cn-shanghai'?");
    expect(regionProblem('us-east1')).toContain("did you mean 'us-east-1'?");
    expect(regionProblem('somewhere')).toBe(
      "'somewhere' is not an Alibaba Cloud region ID; the known regions are listed in functions/policy/regions.ts",
    );
    expect(regionProblem('cn-hangzhou')).toBeNull();
  });
});

describe('suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('kepp', 'keep')).toBe(1);
    expect(editDistance('enforced', 'enforce')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only near misses', () => {
    expect(closest('rule', ['version', 'rules'])).toBe('rules');
    expect(closest('xyz', ['version', 'rules'])).toBeNull();
    expect(closest('rules', ['rules'])).toBeNull(); // exact: nothing to suggest
    expect(closest('x'.repeat(1000), ['rules'])).toBeNull();
  });
});
