import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { workspaceRoot } from '@nx/devkit';
import { registerHelpers } from './render-helpers';

/**
 * The one render module behind every front end (Nx generators, plop, yeoman).
 *
 * Template rules:
 * - a file ending in `.hbs` is rendered with handlebars (strict: a missing answer is an error) and loses the suffix;
 *   every other file is copied byte for byte, so TypeScript full of `{{` never needs escaping;
 * - `__answer__` in a file or folder name is replaced by that answer (`__name__.ts` → `catalog.ts`);
 * - `templates/_partials/*.hbs` are registered as partials, usable as `{{> name}}`;
 * - `template.json` at the template root is the manifest (never rendered);
 * - a `node_modules` folder is never part of a template (a test run inside the template folder leaves one, as git
 *   ignores it, so renders from disk and from git agree).
 */

/** The workspace's own templates: a per-team workspace carries its copy beside its copy of this plugin. */
export const TEMPLATES_ROOT = join(workspaceRoot, 'templates');
export const MANIFEST_FILE = 'template.json';

export type Answers = Record<string, string | number | boolean>;

/**
 * What a template may use: the answers plus values derived from them (lists, records), which micro-generators need
 * for repeated blocks (`{{#each params}}`) and which are never recorded as answers.
 */
export type TemplateValue =
  string | number | boolean | readonly TemplateValue[] | { readonly [key: string]: TemplateValue };
export type TemplateData = Readonly<Record<string, TemplateValue>>;

export interface RenderedFile {
  /** POSIX path relative to the destination folder. */
  path: string;
  content: Buffer;
}

export interface TemplateManifest {
  name: string;
  description: string;
  /** Globs (relative to the rendered folder) of files the owning team may change after generation. */
  teamOwned: string[];
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function templateDir(template: string, root = TEMPLATES_ROOT): string {
  return join(root, template);
}

export function readManifest(template: string, root = TEMPLATES_ROOT): TemplateManifest {
  const file = join(templateDir(template, root), MANIFEST_FILE);
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new TemplateError(`Template "${template}" not found: expected ${file}. List templates with: ls ${root}`);
  }
  const manifest = JSON.parse(raw) as Partial<TemplateManifest>;
  if (manifest.name !== template || !Array.isArray(manifest.teamOwned)) {
    throw new TemplateError(`${file} must have "name": "${template}" and a "teamOwned" array of globs.`);
  }
  return { description: '', ...manifest } as TemplateManifest;
}

/** A handlebars environment of its own, so helpers never leak into (or from) plop's or anyone else's. */
export function createEnvironment(root = TEMPLATES_ROOT): typeof Handlebars {
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const partials = join(root, '_partials');
  for (const file of listFiles(partials)) {
    if (file.endsWith('.hbs'))
      hbs.registerPartial(file.slice(0, -'.hbs'.length), readFileSync(join(partials, file), 'utf8'));
  }
  return hbs;
}

/** Renders every file of a template, in a stable (sorted) order. Pure: writes nothing. */
export function renderTemplate(template: string, answers: TemplateData, root = TEMPLATES_ROOT): RenderedFile[] {
  return compileTemplate(template, root).render(answers);
}

/** A template read from disk and compiled once, rendered for any number of answers. */
export interface CompiledTemplate {
  manifest: TemplateManifest;
  /** What renderTemplate returns for these answers. */
  render(answers: TemplateData): RenderedFile[];
}

/**
 * Reads a template's files and compiles its `.hbs` files once: a run over hundreds of services (an upgrade, a report
 * of what one would change) renders each template revision per service without reading or compiling it again.
 */
export function compileTemplate(template: string, root = TEMPLATES_ROOT): CompiledTemplate {
  const dir = templateDir(template, root);
  const manifest = readManifest(template, root);
  const hbs = createEnvironment(root);
  const files = listFiles(dir)
    .filter((file) => file !== MANIFEST_FILE)
    .map((file) => compileFile(hbs, file, readFileSync(join(dir, file))));
  return { manifest, render: (answers) => files.map((render) => render(answers)) };
}

/**
 * The paths `renderTemplate` would write, in the same order, without rendering any content: what a folder rendered
 * from the template holds (its ownership, say) needs only the answers that appear in file names.
 */
export function renderedPaths(template: string, answers: TemplateData, root = TEMPLATES_ROOT): string[] {
  readManifest(template, root);
  return listFiles(templateDir(template, root))
    .filter((file) => file !== MANIFEST_FILE)
    .map((file) => renderedPath(file, answers));
}

/** Strict: a missing answer is an error. No HTML escaping: templates are code and config. */
const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

export function renderString(
  source: string,
  answers: TemplateData,
  hbs: typeof Handlebars = createEnvironment(),
): string {
  return hbs.compile(source, COMPILE_OPTIONS)(answers);
}

function compileFile(hbs: typeof Handlebars, file: string, source: Buffer): (answers: TemplateData) => RenderedFile {
  if (!file.endsWith('.hbs')) return (answers) => ({ path: renderedPath(file, answers), content: source });
  const render = hbs.compile(source.toString('utf8'), COMPILE_OPTIONS);
  return (answers) => {
    const path = renderedPath(file, answers);
    try {
      return { path, content: Buffer.from(render(answers)) };
    } catch (error) {
      throw new TemplateError(`Cannot render ${file}: ${(error as Error).message}`);
    }
  };
}

/** Where the template file `file` (relative to its template folder) lands: `.hbs` dropped, `__answer__` substituted. */
export function renderedPath(file: string, answers: TemplateData): string {
  return substitutePath(file.endsWith('.hbs') ? file.slice(0, -'.hbs'.length) : file, answers);
}

function substitutePath(file: string, answers: TemplateData): string {
  return file.replace(/__([a-zA-Z][a-zA-Z0-9]*)__/g, (_, key: string) => {
    const value = answers[key];
    if (value === undefined)
      throw new TemplateError(`File name "${file}" needs the answer "${key}", which was not given.`);
    if (typeof value === 'object')
      throw new TemplateError(`File name "${file}" needs "${key}" to be a string or number, not a list or record.`);
    return String(value);
  });
}

/** Recursive, sorted, POSIX-relative file list (empty when the folder does not exist). */
function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => !entry.split(sep).includes('node_modules') && statSync(join(dir, entry)).isFile())
    .map((entry) => relative(dir, join(dir, entry)).split(sep).join(posix.sep))
    .sort();
}
