import type * as TypeScript from 'typescript';
import { parseSource, typescript } from '../typescript';

/** The team's events catalog, read for contract/events.json (templates/service/src/chassis/contract.ts). */
export const EVENTS_INDEX = 'src/events/index.ts';
export const CATALOG_EXPORT = 'publishedEvents';

export interface CatalogEntry {
  /** `OrderPlaced`. */
  name: string;
  /** The event module's exports: its type constant (`ORDER_PLACED`) and data schema (`orderPlacedDataSchema`). */
  typeConstant: string;
  schemaConstant: string;
  /** `./order-placed/event`. */
  moduleSpecifier: string;
  summary: string;
}

/**
 * Adds one event to `src/events/index.ts` in the file's own style: an import of its type and schema after the last
 * import (same quotes), and its entry at the end of the `publishedEvents` array. Column layout is left to prettier,
 * which the generator runs on every file it writes. Throws, naming the fix, when the file has no such array.
 */
export function registerEvent(source: string, entry: CatalogEntry, file: string): string {
  const ts = typescript();
  const sourceFile = parseSource(file, source);
  const catalog = catalogArray(sourceFile);
  if (!catalog) {
    throw new Error(
      `${file} has no \`export const ${CATALOG_EXPORT}: PublishedEvent[] = [ … ];\` to add ${entry.name} to. Restore it (see templates/event/src/events/index.ts), then run the command again.`,
    );
  }
  const lastImport = sourceFile.statements.filter(ts.isImportDeclaration).at(-1);
  const quote = lastImport?.moduleSpecifier.getText().startsWith('"') ? '"' : "'";
  const importLine = `import { ${entry.typeConstant}, ${entry.schemaConstant} } from ${quote}${entry.moduleSpecifier}${quote};`;
  const summary = quote + entry.summary.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`) + quote;
  const item = `{ type: ${entry.typeConstant}, name: ${quote}${entry.name}${quote}, summary: ${summary}, dataSchema: ${entry.schemaConstant} }`;
  const last = catalog.elements.at(-1);

  // Insert from the end of the file backwards, so the earlier offset stays valid.
  const edits = [
    last ? { at: last.getEnd(), text: `,\n${item}` } : { at: catalog.getStart() + 1, text: `\n${item},\n` },
    lastImport ? { at: lastImport.getEnd(), text: `\n${importLine}` } : { at: 0, text: `${importLine}\n` },
  ].sort((a, b) => b.at - a.at);
  return edits.reduce((text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.at), source);
}

/** `export const publishedEvents … = [ … ]`, with or without a type annotation or `as const`. */
function catalogArray(sourceFile: TypeScript.SourceFile): TypeScript.ArrayLiteralExpression | undefined {
  const ts = typescript();
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      let init = declaration.initializer;
      while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
      if (ts.isIdentifier(declaration.name) && declaration.name.text === CATALOG_EXPORT && init) {
        return ts.isArrayLiteralExpression(init) ? init : undefined;
      }
    }
  }
  return undefined;
}
