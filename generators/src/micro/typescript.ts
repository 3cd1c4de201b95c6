import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';

let loaded: typeof TypeScript | undefined;

/**
 * The TypeScript compiler, loaded on first use: the micro-generators parse route modules with it, and the Nx plugin
 * bundle that carries them must not pay its ~150 ms load on every `nx g`.
 */
export function typescript(): typeof TypeScript {
  loaded ??= createRequire(__filename)('typescript') as typeof TypeScript;
  return loaded;
}

export function parseSource(file: string, source: string): TypeScript.SourceFile {
  const ts = typescript();
  return ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** The value of a string literal or a template without substitutions; undefined for anything computed. */
export function stringValue(node: TypeScript.Node | undefined): string | undefined {
  const ts = typescript();
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

/** True for words that cannot name a variable: reserved words, and those reserved in strict mode (`let`, `static`). */
export function isReservedWord(name: string): boolean {
  const ts = typescript();
  const kind = ts.identifierToKeywordKind(ts.factory.createIdentifier(name));
  if (kind === undefined) return false;
  return (
    (kind >= ts.SyntaxKind.FirstReservedWord && kind <= ts.SyntaxKind.LastReservedWord) ||
    (kind >= ts.SyntaxKind.FirstFutureReservedWord && kind <= ts.SyntaxKind.LastFutureReservedWord) ||
    kind === ts.SyntaxKind.AwaitKeyword
  );
}
