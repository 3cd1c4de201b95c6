import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT_CASES } from './case-table';
import { RULES, rulesMarkdown, SCHEMA_CONSTRUCT_IDS } from './rules';

const README = join(__dirname, '..', '..', 'README.md');
const START = '<!-- rules:start (generated from src/diff/rules.ts) -->';
const END = '<!-- rules:end -->';

/** Table text without the column padding Prettier adds (`| a   |` = `| a |`, `| --- |` = `| ------ |`). */
const normalized = (markdown: string) =>
  markdown
    .split('\n')
    .map((line) =>
      line
        .replace(/ *\| */g, ' | ')
        .replace(/-{3,}/g, '---')
        .trim(),
    )
    .join('\n');

describe('the rule catalogue', () => {
  it('has kebab-case ids, each schema construct on the request side or the reading sides or both', () => {
    for (const [id, rule] of RULES) {
      expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
      expect(rule.id).toBe(id);
      if (rule.schema) expect(id).toBe(`${rule.schema.side}-${rule.schema.construct}`);
    }
    for (const construct of SCHEMA_CONSTRUCT_IDS) {
      const sides = [...RULES.values()]
        .filter((rule) => rule.schema?.construct === construct)
        .map((r) => r.schema?.side);
      // The two reading sides (response, event data) share their verdicts.
      expect([['request', 'response', 'event'], ['request'], ['response', 'event']]).toContainEqual(sides);
      const verdict = (side: string) => RULES.get(`${side}-${construct}`)?.verdict;
      expect(verdict('response')).toBe(verdict('event'));
    }
  });

  it('every expected change in the case table names a catalogue rule with its verdict', () => {
    for (const testCase of CONTRACT_CASES)
      for (const { rule, verdict } of testCase.expected) {
        expect(RULES.get(rule), `${testCase.name}: ${rule}`).toBeDefined();
        expect(RULES.get(rule)?.verdict, `${testCase.name}: ${rule}`).toBe(verdict);
      }
  });

  it('the case table exercises every contract rule, and every schema construct on at least one side', () => {
    const expected = new Set(CONTRACT_CASES.flatMap((c) => c.expected.map((change) => change.rule)));
    const missing = [...RULES.values()].filter((rule) => !rule.schema && !expected.has(rule.id)).map((rule) => rule.id);
    const coveredConstructs = new Set(
      [...expected].flatMap((id) => {
        const construct = RULES.get(id)?.schema?.construct;
        return construct ? [construct] : [];
      }),
    );
    missing.push(...SCHEMA_CONSTRUCT_IDS.filter((construct) => !coveredConstructs.has(construct)));
    expect(missing).toEqual([]);
  });

  it('the README holds the rule tables as rulesMarkdown() renders them', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, `tools/contract/README.md needs the markers ${START} and ${END}`).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const tables = `${START}\n\n${rulesMarkdown()}\n\n${END}`;
    const current = readme.slice(start, end + END.length);
    if (normalized(current) !== normalized(tables) && process.env['UPDATE_RULES_TABLE'] === '1') {
      writeFileSync(README, readme.slice(0, start) + tables + readme.slice(end + END.length));
      return;
    }
    expect(
      normalized(current),
      'The README rule tables are out of date. Fix: cd tools/contract && UPDATE_RULES_TABLE=1 npx vitest run src/diff/rules.spec.ts && npx prettier --write README.md',
    ).toBe(normalized(tables));
  });
});
