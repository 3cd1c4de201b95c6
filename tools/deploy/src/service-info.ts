/**
 * What the deploy needs to know about a service, from its own `services/<name>/package.json` (`musiccorp` block):
 * the port it listens on (container port, probes, PORT) and the owning team (a label, so alerts and dashboards can
 * route by team). The same file the build inlines, so the pod and the image cannot disagree about the port.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServiceInfo {
  service: string;
  team: string;
  port: number;
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export async function readServiceInfo(workspaceRoot: string, service: string): Promise<ServiceInfo> {
  if (!NAME.test(service) || service.length > 40)
    throw new Error(`"${service}" is not a service name: lowercase letters, digits and single hyphens, at most 40.`);
  const file = `services/${service}/package.json`;
  let manifest: { musiccorp?: Partial<ServiceInfo> };
  try {
    manifest = JSON.parse(await readFile(join(workspaceRoot, file), 'utf8')) as typeof manifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${file} does not exist: "${service}" is not a service of this workspace (see services/).`);
    throw new Error(`${file} cannot be read: ${(error as Error).message}`);
  }
  const { team, port } = manifest.musiccorp ?? {};
  const problems: string[] = [];
  if (manifest.musiccorp?.service !== service) problems.push(`musiccorp.service must be "${service}"`);
  if (typeof team !== 'string' || !NAME.test(team))
    problems.push('musiccorp.team must be a team id from platform/teams.json');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1024 || port > 65535)
    problems.push('musiccorp.port must be an integer from 1024 to 65535');
  if (problems.length > 0 || typeof team !== 'string' || typeof port !== 'number')
    throw new Error(`${file}: ${problems.join('; ')}. The generator writes this block; re-render the service.`);
  return { service, team, port };
}
