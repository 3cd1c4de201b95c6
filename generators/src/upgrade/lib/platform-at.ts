/**
 * What the platform looked like at a commit, read from git objects (never the working tree): its version, its
 * generator's schema, and what happened to a template between two commits.
 */
import { git, tryGit } from '@musiccorp/core/git';
import { renderedPath, type Answers } from '@musiccorp/core/render';

/** The platform version is @musiccorp/core's (PLATFORM_VERSION in tools/core/src/provenance.ts). */
export const PLATFORM_VERSION_FILE = 'tools/core/package.json';

/** A commit that changed the template, as `git log --format='%h %s'` prints it. */
export interface TemplateCommit {
  sha: string;
  subject: string;
}

/** The content of `path` at `commit`, or null when that commit has no such file. */
export function fileAt(root: string, commit: string, path: string): string | null {
  return tryGit(root, ['cat-file', 'blob', `${commit}:${path}`]) ?? null;
}

export function platformVersionAt(root: string, commit: string): string {
  const text = fileAt(root, commit, PLATFORM_VERSION_FILE);
  const version = text === null ? undefined : (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string')
    throw new Error(
      `${PLATFORM_VERSION_FILE} at ${commit.slice(0, 7)} has no "version": the platform version of that commit is unknown. Upgrade to a commit of the platform (one with ${PLATFORM_VERSION_FILE}).`,
    );
  return version;
}

/** The options the template's generator declares at `commit` (generators/src/<template>/schema.json), with defaults. */
export interface GeneratorSchema {
  path: string;
  properties: ReadonlySet<string>;
  defaults: Readonly<Answers>;
}

export function generatorSchemaAt(root: string, commit: string, template: string): GeneratorSchema {
  const path = `generators/src/${template}/schema.json`;
  const text = fileAt(root, commit, path);
  const properties = text === null ? {} : ((JSON.parse(text) as { properties?: object }).properties ?? {});
  const defaults = Object.fromEntries(
    Object.entries(properties as Record<string, { default?: unknown }>).flatMap(([name, property]) =>
      ['string', 'number', 'boolean'].includes(typeof property.default)
        ? [[name, property.default as string | number | boolean]]
        : [],
    ),
  );
  return { path, properties: new Set(Object.keys(properties)), defaults };
}

/** Where a template's files and partials live: what counts as a change of the template. */
export const templatePaths = (template: string) => [`templates/${template}`, 'templates/_partials'];

/** The commits between `from` (excluded) and `to` that changed the template, newest first. */
export function templateCommits(root: string, template: string, from: string, to: string): TemplateCommit[] {
  return git(root, ['log', '--format=%h %s', `${from}..${to}`, '--', ...templatePaths(template)])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(' ');
      return { sha: line.slice(0, space), subject: line.slice(space + 1) };
    });
}

/** The template's renamed files between two commits (`git diff -M`), as paths inside the template folder. */
export function templateRenames(root: string, template: string, from: string, to: string): Array<[string, string]> {
  const prefix = `templates/${template}/`;
  const fields = git(root, ['diff', '-M', '--name-status', '-z', from, to, '--', `templates/${template}`]).split('\0');
  const renames: Array<[string, string]> = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] ?? '';
    if (status === '') continue;
    if (!status.startsWith('R')) {
      i++;
      continue;
    }
    const [oldPath = '', newPath = ''] = [fields[i++], fields[i++]];
    if (oldPath.startsWith(prefix) && newPath.startsWith(prefix))
      renames.push([oldPath.slice(prefix.length), newPath.slice(prefix.length)]);
  }
  return renames;
}

/** Template renames as the rendered paths of a service: each side through its own answers. */
export function renderedRenames(
  renames: ReadonlyArray<[string, string]>,
  oldAnswers: Answers,
  newAnswers: Answers,
): Map<string, string> {
  return new Map(renames.map(([from, to]) => [renderedPath(from, oldAnswers), renderedPath(to, newAnswers)]));
}
