import { getProjects, type Tree } from '@nx/devkit';
import { SERVICE_TAG } from './service-layout';

export { SERVICES_DIR, SERVICE_TAG } from './service-layout';

export interface ServiceInfo {
  name: string;
  root: string;
  team: string | undefined;
  port: number | undefined;
}

/** Every project tagged `type:service`, with its team (from its tag) and port (from its package.json). */
export function listServices(tree: Tree): ServiceInfo[] {
  const services: ServiceInfo[] = [];
  for (const [name, project] of getProjects(tree)) {
    const tags = project.tags ?? [];
    if (!tags.includes(SERVICE_TAG)) continue;
    const team = tags.find((tag) => tag.startsWith('team:'))?.slice('team:'.length);
    services.push({ name, root: project.root, team, port: readPort(tree, project.root) });
  }
  return services.sort((a, b) => a.name.localeCompare(b.name));
}

function readPort(tree: Tree, root: string): number | undefined {
  const raw = tree.read(`${root}/package.json`, 'utf-8');
  if (raw === null) return undefined;
  const port = (JSON.parse(raw) as { musiccorp?: { port?: unknown } }).musiccorp?.port;
  return typeof port === 'number' ? port : undefined;
}
