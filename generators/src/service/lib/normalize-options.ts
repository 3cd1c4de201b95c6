import { getProjects, type Tree } from '@nx/devkit';
import type { Team } from '@musiccorp/core/teams';
import { findTeam } from '../../utils/teams';
import { listServices, SERVICES_DIR } from '@musiccorp/core/services';
import type { ServiceGeneratorSchema } from '../schema';
import { nameProblem } from './validate-name';

export const FIRST_SERVICE_PORT = 3100;
export const MIN_PORT = 1024;
export const MAX_PORT = 65535;

export interface NormalizedOptions {
  name: string;
  team: Team;
  port: number;
  description: string;
  projectRoot: string;
}

/** Validates every option before anything is written: a bad option throws, and the Tree is never flushed. */
export function normalizeOptions(tree: Tree, options: ServiceGeneratorSchema & { team: string }): NormalizedOptions {
  const name = typeof options.name === 'string' ? options.name.trim() : options.name;
  const problem = nameProblem(name);
  if (problem) throw new Error(problem);

  const projectRoot = `${SERVICES_DIR}/${name}`;
  if (getProjects(tree).has(name)) {
    throw new Error(
      `A project named "${name}" already exists (${getProjects(tree).get(name)?.root}). Choose another name.`,
    );
  }
  if (tree.exists(projectRoot)) {
    throw new Error(`${projectRoot} already exists. Choose another name, or remove that folder first.`);
  }

  const team = findTeam(tree, options.team.trim());
  const description = options.description?.trim() || `The ${name} service.`;
  if (/[\r\n]/.test(description)) throw new Error('--description must be a single line.');

  return { name, team, port: choosePort(tree, options.port), description, projectRoot };
}

function choosePort(tree: Tree, requested: ServiceGeneratorSchema['port']): number {
  const used = new Map(
    listServices(tree).flatMap((service) => (service.port ? [[service.port, service.name] as const] : [])),
  );
  if (requested === undefined || requested === '') {
    let port = FIRST_SERVICE_PORT;
    while (used.has(port)) port++;
    return port;
  }
  const port =
    typeof requested === 'number' ? requested : /^\d+$/.test(requested.trim()) ? Number(requested) : Number.NaN;
  if (!Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) {
    throw new Error(
      `--port must be an integer from ${MIN_PORT} to ${MAX_PORT} (got "${requested}"), or leave it out to take the next free port.`,
    );
  }
  const owner = used.get(port);
  if (owner)
    throw new Error(
      `Port ${port} is already used by service "${owner}". Pick another --port, or leave it out to take the next free one.`,
    );
  return port;
}
