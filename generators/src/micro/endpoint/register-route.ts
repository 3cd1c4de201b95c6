import type * as TypeScript from 'typescript';
import { parseSource, typescript } from '../typescript';

export const ROUTES_EXPORT = 'routes';

/** The local names `src/routes/index.ts` imports: a new route module must not reuse one. */
export function importedNames(source: string): string[] {
  const ts = typescript();
  return parseSource('index.ts', source).statements.flatMap((statement) => {
    const clause = ts.isImportDeclaration(statement) ? statement.importClause : undefined;
    const bindings = clause?.namedBindings;
    return [
      ...(clause?.name ? [clause.name.text] : []),
      ...(bindings && ts.isNamedImports(bindings) ? bindings.elements.map((element) => element.name.text) : []),
      ...(bindings && ts.isNamespaceImport(bindings) ? [bindings.name.text] : []),
    ];
  });
}

/**
 * Adds one route module to `src/routes/index.ts` in the file's own style: an import after the last import (same
 * quotes), and an `await app.register(plugin);` after the last register call (same indentation and receiver), or as
 * the first statement of the `routes` plugin when it registers nothing yet. Throws, naming the fix, when the file has
 * no `routes` plugin to add to.
 */
export function registerRoute(source: string, plugin: string, moduleSpecifier: string, file: string): string {
  const ts = typescript();
  const sourceFile = parseSource(file, source);
  const imports = sourceFile.statements.filter(ts.isImportDeclaration);
  const lastImport = imports.at(-1);
  const quote = lastImport?.moduleSpecifier.getText().startsWith('"') ? '"' : "'";
  const importLine = `import { ${plugin} } from ${quote}${moduleSpecifier}${quote};`;

  const registration = registrationPoint(sourceFile);
  if (!registration) {
    throw new Error(
      `${file} has no \`export const ${ROUTES_EXPORT}: FastifyPluginAsync = async (app) => { … }\` to register the route in. Restore that plugin (see templates/service/src/routes/index.ts), then run the command again.`,
    );
  }
  const registerLine = `await ${registration.receiver}.register(${plugin});`;

  // Insert from the end of the file backwards, so the earlier offset stays valid.
  const edits = [
    { at: registration.at, text: `\n${registration.indent}${registerLine}` },
    lastImport ? { at: lastImport.getEnd(), text: `\n${importLine}` } : { at: 0, text: `${importLine}\n` },
  ].sort((a, b) => b.at - a.at);
  return edits.reduce((text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.at), source);
}

interface RegistrationPoint {
  /** Offset to insert the new line after. */
  at: number;
  indent: string;
  /** The plugin's Fastify instance parameter (`app`). */
  receiver: string;
}

function registrationPoint(sourceFile: TypeScript.SourceFile): RegistrationPoint | undefined {
  const ts = typescript();
  const plugin = routesPlugin(sourceFile);
  if (!plugin || !ts.isBlock(plugin.body)) return undefined;
  const parameter = plugin.parameters[0]?.name;
  const receiver = parameter && ts.isIdentifier(parameter) ? parameter.text : undefined;
  if (!receiver) return undefined;

  const registers = plugin.body.statements.filter(
    (statement) =>
      ts.isExpressionStatement(statement) &&
      ts.isAwaitExpression(statement.expression) &&
      ts.isCallExpression(statement.expression.expression) &&
      ts.isPropertyAccessExpression(statement.expression.expression.expression) &&
      statement.expression.expression.expression.name.text === 'register',
  );
  const last = registers.at(-1);
  if (last) return { at: last.getEnd(), indent: indentOf(sourceFile, last), receiver };
  // No register call yet: first statement of the body, indented one step (2 spaces) deeper than the declaration.
  return { at: plugin.body.getStart() + 1, indent: `${indentOf(sourceFile, plugin.body)}  `, receiver };
}

/** `export const routes = async (app) => { … }` (arrow or function expression). */
function routesPlugin(
  sourceFile: TypeScript.SourceFile,
): TypeScript.ArrowFunction | TypeScript.FunctionExpression | undefined {
  const ts = typescript();
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (
        ts.isIdentifier(declaration.name) &&
        declaration.name.text === ROUTES_EXPORT &&
        init &&
        (ts.isArrowFunction(init) || ts.isFunctionExpression(init))
      ) {
        return init;
      }
    }
  }
  return undefined;
}

/** The whitespace before the first token on the line where `node` starts. */
function indentOf(sourceFile: TypeScript.SourceFile, node: TypeScript.Node): string {
  const { line } = sourceFile.getLineAndCharacterOfPosition(node.getStart());
  const lineStart = sourceFile.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(sourceFile.text.slice(lineStart))?.[0] ?? '';
}
