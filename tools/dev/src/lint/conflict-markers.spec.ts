/**
 * The `musiccorp/no-conflict-markers` lint rule through ESLint's own Linter, configured as eslint.config.mjs does:
 * TypeScript files with their parser, a service's other files with the plain-text parser.
 */
import { Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The rule is plain JavaScript (eslint.config.mjs loads it without a TypeScript loader), so it has no types.
const RULE_MODULE = './conflict-markers.mjs';
const { noConflictMarkers, plainText, conflictMarkerLines } = (await import(RULE_MODULE)) as {
  noConflictMarkers: Rule.RuleModule;
  plainText: Linter.Parser;
  conflictMarkerLines: (text: string) => number[];
};

const rule = {
  plugins: { musiccorp: { rules: { 'no-conflict-markers': noConflictMarkers } } },
  rules: { 'musiccorp/no-conflict-markers': 'error' as const },
};

function lint(code: string, file: string) {
  return new Linter().verify(
    code,
    [
      { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } },
      { files: ['**/*.md', '**/*.json'], languageOptions: { parser: plainText } },
      { files: ['**/*.ts', '**/*.md', '**/*.json'], ...rule },
    ],
    file,
  );
}

const CONFLICT = [
  '<<<<<<< catalog (yours, on template 1fdc7b5)',
  '- GET /health/ready (503 while starting)',
  '=======',
  '- GET /health/ready (runs the readiness checks)',
  '>>>>>>> template c9be832',
];

describe('musiccorp/no-conflict-markers', () => {
  it('fails a Markdown or JSON file on each marker line of a conflict, and passes it once resolved', () => {
    const readme = ['# catalog', '', ...CONFLICT, ''].join('\n');
    const messages = lint(readme, 'services/catalog/README.md');
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['musiccorp/no-conflict-markers', 3],
      ['musiccorp/no-conflict-markers', 5],
      ['musiccorp/no-conflict-markers', 7],
    ]);
    expect(messages[0]?.message).toContain('keep the lines you want between <<<<<<< and >>>>>>>');
    expect(lint('# catalog\n\n- GET /health/ready (503 while starting)\n', 'services/catalog/README.md')).toEqual([]);
    expect(lint(`{\n${CONFLICT.join('\n')}\n}\n`, 'services/catalog/pipeline.json')).toHaveLength(3);
  });

  it('finds markers TypeScript lets through (in a comment), and TypeScript fails the ones that break the syntax', () => {
    const inComment = ['/**', ...CONFLICT.map((line) => (line.startsWith('-') ? ` * ${line}` : line)), ' */', ''];
    expect(lint(inComment.join('\n'), 'services/catalog/src/routes/index.ts').map((m) => m.line)).toEqual([2, 4, 6]);
    const inCode = ['export const a = 1;', '<<<<<<< ours', 'export const b = 1;', '=======', 'export const b = 2;'];
    const [parse] = lint([...inCode, '>>>>>>> theirs', ''].join('\n'), 'services/catalog/src/routes/index.ts');
    expect(parse).toMatchObject({ fatal: true, message: expect.stringMatching(/Merge conflict marker encountered/) });
  });

  it('takes seven = only inside a conflict, so a Markdown heading underline is not one', () => {
    expect(conflictMarkerLines('Title\n=======\n\nText\n')).toEqual([]);
    expect(conflictMarkerLines(['a', ...CONFLICT, 'b'].join('\n'))).toEqual([2, 4, 6]);
    expect(conflictMarkerLines('<<<<<<< ours\na\n||||||| base\nb\n=======\nc\n>>>>>>> theirs\n')).toEqual([1, 3, 5, 7]);
  });
});
