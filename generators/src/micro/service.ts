import type { Tree } from '@nx/devkit';
import { listServices, type ServiceInfo } from '@musiccorp/core/services';
import { nameProblem } from '../service/lib/validate-name';

/** The services a micro-generator can add to: every project tagged `type:service`. */
export function serviceNames(tree: Tree): string[] {
  return listServices(tree).map((service) => service.name);
}

/** The service named `name`; throws naming the existing services, and how to create it, when there is none. */
export function findService(tree: Tree, name: unknown): ServiceInfo {
  const services = listServices(tree);
  const service = services.find((candidate) => candidate.name === name);
  if (service) return service;
  if (services.length === 0) {
    throw new Error(
      'This workspace has no services yet: generate one first with `npx nx g service <name> --team=<team>`.',
    );
  }
  const known = services.map((candidate) => candidate.name).join(', ');
  if (typeof name !== 'string' || name.trim() === '') throw new Error(`A service is required. Use one of: ${known}.`);
  // Offer to create it under the name given only when that is a name the service generator accepts.
  const create = `npx nx g @musiccorp/generators:service ${nameProblem(name) ? '<name>' : name} --team=<team>`;
  throw new Error(`Unknown service "${name}". Use one of: ${known}. Or create it: ${create}`);
}
