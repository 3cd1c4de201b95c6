import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  compileTemplate,
  readManifest,
  renderedPath,
  renderedPaths,
  renderString,
  renderTemplate,
  TemplateError,
} from './render';
import { caseHelpers, markdownText } from './render-helpers';

let root: string;
const write = (path: string, content: string | Buffer) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'render-'));
  write('demo/template.json', JSON.stringify({ name: 'demo', teamOwned: ['src/routes/**'] }));
  write('_partials/owner.hbs', 'Owner: {{teamHandle}}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('renderTemplate', () => {
  it('renders .hbs files, copies others byte for byte, substitutes __answer__ in paths, sorted', () => {
    write('demo/README.md.hbs', '# {{titleCase name}}\n{{> owner}}\n');
    write('demo/src/__name__.ts', 'export const x = {{not rendered}};\n');
    write('demo/bin/logo.png', Buffer.from([0, 255, 1, 254]));

    const files = renderTemplate('demo', { name: 'order-processor', teamHandle: '@musiccorp/fulfilment' }, root);

    expect(files.map((file) => file.path)).toEqual(['README.md', 'bin/logo.png', 'src/order-processor.ts']);
    expect(files[0]!.content.toString()).toBe('# Order Processor\nOwner: @musiccorp/fulfilment\n');
    expect(files[1]!.content).toEqual(Buffer.from([0, 255, 1, 254]));
    expect(files[2]!.content.toString()).toBe('export const x = {{not rendered}};\n');
  });

  it('fails on an answer the template needs but was not given, naming file and answer', () => {
    write('demo/a.txt.hbs', '{{port}}');
    expect(() => renderTemplate('demo', { name: 'x' }, root)).toThrow(/Cannot render a\.txt\.hbs: "port" not defined/);
    write('demo/__team__.txt', '');
    expect(() => renderTemplate('demo', { name: 'x', port: 1 }, root)).toThrow(/needs the answer "team"/);
  });

  it('does not HTML-escape (templates are code and config, not HTML)', () => {
    expect(renderString('{{description}}', { description: 'a <b> & "c"' })).toBe('a <b> & "c"');
  });

  it('renders lists and records derived from the answers, but only strings and numbers in file names', () => {
    write('demo/__file__.ts.hbs', '{{#each params}}{{name}}{{#unless @last}}, {{/unless}}{{/each}}');
    const data = { file: 'get-album', params: [{ name: 'artistId' }, { name: 'albumId' }] };
    expect(renderTemplate('demo', data, root)[0]).toEqual({
      path: 'get-album.ts',
      content: Buffer.from('artistId, albumId'),
    });
    expect(() => renderTemplate('demo', { ...data, file: ['a'] }, root)).toThrow(
      /needs "file" to be a string or number/,
    );
  });

  it('leaves out node_modules folders, which a test run inside the template leaves and git ignores', () => {
    write('demo/src/main.ts', '');
    write('demo/node_modules/.vite/vitest/results.json', '{}');
    write('demo/src/node_modules/x/index.js', '');
    expect(renderedPaths('demo', {}, root)).toEqual(['src/main.ts']);
    expect(renderTemplate('demo', {}, root).map((file) => file.path)).toEqual(['src/main.ts']);
  });

  it('lists the paths a render would write without rendering contents, so only the answers in file names matter', () => {
    write('demo/README.md.hbs', '{{needs.an.answer}}\n');
    write('demo/src/__name__.ts', '');
    const answers = { name: 'order-processor' };
    expect(renderedPaths('demo', answers, root)).toEqual(['README.md', 'src/order-processor.ts']);
    expect(renderedPath('docs/__name__.md.hbs', answers)).toBe('docs/order-processor.md');
    expect(() => renderTemplate('demo', answers, root)).toThrow(/Cannot render README\.md\.hbs/);
    expect(() => renderedPaths('demo', {}, root)).toThrow(/needs the answer "name"/);
    expect(() => renderedPaths('nope', answers, root)).toThrow(/Template "nope" not found/);
  });

  it('names the fix for a missing template or a bad manifest', () => {
    expect(() => readManifest('nope', root)).toThrow(TemplateError);
    expect(() => readManifest('nope', root)).toThrow(/Template "nope" not found/);
    write('bad/template.json', '{"name": "other"}');
    expect(() => readManifest('bad', root)).toThrow(/must have "name": "bad" and a "teamOwned" array/);
  });

  it('reads the manifest', () => {
    expect(readManifest('demo', root)).toEqual({ name: 'demo', description: '', teamOwned: ['src/routes/**'] });
  });
});

describe('compileTemplate', () => {
  it('reads and compiles the template once, then renders what renderTemplate renders for each answer set', () => {
    write('demo/README.md.hbs', '# {{titleCase name}}\n{{> owner}}\n');
    write('demo/src/__name__.ts', 'export const x = 1;\n');
    const compiled = compileTemplate('demo', root);
    const answers = [
      { name: 'order-processor', teamHandle: '@musiccorp/fulfilment' },
      { name: 'catalog', teamHandle: '@musiccorp/catalog' },
    ];
    const expected = answers.map((each) => renderTemplate('demo', each, root));

    write('demo/README.md.hbs', 'changed on disk after compiling\n');
    rmSync(join(root, 'demo', 'src'), { recursive: true });
    expect(compiled.manifest.teamOwned).toEqual(['src/routes/**']);
    expect(answers.map((each) => compiled.render(each))).toEqual(expected);
    expect(expected[1]!.map((file) => file.path)).toEqual(['README.md', 'src/catalog.ts']);
    expect(() => compiled.render({ name: 'x' })).toThrow(/Cannot render README\.md\.hbs: "teamHandle" not defined/);
  });
});

describe('case helpers', () => {
  it.each([
    ['order-processor', 'order-processor', 'orderProcessor', 'OrderProcessor', 'ORDER_PROCESSOR', 'Order Processor'],
    ['orderProcessor', 'order-processor', 'orderProcessor', 'OrderProcessor', 'ORDER_PROCESSOR', 'Order Processor'],
    ['catalog', 'catalog', 'catalog', 'Catalog', 'CATALOG', 'Catalog'],
    ['v2-api', 'v2-api', 'v2Api', 'V2Api', 'V2_API', 'V2 Api'],
  ])('%s', (input, kebab, camel, pascal, constant, title) => {
    expect(caseHelpers.kebabCase(input)).toBe(kebab);
    expect(caseHelpers.camelCase(input)).toBe(camel);
    expect(caseHelpers.pascalCase(input)).toBe(pascal);
    expect(caseHelpers.constantCase(input)).toBe(constant);
    expect(caseHelpers.titleCase(input)).toBe(title);
  });
});

describe('markdownText', () => {
  it.each([
    ['<script>alert(1)</script>', '\\<script\\>alert(1)\\</script\\>'],
    ['*bold* _it_ `code` ~del~ $x$', '\\*bold\\* \\_it\\_ \\`code\\` \\~del\\~ \\$x\\$'],
    ['a | b & &amp; [link](http://x) \\', 'a \\| b \\& \\&amp; \\[link\\](http://x) \\\\'],
    ['# heading', '\\# heading'],
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['> quote', '\\> quote'],
    ['1. item', '1\\. item'],
    ['12) item', '12\\) item'],
    ['Sells music. Fast-moving, 24/7: yes!', 'Sells music. Fast-moving, 24/7: yes!'],
  ])('%s', (text, markdown) => {
    expect(markdownText(text)).toBe(markdown);
    expect(renderString('{{markdownText text}}', { text })).toBe(markdown);
  });
});
