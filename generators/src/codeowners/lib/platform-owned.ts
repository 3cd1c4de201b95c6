import { Minimatch } from 'minimatch';

/** template.json's globs are matched as the drift check matches them. */
const GLOB_OPTIONS = { dot: true } as const;

/**
 * The CODEOWNERS patterns, relative to a service's folder, that cover its platform-owned files: every file its
 * template renders (`rendered`) outside the template's `teamOwned` globs.
 *
 * A folder becomes one pattern (`src/chassis/`) when every file the template renders beneath it is platform-owned and
 * no `teamOwned` glob could match anything beneath it, so a file added there later is the platform's too; otherwise
 * each platform-owned file in it gets its own pattern. The service folder itself is never collapsed: its project.json
 * and template-provenance.json are not rendered, and stay the team's alone. Only patterns that match a file the
 * service has (`exists`) are returned, so every CODEOWNERS line matches something; sorted by code unit.
 */
export function platformOwnedPatterns(
  rendered: readonly string[],
  teamOwned: readonly string[],
  exists: (path: string) => boolean,
): string[] {
  // compiled once per call, not once per path: CODEOWNERS is rendered for hundreds of services at a time
  const fileGlobs = teamOwned.map((glob) => new Minimatch(glob, GLOB_OPTIONS));
  const folderGlobs = teamOwned.map((glob) => new Minimatch(glob, { ...GLOB_OPTIONS, partial: true }));
  const isTeamOwned = (path: string) => fileGlobs.some((glob) => glob.match(path));
  const mayHoldTeamOwned = (folder: string) => folderGlobs.some((glob) => glob.match(folder));

  const patterns: string[] = [];
  const visit = (folder: string, files: readonly string[]): void => {
    const beneath = new Map<string, string[]>();
    for (const file of files) {
      const rest = file.slice(folder.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        if (!isTeamOwned(file) && exists(file)) patterns.push(file);
        continue;
      }
      const child = `${folder}${rest.slice(0, slash)}/`;
      beneath.set(child, [...(beneath.get(child) ?? []), file]);
    }
    for (const [child, inside] of beneath) {
      const platformOnly = !mayHoldTeamOwned(child.slice(0, -1)) && !inside.some(isTeamOwned);
      if (!platformOnly) visit(child, inside);
      else if (inside.some(exists)) patterns.push(child);
    }
  };
  visit('', rendered);
  return patterns.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
