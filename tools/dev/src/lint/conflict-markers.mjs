// ESLint rule `musiccorp/no-conflict-markers`: no unresolved merge conflict in a service, in any file ESLint sees.
//
// `nx g @musiccorp/generators:upgrade` writes a team-owned file it cannot merge cleanly WITH git's conflict markers,
// so the team resolves it in place; until then the service's lint target fails, and with it the artifact (which
// depends on lint): a conflict never reaches a build. The rule reads the raw text, so it also catches markers inside
// comments and template literals, which TypeScript's parser lets through. eslint.config.mjs gives the service's other
// files (README.md, pipeline.json, Dockerfile, …) the `plainText` parser below, so `eslint .` lints them for markers
// too. In a .ts file whose markers break the syntax, TypeScript's own "Merge conflict marker encountered." fails lint.

const OPENING = /^<{7}(?: |$)/;
const SEPARATOR = /^(?:={7}|\|{7}(?: .*)?)$/;
const CLOSING = /^>{7}(?: |$)/;

/**
 * The 1-based lines of every conflict marker: `<<<<<<<` and `>>>>>>>` anywhere, `=======` (and diff3's `|||||||`)
 * only inside an opened conflict, so a Markdown heading underlined with seven `=` is not one.
 */
export function conflictMarkerLines(text) {
  const lines = [];
  let open = false;
  text.split(/\r?\n/).forEach((line, index) => {
    if (OPENING.test(line)) open = true;
    else if (CLOSING.test(line)) open = false;
    else if (!(open && SEPARATOR.test(line))) return;
    lines.push(index + 1);
  });
  return lines;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noConflictMarkers = {
  meta: {
    type: 'problem',
    docs: { description: 'No unresolved merge conflict (from `nx g upgrade` or git) in a service.' },
    schema: [],
    messages: {
      marker:
        'Unresolved merge conflict: keep the lines you want between <<<<<<< and >>>>>>> (yours, then the new template), delete the three marker lines, and lint again.',
    },
  },
  create(context) {
    return {
      Program() {
        const { sourceCode } = context;
        for (const line of conflictMarkerLines(sourceCode.text)) {
          const text = sourceCode.lines[line - 1] ?? '';
          context.report({
            loc: { start: { line, column: 0 }, end: { line, column: text.length } },
            messageId: 'marker',
          });
        }
      },
    };
  },
};

/**
 * A parser for files that are not JavaScript (Markdown, JSON, Dockerfile): an empty program over the whole text, so
 * rules that read only the text, like the one above, can check them.
 */
export const plainText = {
  meta: { name: 'musiccorp-plain-text' },
  parseForESLint(text) {
    const lines = text.split(/\r\n|\r|\n/);
    const end = { line: lines.length, column: lines.at(-1).length };
    return {
      ast: {
        type: 'Program',
        sourceType: 'module',
        body: [],
        comments: [],
        tokens: [],
        range: [0, text.length],
        loc: { start: { line: 1, column: 0 }, end },
      },
    };
  },
};
