/**
 * One CODEOWNERS pattern, compiled to a regular expression with GitHub's semantics: gitignore-style globs minus the
 * three gitignore features GitHub documents as unsupported (`!` negation, `[ ]` ranges, `\#` escaping), and with
 * GitHub's one documented difference: a trailing lone `*` segment (`docs/*`) matches the folder's direct files only.
 * A `\` escapes the next character as in gitignore: `\*`, `\[`, `\]` and `\ ` (a space, trailing ones too) are
 * literal.
 *
 * Paths are repo-relative with `/` separators and no leading `./` or `/`. Matching is case-sensitive, as on GitHub.
 */

export interface Pattern {
  /** The pattern as written (escapes included). */
  source: string;
  regex: RegExp;
  /** Leading literal path segments every matching path starts with; [] when the pattern can match at any depth. */
  literalPrefix: string[];
  /** Anchored to the repository root (leading or inner `/`); otherwise it matches at any depth. */
  anchored: boolean;
  /** Every match has more segments than `literalPrefix` (folder patterns, or wildcard segments after the prefix). */
  onlyBeneathPrefix: boolean;
  /**
   * A single literal segment, unanchored (`apps/`, `logs`): every matching path has this as one of its segments. Used
   * to index floating patterns by segment instead of testing them against every path.
   */
  anySegment: string | null;
  /**
   * Set when the pattern matches exactly the paths under `prefix` (`*`, `/a/b`, `/a/b/`, `/a/b/**`); `strictlyBeneath`
   * when it does not match the path `prefix` itself (folder patterns). Used to match without a regex, and for cheap
   * syntactic shadowing.
   */
  covers: { prefix: string[]; strictlyBeneath: boolean } | null;
}

export interface PatternError {
  message: string;
  fix: string;
}

const isLiteral = (segment: string) => !/[*?\\]/.test(segment);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether `source` has one of `chars` not escaped by a `\` (gitignore: `\[` is a literal bracket, not a range). */
function hasUnescaped(source: string, chars: string): boolean {
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (chars.includes(source.charAt(i))) return true;
  }
  return false;
}

/** Translates one path segment (not `**`) to a regex fragment: `*` and `?` never cross `/`. */
function segmentRegex(segment: string): string {
  if (segment === '*') return '[^/]+'; // a lone `*` stands for a whole, non-empty name
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment.charAt(i);
    if (ch === '\\') {
      const escaped = segment[++i];
      if (escaped === undefined) throw new Error(`"${segment}": a "\\" at the end of a path segment escapes nothing`);
      out += escapeRegex(escaped);
    } else if (ch === '*') {
      while (segment[i + 1] === '*') i++; // `a**b` is just `a*b` (gitignore)
      out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else out += escapeRegex(ch);
  }
  return out;
}

/** Compiles a pattern, or says why GitHub rejects it (GitHub skips such lines, so they own nothing). */
export function compilePattern(source: string): Pattern | PatternError {
  if (source.startsWith('!')) {
    return {
      message: `"${source}": negation with "!" is not supported in CODEOWNERS (GitHub skips this line)`,
      fix: 'remove the line; to exempt files, add a more specific rule after the broad one (with no owners to leave them unowned)',
    };
  }
  if (source.startsWith('\\#')) {
    return {
      message: `"${source}": escaping "#" with "\\" is not supported in CODEOWNERS (GitHub skips this line)`,
      fix: 'match the file through its folder instead, e.g. "/dir/" or "/dir/*"',
    };
  }
  if (source.includes('#')) {
    return {
      message: `"${source}": "#" inside a pattern is not supported (GitHub reads "#" as the start of a comment)`,
      fix: 'match the file through its folder instead, e.g. "/dir/"',
    };
  }
  if (hasUnescaped(source, '[]')) {
    return {
      message: `"${source}": character ranges "[ ]" are not supported in CODEOWNERS (GitHub skips this line)`,
      fix: 'write one line per alternative, or use "*" / "?" wildcards; "\\[" and "\\]" match a bracket itself',
    };
  }
  if (/(^|[^\\])(\\\\)*\\\//.test(source)) {
    // An odd run of "\" right before "/": segments are split at "/" before escapes are read, so it escapes nothing.
    return {
      message: `"${source}": a "\\" before "/" escapes nothing`,
      fix: 'remove the "\\": a "/" needs no escaping',
    };
  }
  if (source.includes('***')) {
    return {
      message: `"${source}": "***" is not a valid wildcard`,
      fix: 'use "*" (one name) or "**" (any number of folders)',
    };
  }
  if (source.endsWith('\\') && !source.endsWith('\\\\')) {
    return { message: `"${source}": the pattern ends with a lone "\\"`, fix: 'remove the trailing backslash' };
  }

  let body = source;
  let anchored = false;
  if (body.startsWith('/')) {
    anchored = true;
    body = body.slice(1);
  }
  const directoryOnly = body.endsWith('/');
  if (directoryOnly) body = body.slice(0, -1);
  if (body === '') {
    return {
      message: `"${source}": the pattern matches nothing`,
      fix: 'use "*" for every file, or name a folder like "/docs/"',
    };
  }
  const segments = body.split('/');
  if (segments.some((segment) => segment === '')) {
    return { message: `"${source}": empty path segment ("//")`, fix: 'remove the doubled "/"' };
  }
  // gitignore: a slash at the start or in the middle anchors the pattern to the root; otherwise it floats.
  if (segments.length > 1) anchored = true;

  let regex = anchored ? '^' : '^(?:.*/)?';
  segments.forEach((segment, i) => {
    const first = i === 0;
    const last = i === segments.length - 1;
    if (segment === '**') {
      if (first && last) regex += '.+';
      else if (first) regex += '(?:.+/)?';
      else if (last) regex += '/.+';
      else regex += '(?:/.+)?';
      return;
    }
    if (!first && !(i === 1 && segments[0] === '**')) regex += '/';
    regex += segmentRegex(segment);
    if (last) {
      if (directoryOnly)
        regex += '/.+'; // a folder: everything beneath it, never a file of that name
      else if (segment !== '*') regex += '(?:/.+)?'; // a file of that name, or a folder and everything beneath it
      // a trailing lone `*` (docs/*) matches direct children only — GitHub's documented exception
    }
  });
  regex += '$';

  const literalPrefix: string[] = [];
  if (anchored) {
    for (const segment of segments) {
      if (!isLiteral(segment)) break;
      literalPrefix.push(segment);
    }
  }
  const lastSegment = segments.at(-1);
  if (lastSegment === undefined) throw new Error(`"${source}" has no path segment`); // split() gives at least one
  let covers: Pattern['covers'] = null;
  if (!anchored && segments.length === 1 && (lastSegment === '*' || lastSegment === '**') && !directoryOnly) {
    covers = { prefix: [], strictlyBeneath: false };
  } else if (anchored && literalPrefix.length === segments.length) {
    covers = { prefix: literalPrefix, strictlyBeneath: directoryOnly };
  } else if (anchored && literalPrefix.length === segments.length - 1 && lastSegment === '**') {
    covers = { prefix: literalPrefix, strictlyBeneath: true };
  }
  return {
    source,
    regex: new RegExp(regex),
    anchored,
    literalPrefix,
    onlyBeneathPrefix: directoryOnly || segments.length > literalPrefix.length,
    anySegment: !anchored && segments.length === 1 && isLiteral(lastSegment) ? lastSegment : null,
    covers,
  };
}

/**
 * Tests a path (already split into segments). Patterns that are exactly "everything under a literal prefix"
 * (`*`, `/services/svc-001/`, `/a/b`) are decided by comparing segments — no regex runs for the common CODEOWNERS
 * lines; the regex decides the rest.
 */
export function matchesPath(pattern: Pattern, path: string, segments: readonly string[]): boolean {
  const covers = pattern.covers;
  if (!covers) return pattern.regex.test(path);
  const prefix = covers.prefix;
  if (segments.length < prefix.length + (covers.strictlyBeneath ? 1 : 0)) return false;
  for (let i = 0; i < prefix.length; i++) if (segments[i] !== prefix[i]) return false;
  return true;
}

export function isPatternError(value: Pattern | PatternError): value is PatternError {
  return 'fix' in value;
}

/**
 * Syntactic subsumption, only where it is cheap and certain: does `later` match every path `earlier` can match, so
 * that `earlier` can never win? True for equivalent patterns (same regex: `a/b` and `/a/b`), catch-alls (`*`, `**`),
 * and anchored literal folders (`/a/`, `/a`, `/a/**`) that contain everything the earlier pattern can reach.
 */
export function subsumes(later: Pattern, earlier: Pattern): boolean {
  if (later.regex.source === earlier.regex.source) return true;
  const covers = later.covers;
  if (!covers) return false;
  if (covers.prefix.length === 0 && !covers.strictlyBeneath) return true;
  if (!earlier.anchored) return false;
  const reach = earlier.literalPrefix;
  if (reach.length < covers.prefix.length || !covers.prefix.every((segment, i) => reach[i] === segment)) return false;
  if (!covers.strictlyBeneath) return true;
  // `/a/b/` covers only what lies beneath a/b, so the earlier pattern must not be able to match a/b itself.
  return reach.length > covers.prefix.length || earlier.onlyBeneathPrefix;
}
