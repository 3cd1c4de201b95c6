/**
 * A service name is at once a folder, an Nx project, an npm package (`@musiccorp/<name>`), a Kubernetes object name
 * (DNS-1123 label, and DNS-1035 for Services: must start with a letter) and a prefix of generated names such as pods.
 */
import { suggestName } from '../../utils/names';
import { hasHiddenCharacters, quote } from '../../utils/quote';

export const MAX_NAME_LENGTH = 40;

/** Names that would collide with the workspace layout, tooling, Kubernetes namespaces, Windows devices or JS keywords. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  // workspace layout and tooling
  'services',
  'service',
  'generators',
  'templates',
  'platform',
  'tools',
  'bench',
  'e2e',
  'dist',
  'deploy',
  'src',
  'test',
  'tests',
  'node-modules',
  'nx',
  'npm',
  'node',
  'workspace',
  'root',
  'default',
  'shared',
  'common',
  'lib',
  'libs',
  // Kubernetes
  'kubernetes',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  // Windows device names (a folder that cannot be checked out on Windows)
  'con',
  'prn',
  'aux',
  'nul',
  ...Array.from({ length: 9 }, (_, i) => `com${i + 1}`),
  ...Array.from({ length: 9 }, (_, i) => `lpt${i + 1}`),
  // JavaScript reserved words (the name also becomes identifiers in generated code)
  'break',
  'case',
  'catch',
  'class',
  'const',
  'continue',
  'debugger',
  'delete',
  'do',
  'else',
  'enum',
  'export',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'import',
  'in',
  'instanceof',
  'new',
  'null',
  'return',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  'let',
  'static',
  'implements',
  'interface',
  'package',
  'private',
  'protected',
  'public',
  'await',
  'undefined',
]);

/** Why `name` cannot be a service name, with the fix, or undefined when it can. Never trims: a refusal shows it escaped. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') {
    return 'A service name is required, e.g. `nx g @musiccorp/generators:service order-processor --team=fulfilment`.';
  }
  const shown = quote(name);
  const suggestion = suggestName(name, MAX_NAME_LENGTH);
  const tryInstead = suggestion && suggestion !== name ? ` Try "${suggestion}".` : '';
  if (hasHiddenCharacters(name)) {
    return `Service name ${shown} has whitespace or invisible characters (shown escaped); a name is never trimmed, so remove them.${tryInstead}`;
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `Service name ${shown} is ${name.length} characters; use at most ${MAX_NAME_LENGTH} (Kubernetes adds suffixes to it).`;
  }
  if (/[A-Z]/.test(name)) return `Service name ${shown} has uppercase letters; use lowercase only.${tryInstead}`;
  if (/[^a-z0-9-]/.test(name)) {
    return `Service name ${shown} may only contain lowercase letters, digits and hyphens (a DNS-1123 label).${tryInstead}`;
  }
  if (!/^[a-z]/.test(name)) return `Service name ${shown} must start with a letter.${tryInstead}`;
  if (name.endsWith('-')) return `Service name ${shown} must not end with a hyphen.${tryInstead}`;
  if (name.includes('--')) return `Service name ${shown} must not contain "--"; use single hyphens.${tryInstead}`;
  if (RESERVED_NAMES.has(name))
    return `${shown} is reserved; choose a name that says what the service does (e.g. "${name}-api" is not reserved).`;
  return undefined;
}
