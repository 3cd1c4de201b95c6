/**
 * What `npm run dev` starts, decided before anything starts: the services asked for (default: all), each with its
 * port, the environment it runs with, and the order — a service after every service whose HTTP API it calls.
 */
import { UsageError } from '@musiccorp/core/cli';
import { serviceUrlVariable } from '@musiccorp/core/consumers';
import type { ServiceInfo } from '@musiccorp/core/services';

export interface DevService {
  name: string;
  root: string;
  port: number;
  /** Other services this one calls over HTTP (its consumes.json), among those started. */
  calls: string[];
}

export interface DevPlan {
  /** Start waves: every service of a wave is ready before the next wave starts. */
  waves: DevService[][];
  /** The environment every service gets: `<NAME>_URL` of each started service, the broker's address. */
  env: Record<string, string>;
  /** Services that call each other in a cycle: no order exists, so they start together in the last wave. */
  cycle: string[];
}

export function planDev(
  services: readonly ServiceInfo[],
  requested: readonly string[],
  calls: ReadonlyMap<string, readonly string[]>,
  brokerUrl: string | undefined,
): DevPlan {
  const known = new Map(services.map((service) => [service.name, service]));
  const unknown = requested.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `No service named ${unknown.join(', ')}. The services: ${[...known.keys()].join(', ')}; or give none to start all.`,
    );
  }
  const chosen = requested.length > 0 ? [...new Set(requested)] : [...known.keys()];
  const started = chosen.map((name): DevService => {
    const service = known.get(name) as ServiceInfo;
    if (service.port === undefined) {
      throw new UsageError(
        `${name} has no port in ${service.root}/package.json ("musiccorp": { "port": … }): add it, as nx g service writes it.`,
      );
    }
    const dependencies = (calls.get(name) ?? []).filter((callee) => chosen.includes(callee) && callee !== name);
    return { name, root: service.root, port: service.port, calls: dependencies };
  });
  const env: Record<string, string> = Object.fromEntries(
    started.map((service) => [serviceUrlVariable(service.name), `http://127.0.0.1:${service.port}`]),
  );
  if (brokerUrl) env['BROKER_URL'] = brokerUrl;
  return { ...inWaves(started), env };
}

/** Kahn's algorithm by levels: a wave is the services whose callees have all started in earlier waves. */
function inWaves(services: readonly DevService[]): { waves: DevService[][]; cycle: string[] } {
  const waves: DevService[][] = [];
  const placed = new Set<string>();
  let remaining = [...services];
  while (remaining.length > 0) {
    const wave = remaining.filter((service) => service.calls.every((callee) => placed.has(callee)));
    if (wave.length === 0) return { waves: [...waves, remaining], cycle: remaining.map((service) => service.name) };
    for (const service of wave) placed.add(service.name);
    waves.push(wave);
    remaining = remaining.filter((service) => !placed.has(service.name));
  }
  return { waves, cycle: [] };
}
