import { getProjects, readJson, type Tree } from '@nx/devkit';
import type { Answers } from '@musiccorp/core/render';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { ORG, type Team } from '@musiccorp/core/teams';
import { listServices, SERVICE_TAG, type ServiceInfo } from '@musiccorp/core/services';
import { findTeam, readTeams } from '../../utils/teams';
import type { TransferGeneratorSchema } from '../schema';
import { planRerender, type RerenderPlan } from './rerender-platform-files';

const USAGE = 'e.g. `nx g @musiccorp/generators:transfer payment --to=fulfilment`';

export interface NormalizedOptions {
  service: ServiceInfo;
  /** The current owner; its registry entry, or what its handle must have been if it is no longer registered. */
  from: Pick<Team, 'id' | 'handle'>;
  to: Team;
  provenancePath: string;
  provenance: Provenance;
  /** The service's answers with the new team: what its provenance will record. */
  answers: Answers;
  /** The platform-owned files whose rendering depends on the team, rendered again with `answers`. */
  rerender: RerenderPlan;
}

/** Validates everything and plans every write before anything is written: a refusal leaves the Tree untouched. */
export function normalizeOptions(tree: Tree, options: TransferGeneratorSchema): NormalizedOptions {
  const name = typeof options.service === 'string' ? options.service.trim() : '';
  if (name === '') throw new Error(`Name the service to transfer, ${USAGE}.`);
  const services = listServices(tree);
  const service = services.find((candidate) => candidate.name === name);
  if (!service) {
    const project = getProjects(tree).get(name);
    throw new Error(
      project
        ? `"${name}" (${project.root}) is not a service: only projects tagged ${SERVICE_TAG} are transferred; a platform project belongs to the platform team.`
        : `Unknown service "${name}". Services: ${services.map((known) => known.name).join(', ') || '(none)'}.`,
    );
  }
  if (!service.team) {
    throw new Error(
      `Service "${name}" has no team:<id> tag in ${service.root}/project.json, so it has no owner to transfer from. Add the tag of its current team first.`,
    );
  }

  const wanted = typeof options.to === 'string' ? options.to.trim() : '';
  if (wanted === '') throw new Error(`--to is required: the id of the team that takes "${name}" over, ${USAGE}.`);
  if (wanted.startsWith('@')) {
    throw new Error(`--to takes a team id, not a handle: try --to=${wanted.replace(/^@[^/]*\//, '')}.`);
  }
  const to = findTeam(tree, wanted);
  if (to.id === service.team) {
    throw new Error(`Service "${name}" already belongs to team ${to.id} (${to.handle}): nothing to transfer.`);
  }
  const from = readTeams(tree).find((team) => team.id === service.team) ?? {
    id: service.team,
    handle: `@${ORG}/${service.team}`,
  };

  const provenancePath = `${service.root}/${PROVENANCE_FILE}`;
  if (!tree.exists(provenancePath)) {
    throw new Error(
      `${provenancePath} is missing: without the template answers its platform-owned files (package.json, Dockerfile) cannot be re-rendered for the new team. Restore it from git, then transfer.`,
    );
  }
  const provenance = readJson<Provenance>(tree, provenancePath);
  if (provenance.answers?.team !== service.team) {
    throw new Error(
      `${service.root} is tagged team:${service.team}, but ${provenancePath} records team "${String(provenance.answers?.team)}". Make them agree (the tag is the owner), then transfer.`,
    );
  }
  for (const file of ['project.json', 'pipeline.json']) {
    const raw = tree.read(`${service.root}/${file}`, 'utf-8');
    if (raw === null) {
      if (file === 'project.json') throw new Error(`${service.root}/project.json is missing: it holds the team tag.`);
      continue;
    }
    try {
      JSON.parse(raw);
    } catch (error) {
      throw new Error(
        `${service.root}/${file} is not valid JSON (${(error as Error).message}). Fix it, then transfer.`,
      );
    }
  }
  const answers: Answers = { ...provenance.answers, team: to.id, teamHandle: to.handle };
  const rerender = planRerender(tree, service.root, provenance, answers);
  return { service, from, to, provenancePath, provenance, answers, rerender };
}
