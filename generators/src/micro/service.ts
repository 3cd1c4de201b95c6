import type { Tree } from '@nx/devkit';
import { listServices, type ServiceInfo } from '@musiccorp/core/services';

/** The services a micro-generator can add to: every project tagged `type:service`. */
export function serviceNames(tree: Tree): string[] {
  return listServices(tree).map((service) => service.name);
}

/** The service named `name`; throws naming the existing services when there is none. */
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
  const given = typeof name === 'string' && name.trim() !== '' ? `Unknown service "${name}"` : 'A service is required';
  throw new Error(`${given}. Use one of: ${known}.`);
}
