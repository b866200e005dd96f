/**
 * The spec's "Bad policies" list, one fixture per case (test/fixtures/policies/bad/), each with
 * the exact position, path and a fragment of the message of every error it must produce.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../functions/policy/load.js';

const BAD = fileURLToPath(new URL('../fixtures/policies/bad/', import.meta.url));

/** [line, column, path, message fragment] */
type Expected = [number, number, string, string];

const CASES: Record<string, Expected[]> = {
  // Unknown keys are errors; a misspelled keep never turns into "keep nothing".
  'unknown-key-misspelled-keep.yaml': [
    [5, 5, 'rules[0].keep', 'keep is required: write keep: {} to make everything this rule matches a candidate'],
    [7, 5, 'rules[0].kepp', "unknown key 'kepp'; did you mean keep?"],
  ],
  'unknown-top-level-key.yaml': [
    [1, 1, 'rules', 'rules is required'],
    [3, 1, 'rule', "unknown key 'rule'; did you mean rules?"],
  ],
  // A duplicate rule name: pointed at the second.
  'duplicate-rule-name.yaml': [[7, 11, 'rules[1].name', 'the rule name builds is already used by rules[0]']],
  // A condition that does not apply to the rule's kind.
  'condition-not-for-kind-ostag.yaml': [
    [7, 7, 'rules[0].match.osTag', 'osTag applies only to ehpc-image rules; this rule is ecs-image'],
  ],
  'condition-not-for-kind-product-type.yaml': [
    [6, 14, 'rules[0].match.productType', 'productType applies only to wuying-image rules; this rule is ehpc-image'],
  ],
  'condition-not-for-kind-active-within.yaml': [
    [7, 7, 'rules[0].keep.activeWithin', 'activeWithin applies only to image-pipeline rules; this rule is ecs-image'],
  ],
  'condition-not-for-kind-group-by.yaml': [
    [8, 16, 'rules[0].keep.groupBy', 'groupBy family applies only to ehpc-image and ecs-image rules; this rule is wuying-image'],
  ],
  'condition-not-for-kind-status.yaml': [
    [7, 28, 'rules[0].match.status', 'status applies only to ehpc-image, ecs-image and wuying-image rules; this rule is image-pipeline'],
  ],
  'spec-example-verbatim.yaml': [
    [25, 7, 'rules[0].match.productType', 'productType applies only to wuying-image rules; this rule is ehpc-image'],
  ],
  // grace on a kind that cannot be tagged (and deleteSnapshots on a kind without snapshots).
  'grace-on-untaggable-kind.yaml': [
    [7, 5, 'rules[0].grace', 'grace applies only to ehpc-image and ecs-image rules, the kinds that can be tagged'],
  ],
  'delete-snapshots-on-wuying.yaml': [
    [7, 5, 'rules[0].deleteSnapshots', 'deleteSnapshots applies only to ehpc-image and ecs-image rules'],
  ],
  // A malformed duration, glob or regex, with the reason.
  'malformed-duration.yaml': [
    [7, 20, 'rules[0].keep.youngerThan', "'1 month' is not a duration: write a positive whole number and a unit h, d or w"],
    [8, 12, 'rules[0].grace', "'0d' is not a duration"],
  ],
  'malformed-glob.yaml': [
    [7, 25, 'rules[0].match.name[1]', "'[' is not supported in globs"],
    [8, 15, 'rules[0].match.family', 'a glob cannot be empty'],
  ],
  'malformed-regex.yaml': [
    [8, 24, 'rules[0].keep.groupBy.name', 'not a regular expression: Invalid regular expression'],
  ],
  'regex-capture-groups.yaml': [
    [8, 24, 'rules[0].keep.groupBy.name', 'the regex has 0 capture groups; it needs exactly one'],
    [13, 24, 'rules[1].keep.groupBy.name', 'the regex has 2 capture groups; it needs exactly one'],
  ],
  // A region that is not a region ID.
  'region-not-a-region-id.yaml': [
    [2, 11, 'regions[0]', "'cn-hangzou' is not an Alibaba Cloud region ID; did you mean 'cn-hangzhou'?"],
    [2, 23, 'regions[1]', "'mars-north-1' is not an Alibaba Cloud region ID"],
  ],
  'region-is-a-zone.yaml': [
    [3, 5, 'regions[0]', "'cn-hangzhou-h' is a zone, not a region; write its region 'cn-hangzhou'"],
    [4, 5, 'regions[1]', "'ap-southeast-1a' is a zone, not a region; write its region 'ap-southeast-1'"],
  ],
  'duplicate-regions.yaml': [[2, 36, 'regions[2]', 'cn-hangzhou is listed twice (first as regions[0])']],
  // An empty rules.
  'empty-rules.yaml': [[3, 8, 'rules', 'rules is empty: write at least one rule']],
  // A YAML syntax error; a duplicate key.
  'yaml-syntax-error.yaml': [[6, 22, 'rules[0].keep', 'YAML: Unexpected flow-map-end token']],
  'duplicate-yaml-key.yaml': [[7, 5, 'rules[0].keep', 'duplicate key']],
  // YAML aliases that expand beyond a small bound: refused at the alias that crossed it.
  'alias-bomb.yaml': [
    [6, 1, 'x1', "unknown key 'x1'"],
    [7, 1, 'x2', "unknown key 'x2'"],
    [8, 1, 'x3', "unknown key 'x3'"],
    [8, 9, 'x3', 'more than 100 alias expansions; refusing to expand more'],
    [9, 1, 'x4', "unknown key 'x4'"],
    [10, 1, 'x5', "unknown key 'x5'"],
    [11, 1, 'x6', "unknown key 'x6'"],
    [12, 1, 'x7', "unknown key 'x7'"],
    [13, 1, 'x8', "unknown key 'x8'"],
    [14, 8, 'rules', 'expected a list, got nothing'],
  ],
  // The rest of the brief's semantic checks.
  'missing-keep.yaml': [[4, 5, 'rules[0].keep', 'keep is required: write keep: {} to make everything this rule matches a candidate']],
  'newest-zero.yaml': [[6, 21, 'rules[0].keep.newest', 'newest: 0 would keep nothing']],
  'mode-typo.yaml': [[2, 7, 'mode', "'enforced' is not a mode; did you mean enforce?"]],
  'yes-is-text.yaml': [[8, 22, 'rules[0].deleteSnapshots', "'yes' is text in YAML 1.2 (write true or false)"]],
  'unquoted-boolean-tag-value.yaml': [[5, 19, 'protect.tags.keep-forever', 'expected text, got true; put it in quotes: "true"']],
  'group-by-without-newest.yaml': [[7, 7, 'rules[0].keep.groupBy', 'groupBy only says how newest counts']],
  'resource-typo.yaml': [
    [5, 15, 'rules[0].resource', "'ecs-images' is not a kind of resource; did you mean ecs-image?"],
    // The rest of a rule with an unknown kind is still checked.
    [6, 37, 'rules[0].keep.youngerThan', "'30 days' is not a duration"],
  ],
  'version-missing.yaml': [[1, 1, 'version', 'version is required: write version: 1']],
  // Documents that are not one mapping.
  'not-a-mapping-list.yaml': [[1, 1, '', 'a policy is a mapping of keys (version, mode, regions, limits, protect, rules), not a list']],
  'not-a-mapping-scalar.yaml': [[1, 1, '', 'not a single value (string)']],
  'empty-file.yaml': [[1, 1, '', 'the policy is empty']],
  'only-comments.yaml': [[1, 1, '', 'the policy is empty']],
  'multiple-documents.yaml': [[7, 1, '', 'a policy file holds one YAML document; this starts a second one']],
  // Several mistakes at once: all reported, in the order they appear in the file.
  'multiple-errors.yaml': [
    [3, 7, 'mode', "'enforced' is not a mode; did you mean enforce?"],
    [4, 11, 'regions[0]', "did you mean 'cn-hangzhou'?"],
    [4, 23, 'regions[1]', "'cn-hangzhou-h' is a zone, not a region"],
    [6, 23, 'limits.maxDeletionPercent', 'a percentage is between 0 and 100'],
    [7, 3, 'limits.concurency', "unknown key 'concurency'; did you mean concurrency?"],
    [9, 5, 'rules[0].keep', 'keep is required'],
    [9, 11, 'rules[0].name', 'a rule name is lowercase letters, digits and dashes only'],
    [12, 7, 'rules[0].match.osTag', 'osTag applies only to ehpc-image rules; this rule is ecs-image'],
    [13, 5, 'rules[0].kepp', "unknown key 'kepp'; did you mean keep?"],
    [17, 15, 'rules[1].keep.newest', 'newest: 0 would keep nothing'],
    [18, 21, 'rules[1].keep.activeWithin', "'2 weeks' is not a duration"],
    [19, 5, 'rules[1].grace', 'grace applies only to ehpc-image and ecs-image rules'],
  ],
};

describe('bad policies', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(readdirSync(BAD).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [file, expected] of Object.entries(CASES)) {
    it(file, () => {
      const result = loadPolicy({ text: readFileSync(`${BAD}${file}`), file });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const got = result.errors.map((e) => [e.line, e.column, e.path, e.message] as const);
      expect(got.map(([line, column, path]) => [line, column, path])).toEqual(
        expected.map(([line, column, path]) => [line, column, path]),
      );
      got.forEach(([, , , message], i) => expect(message).toContain(expected[i]![3]));
      for (const e of result.errors) expect(e.file).toBe(file);
    });
  }
});
