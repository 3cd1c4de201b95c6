import { describe, expect, it } from 'vitest';
import { addEndpointToReadme } from './endpoints-readme';

const section = [
  '## Endpoints',
  '',
  'Business endpoints.',
  '',
  '| Method | Path | Purpose |',
  '| ------ | ---- | ------- |',
  '| `GET` | `/albums/:albumId` | Get album |',
  '',
].join('\n');

describe('addEndpointToReadme', () => {
  it('appends the row to the Endpoints table, before what follows it', () => {
    const readme = [
      '# catalog',
      '',
      '## Endpoints',
      '',
      '| Method | Path | Purpose |',
      '| --- | --- | --- |',
      '| `POST` | `/items` | Sample |',
      '',
      'Every error answers …',
      '',
      '## Configuration',
      '',
      '| Variable | Default |',
      '| --- | --- |',
      '',
    ].join('\n');
    expect(addEndpointToReadme(readme, section)).toBe(
      readme.replace(
        '| `POST` | `/items` | Sample |\n',
        '| `POST` | `/items` | Sample |\n| `GET` | `/albums/:albumId` | Get album |\n',
      ),
    );
  });

  it('appends the whole section to a README that has none', () => {
    const readme = '# catalog\n\nOur own words.\n\n## Configuration\n\nNone.\n';
    expect(addEndpointToReadme(readme, section)).toBe(`${readme}\n${section}`);
    expect(addEndpointToReadme('', section)).toBe(section);
  });

  it('puts a table under an Endpoints heading that has none', () => {
    const readme = '# catalog\n\n## Endpoints\n\nSee the code.\n';
    expect(addEndpointToReadme(readme, section)).toBe(
      '# catalog\n\n## Endpoints\n\n| Method | Path | Purpose |\n| ------ | ---- | ------- |\n| `GET` | `/albums/:albumId` | Get album |\n\nSee the code.\n',
    );
  });
});
