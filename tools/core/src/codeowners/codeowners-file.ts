/**
 * Finding and parsing the CODEOWNERS file GitHub uses. GitHub reports a line with invalid syntax as an error and
 * skips it, so parsing never throws: a bad line becomes a `LineProblem` and no rule, and the rest of the file still
 * applies — exactly what GitHub would enforce.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compilePattern, isPatternError, type Pattern } from './pattern';

/** GitHub looks in these places, in this order, and uses the first file it finds. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** GitHub does not load a CODEOWNERS file of 3 MB or more. */
export const MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024;

export interface Rule {
  /** Position among the valid rules (0-based): a higher index wins. */
  index: number;
  /** 1-based line in the file. */
  line: number;
  pattern: Pattern;
  /** `@user`, `@org/team` or an email; [] makes matching files unowned. */
  owners: string[];
}

export interface LineProblem {
  line: number;
  message: string;
  fix: string;
}

export interface CodeownersFile {
  /** Repo-relative location, e.g. `CODEOWNERS` or `.github/CODEOWNERS`. */
  path: string;
  rules: Rule[];
  problems: LineProblem[];
}

// GitHub usernames: letters, digits and single inner hyphens, at most 39 characters. Team slugs may also hold `_`/`.`.
const USER = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

export type OwnerKind = 'user' | 'team' | 'email';

export function ownerKind(owner: string): OwnerKind | null {
  if (TEAM.test(owner)) return 'team';
  if (USER.test(owner)) return 'user';
  if (EMAIL.test(owner)) return 'email';
  return null;
}

function ownerFix(owner: string): string {
  if (/^[A-Za-z0-9-]+\/[A-Za-z0-9_.-]+$/.test(owner)) return `write the team as "@${owner}"`;
  if (/^[A-Za-z0-9-]+$/.test(owner)) return `write the user as "@${owner}" (or use a team, "@org/team")`;
  return 'owners are "@user", "@org/team" or an email address, separated by spaces';
}

/** Splits a line into pattern and owner tokens; `\ ` keeps a space inside the pattern. `#` after a space starts a comment. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  const chars = text[Symbol.iterator]();
  for (const ch of chars) {
    if (ch === '\\' && tokens.length === 0) {
      // Escapes are resolved by the pattern compiler; only the pattern has them. A trailing `\` is kept as it is.
      current += ch + (chars.next().value ?? '');
    } else if (ch === ' ' || ch === '\t') {
      if (current) tokens.push(current);
      current = '';
    } else if (ch === '#' && current === '') {
      break; // an inline comment: `*.js @js-owner # the JS folks`
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

/**
 * A line without its leading and trailing whitespace, but for trailing whitespace escaped with `\`: in gitignore an
 * ownerless `foo\ ` names the file "foo " (trimming the space would leave a lone `\`).
 */
function trimLine(text: string): string {
  let end = text.length;
  while (end > 0 && /[ \t]/.test(text.charAt(end - 1)) && !isEscaped(text, end - 1)) end--;
  return text.slice(0, end).trimStart();
}

/** Whether the character at `at` follows an odd number of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (at - backslashes - 1 >= 0 && text.charAt(at - backslashes - 1) === '\\') backslashes++;
  return backslashes % 2 === 1;
}

export function parseCodeowners(text: string, path = 'CODEOWNERS'): CodeownersFile {
  const rules: Rule[] = [];
  const problems: LineProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((rawLine, i) => {
    const line = i + 1;
    const content = trimLine(rawLine.replace(/\r$/, ''));
    if (content === '' || content.startsWith('#')) return;
    const [source, ...owners] = tokenize(content);
    if (source === undefined) return;
    const pattern = compilePattern(source);
    if (isPatternError(pattern)) {
      problems.push({ line, ...pattern });
      return;
    }
    const bad = owners.filter((owner) => ownerKind(owner) === null);
    const [firstBad] = bad;
    if (firstBad !== undefined) {
      problems.push({
        line,
        message: `malformed owner${bad.length > 1 ? 's' : ''} ${bad.map((owner) => `"${owner}"`).join(', ')} (GitHub skips this line)`,
        fix: ownerFix(firstBad),
      });
      return;
    }
    rules.push({ index: rules.length, line, pattern, owners });
  });
  return { path, rules, problems };
}

export interface FoundCodeowners {
  path: string;
  text: string;
  /** Other CODEOWNERS locations that exist but that GitHub ignores because an earlier one exists. */
  ignored: string[];
  bytes: number;
}

/** The CODEOWNERS file in the working tree that GitHub would use once committed, or null. */
export function findCodeowners(repo: string): FoundCodeowners | null {
  const present = CODEOWNERS_LOCATIONS.filter((location) => {
    const file = join(repo, location);
    return existsSync(file) && statSync(file).isFile();
  });
  const [path, ...ignored] = present;
  if (!path) return null;
  const buffer = readFileSync(join(repo, path));
  return { path, text: buffer.toString('utf8'), ignored, bytes: buffer.length };
}
