/**
 * Characters a reader cannot see, or cannot tell from another in a terminal: whitespace (no-break and ideographic
 * spaces, line and paragraph separators), control characters, format characters (zero-width, bidi overrides, BOM),
 * combining marks, private-use, unassigned code points and lone surrogates.
 */
const HIDDEN = /[\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Co}\p{Cn}\p{Cs}]/u;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '"': '\\"',
  '\\': '\\\\',
};

/** Whether `value` has a character one cannot see, other than a plain space (which a quoted value shows). */
export function hasHiddenCharacters(value: string): boolean {
  for (const char of value) if (char !== ' ' && HIDDEN.test(char)) return true;
  return false;
}

/**
 * `value` in double quotes with every character one cannot see written as an escape, so a message shows exactly what
 * was given: `"catalog\n"`, `"cat\u00a0alog"`, `"a\u200bb"`. A plain space stays a space (the quotes show it).
 */
export function quote(value: string): string {
  let shown = '';
  for (const char of value) {
    shown += SHORT_ESCAPES[char] ?? (hasHiddenCharacters(char) ? unicodeEscape(char) : char);
  }
  return `"${shown}"`;
}

function unicodeEscape(char: string): string {
  const code = (char.codePointAt(0) ?? 0).toString(16);
  return code.length <= 4 ? `\\u${code.padStart(4, '0')}` : `\\u{${code}}`;
}
