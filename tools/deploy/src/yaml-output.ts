/**
 * Deterministic YAML: keys sorted (as `kubectl get -o yaml` prints them), no line folding, no timestamps, so the same
 * objects always give the same bytes. Written as YAML 1.1 because kubectl and kustomize (go-yaml) read 1.1, where an
 * unquoted `on`, `yes` or `0755` is not a string; every file is read back under 1.1 and 1.2 to prove it round-trips.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, stringify } from 'yaml';

export function toYaml(object: unknown, header: string[] = []): string {
  // No anchors/aliases for objects used twice (labels on the pod and the Deployment): each file reads on its own.
  const body = stringify(object, { version: '1.1', sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
  const expected: unknown = JSON.parse(JSON.stringify(object));
  for (const version of ['1.1', '1.2'] as const) {
    if (!isDeepStrictEqual(parse(body, { version }), expected))
      throw new Error(`YAML output does not read back as the same object under YAML ${version}:\n${body}`);
  }
  return `${header.map((line) => `# ${line}\n`).join('')}${body}`;
}
