/**
 * Documents a new endpoint in a service README. `section` is the rendered `templates/endpoint/README.md.hbs`: an
 * "Endpoints" section whose table holds the new endpoint's row. A README that has an Endpoints table gets that row
 * appended to its table; a README without an Endpoints section (a team rewrote it) gets the whole section appended.
 * Column alignment is left to prettier, which the generator runs on every file it writes.
 */
export function addEndpointToReadme(readme: string, section: string): string {
  const row = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .at(-1);
  if (!row) throw new Error('templates/endpoint/README.md.hbs must end its Endpoints section with a table row.');

  const lines = readme.split('\n');
  const heading = lines.findIndex((line) => /^##\s+Endpoints\s*$/i.test(line));
  if (heading === -1) {
    const before = readme.replace(/\s*$/, '');
    return `${before ? `${before}\n\n` : ''}${section.replace(/\n*$/, '')}\n`;
  }

  const nextHeading = lines.findIndex((line, index) => index > heading && /^#{1,2}\s/.test(line));
  const end = nextHeading === -1 ? lines.length : nextHeading;
  const tableStart = lines.findIndex((line, index) => index > heading && index < end && line.startsWith('|'));
  if (tableStart === -1) {
    // A section without a table: put the template's table (header and row) right under the heading.
    const table = section.split('\n').filter((line) => line.startsWith('|'));
    lines.splice(heading + 1, 0, '', ...table);
    return lines.join('\n');
  }
  let tableEnd = tableStart;
  while (tableEnd + 1 < end && lines[tableEnd + 1]?.startsWith('|')) tableEnd++;
  lines.splice(tableEnd + 1, 0, row);
  return lines.join('\n');
}
