/**
 * A real git repository shaped like a platform workspace, for the upgrade specs: a small service template with
 * successive revisions committed one by one, services rendered from its first revision (with their provenance), and
 * the files the upgrade reads at a commit (platform version, generator schema, root package.json, teams registry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { renderTemplate, type Answers } from '@musiccorp/core/render';
import { formatJson } from '@musiccorp/core/json-format';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { TEAMS_FILE, TEAMS_SCHEMA_FILE } from '@musiccorp/core/teams';
import { WORKSPACE_ROOT } from '../utils/testing';

export type Files = Record<string, string>;

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** Revision 1 of templates/fixture-service: a chassis file, a few team-owned files, a README with two sections. */
export const REVISION_1: Files = {
  'template.json': JSON.stringify({ name: 'service', teamOwned: ['README.md', 'src/routes/**', 'notes/**'] }),
  'package.json.hbs': lines('{', '  "name": "@musiccorp/{{name}}",', '  "dependencies": { "fastify": "5.12.8" }', '}'),
  'README.md.hbs': lines(
    '# {{name}}',
    '',
    '{{description}}',
    '',
    'Owner: {{teamHandle}}',
    '',
    '## Endpoints',
    '',
    '- GET /health/live',
    '- GET /health/ready',
    '',
    '## Configuration',
    '',
    '- PORT (default {{port}})',
    '- LOG_LEVEL (default info)',
  ),
  'src/chassis/logger.ts': lines(
    '// logger, revision 1',
    'export const level = "info";',
    'export const format = "json";',
  ),
  'src/chassis/legacy.ts': lines('export const legacy = true;'),
  'src/routes/index.ts': lines(
    "import { items } from './items';",
    '',
    'export const routes = [items];',
    '',
    '// first section',
    'export const first = 1;',
    '',
    '',
    '',
    '// second section',
    'export const second = 2;',
  ),
  'src/routes/obsolete.ts': lines('export const obsolete = 1;'),
  'notes/old-name.md': lines(
    '# Notes',
    '',
    'Line one of the notes.',
    'Line two of the notes.',
    'Line three of the notes.',
    'Line four of the notes.',
    'Line five of the notes.',
    'Line six of the notes.',
  ),
};

/** The platform files beside the template, at revision 1. */
export const PLATFORM_1: Files = {
  'package.json': lines('{', '  "name": "fixture-platform",', '  "dependencies": { "fastify": "5.12.8" }', '}'),
  'nx.json': '{}\n',
  'tools/core/package.json': JSON.stringify({ name: '@musiccorp/core', version: '1.0.0' }),
  'generators/src/service/schema.json': JSON.stringify({
    properties: { name: {}, team: {}, port: {}, description: {} },
  }),
  [TEAMS_FILE]: teamsJson(['platform', 'catalog', 'fulfilment']),
  [TEAMS_SCHEMA_FILE]: readFileSync(join(WORKSPACE_ROOT, TEAMS_SCHEMA_FILE), 'utf8'),
};

export interface FixtureService {
  name: string;
  team: string;
  port: number;
}

export interface Fixture {
  repo: GitRepo;
  /** A Tree over the repository, as `nx g` has it: reads the disk, holds the generator's writes until flushed. */
  tree(): FsTree;
  /** Writes template files (paths inside templates/service; null deletes) and commits them; returns the sha. */
  reviseTemplate(message: string, files: Record<string, string | null>, platform?: Files): string;
  /** Renders a service from the template as committed now, with its project.json and provenance, and commits it. */
  addServices(services: FixtureService[], templateCommit: string): void;
  read(path: string): string | null;
}

export function answersOf(service: FixtureService): Answers {
  return {
    name: service.name,
    team: service.team,
    teamHandle: `@musiccorp/${service.team}`,
    port: service.port,
    description: `The ${service.name} service.`,
  };
}

export function createFixture(): Fixture {
  const repo = createGitRepo({ ...PLATFORM_1, ...prefixed(REVISION_1) }, 'upgrade-');
  repo.commit('templates/service: revision 1');
  const read = (path: string) => {
    try {
      return readFileSync(join(repo.root, path), 'utf8');
    } catch {
      return null;
    }
  };
  return {
    repo,
    tree: () => new FsTree(repo.root, false),
    read,
    reviseTemplate(message, files, platform = {}) {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) repo.remove(`templates/service/${path}`);
        else repo.write({ [`templates/service/${path}`]: content });
      }
      repo.write(platform);
      return repo.commit(message);
    },
    addServices(services, templateCommit) {
      const version = (JSON.parse(read('tools/core/package.json') ?? '{}') as { version: string }).version;
      for (const service of services) {
        const root = `services/${service.name}`;
        const answers = answersOf(service);
        for (const file of renderTemplate(
          'service',
          { ...answers, platformVersion: version },
          join(repo.root, 'templates'),
        ))
          repo.write({ [`${root}/${file.path}`]: file.content.toString('utf8') });
        const provenance: Provenance = {
          template: 'service',
          platformVersion: version,
          platformCommit: templateCommit,
          templatesModified: false,
          answers,
        };
        repo.write({
          [`${root}/${PROVENANCE_FILE}`]: formatJson(provenance),
          [`${root}/project.json`]: formatJson({
            name: service.name,
            root,
            projectType: 'application',
            tags: ['type:service', `team:${service.team}`],
          }),
        });
      }
      repo.commit(`services: ${services.map((service) => service.name).join(', ')}`);
    },
  };
}

function prefixed(files: Files): Files {
  return Object.fromEntries(Object.entries(files).map(([path, content]) => [`templates/service/${path}`, content]));
}
