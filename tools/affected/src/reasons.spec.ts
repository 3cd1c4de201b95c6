import { describe, expect, it } from 'vitest';
import { Touches, assemble, type GraphLike } from './reasons';

// web → money (a library) → npm:decimal; api → npm:fastify → npm:light-my-request; tool has no dependencies.
const graph: GraphLike = {
  nodes: { web: { name: 'web' }, api: { name: 'api' }, money: { name: 'money' }, tool: { name: 'tool' } },
  externalNodes: {
    'npm:decimal': { name: 'npm:decimal' },
    'npm:fastify': { name: 'npm:fastify' },
    'npm:light-my-request': { name: 'npm:light-my-request' },
  },
  dependencies: {
    web: [{ target: 'money' }],
    money: [{ target: 'npm:decimal' }],
    api: [{ target: 'npm:fastify' }],
    'npm:fastify': [{ target: 'npm:light-my-request' }],
    tool: [],
  },
};
const texts = (result: Map<string, { text: string }[]>) =>
  Object.fromEntries([...result].map(([k, v]) => [k, v.map((r) => r.text)]));

describe('assemble', () => {
  it('reports own files, and dependencies with the path they come through', () => {
    const touches = new Touches();
    touches.add('money', {
      kind: 'file',
      text: 'libs/money/src/round.ts',
      files: ['libs/money/src/round.ts'],
      targets: ['build'],
    });
    touches.addNpm('npm:light-my-request', 'package-lock.json 6.8.1 → 6.8.2', 'package-lock.json');
    const result = assemble(graph, touches, () => ['build', 'test']);
    expect(texts(result)).toEqual({
      money: ['libs/money/src/round.ts'],
      web: ['dependency money (libs/money/src/round.ts)'],
      api: ['dependency npm:light-my-request (package-lock.json 6.8.1 → 6.8.2) via npm:fastify'],
    });
    expect(result.get('web')![0]).toMatchObject({ kind: 'dependency', targets: ['build', 'test'], via: [] });
    expect(result.get('api')![0]).toMatchObject({ kind: 'npm', targets: 'all', via: ['npm:fastify'] });
  });

  it('merges package.json and lockfile details of one package into one reason', () => {
    const touches = new Touches();
    touches.addNpm('npm:decimal', 'package.json dependencies.decimal 1.0.0 → 1.1.0', 'package.json');
    touches.addNpm('npm:decimal', 'package-lock.json 1.0.0 → 1.1.0', 'package-lock.json');
    expect(texts(assemble(graph, touches, () => 'all'))).toEqual({
      money: [
        'dependency npm:decimal (package.json dependencies.decimal 1.0.0 → 1.1.0; package-lock.json 1.0.0 → 1.1.0)',
      ],
      web: [
        'dependency npm:decimal (package.json dependencies.decimal 1.0.0 → 1.1.0; package-lock.json 1.0.0 → 1.1.0) via money',
      ],
    });
  });

  it('gives every project a change that affects everything, once, and prefers it over a root-input reason for the same file', () => {
    const touches = new Touches();
    const file = 'tsconfig.base.json';
    touches.addEverything({
      kind: 'everything',
      text: `${file} (compiler options changed: affects every project)`,
      files: [file],
      targets: 'all',
    });
    for (const p of ['web', 'api', 'money', 'tool'])
      touches.add(p, { kind: 'root-input', text: `${file} (root input of build)`, files: [file], targets: ['build'] });
    const result = texts(assemble(graph, touches, () => 'all'));
    expect(Object.keys(result).sort()).toEqual(['api', 'money', 'tool', 'web']);
    expect(result['web']).toEqual([`${file} (compiler options changed: affects every project)`]);
  });

  it('summarises many changed files of a dependency', () => {
    const touches = new Touches();
    for (const f of ['a', 'b', 'c', 'd', 'e'])
      touches.add('money', {
        kind: 'file',
        text: `libs/money/${f}.ts`,
        files: [`libs/money/${f}.ts`],
        targets: ['build'],
      });
    expect(texts(assemble(graph, touches, () => 'all'))['web']).toEqual([
      'dependency money (libs/money/a.ts, libs/money/b.ts, libs/money/c.ts +2 more)',
    ]);
  });

  it('affects nothing when nothing is touched', () => {
    expect(assemble(graph, new Touches(), () => 'all').size).toBe(0);
  });
});
