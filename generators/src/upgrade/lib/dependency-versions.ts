import type { RenderedFile } from '@musiccorp/core/render';

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/**
 * A service's package.json is platform-owned and takes the new render, so its dependency versions are the template's
 * at --to; the single version policy says they are the root package.json's. Each one that is not (a template that
 * lags the root) is named, so the platform fixes the template rather than the team the service. `rootText` is the
 * root package.json at `commit` (null when it has none), read once per run by the caller.
 */
export function dependencyVersionMismatches(
  rootText: string | null,
  commit: string,
  rendered: readonly RenderedFile[],
  template: string,
): string[] {
  const service = rendered.find((file) => file.path === 'package.json');
  if (!service || rootText === null) return [];
  const rootManifest = JSON.parse(rootText) as Manifest;
  const rootVersions = { ...rootManifest.devDependencies, ...rootManifest.dependencies };
  const serviceManifest = JSON.parse(service.content.toString('utf8')) as Manifest;
  return Object.entries({ ...serviceManifest.devDependencies, ...serviceManifest.dependencies }).flatMap(
    ([name, version]) => {
      const wanted = rootVersions[name];
      return wanted === undefined || wanted === version
        ? []
        : [
            `package.json: templates/${template} at ${commit.slice(0, 7)} pins ${name} ${version}, the root package.json ${wanted}; the service gets the template's (platform-owned). Fix the template, then upgrade again.`,
          ];
    },
  );
}
