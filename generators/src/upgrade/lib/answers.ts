import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import Handlebars from 'handlebars';
import { templateDir, type Answers } from '@musiccorp/core/render';
import type { GeneratorSchema } from './platform-at';

export interface MigratedAnswers {
  answers: Answers;
  /** Options the newer generator declares with a default that the service never answered: given that default. */
  added: string[];
  /** Recorded answers the newer template no longer reads and its generator no longer declares. */
  dropped: string[];
}

/**
 * The recorded answers carried to a newer template: an option its generator's schema.json declares with a `default`
 * and the service never answered gets that default (as `nx g` would have given it); a recorded answer neither that
 * schema declares nor the template reads any more is dropped. Derived answers (teamHandle, from the team) are
 * recorded too and kept as long as the template reads them.
 */
export function migrateAnswers(recorded: Answers, schema: GeneratorSchema, read: ReadonlySet<string>): MigratedAnswers {
  const dropped = Object.keys(recorded).filter((name) => !schema.properties.has(name) && !read.has(name));
  const defaults = Object.entries(schema.defaults).filter(([name]) => !(name in recorded));
  const kept = Object.entries(recorded).filter(([name]) => !dropped.includes(name));
  return { answers: Object.fromEntries([...kept, ...defaults]), added: defaults.map(([name]) => name), dropped };
}

/**
 * Every name a template may read: the first segment of each path its handlebars files and partials mention
 * (`{{name}}`, `{{json description}}`, `{{#if port}}`), and each `__answer__` of its file names. Helper and partial
 * names are among them; that only keeps an answer that happens to share one.
 */
export function namesReadBy(template: string, templatesRoot: string): Set<string> {
  const names = new Set<string>();
  const collect = class extends Handlebars.Visitor {
    override PathExpression(path: hbs.AST.PathExpression): void {
      if (!path.data && path.parts[0]) names.add(path.parts[0]);
    }
  };
  const dir = templateDir(template, templatesRoot);
  for (const file of [...filesIn(dir), ...filesIn(join(templatesRoot, '_partials')).map((f) => `../_partials/${f}`)]) {
    for (const [, name = ''] of file.matchAll(/__([a-zA-Z][a-zA-Z0-9]*)__/g)) names.add(name);
    if (file.endsWith('.hbs')) new collect().accept(Handlebars.parse(readFileSync(join(dir, file), 'utf8')));
  }
  return names;
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'));
  } catch {
    return [];
  }
}
