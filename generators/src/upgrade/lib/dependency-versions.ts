import type { RenderedFile } from '@musiccorp/core/render';
import { fileAt } from './platform-at';

type Manifest = { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/**
 * A service's package.json is platform-owned and takes the new render, so its dependency versions are the template's
 * at --to; the single version policy says they are the root package.json's. Each one that is not (a template that
 * lags the root) is named, so the platform fixes the template rather than the team the service.
 */
export function dependencyVersionMismatches(
  root: string,
  commit: string,
  rendered: readonly RenderedFile[],
  template: string,
): string[] {
  const service = rendered.find((file) => file.path === 'package.json');
  const rootText = fileAt(root, commit, 'package.json');
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
