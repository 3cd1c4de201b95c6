import { getProjects, readJson, type Tree } from '@nx/devkit';
import { git, resolveRef, tryGit } from '@musiccorp/core/git';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { listServices, SERVICE_TAG, type ServiceInfo } from '@musiccorp/core/services';
import { findTeam } from '../../utils/teams';
import type { UpgradeGeneratorSchema } from '../schema';

export const UPGRADE = 'npx nx g @musiccorp/generators:upgrade';
const USAGE = `e.g. \`${UPGRADE} catalog\`, \`${UPGRADE} --team=catalog\` or \`${UPGRADE} --all\``;

/** A service that can be planned: it has provenance with a clean recorded commit that --to descends from. */
export interface UpgradeTarget {
  service: ServiceInfo;
  provenancePath: string;
  provenance: Provenance & { platformCommit: string };
}

/** A service this run will not upgrade, and why, with the fix. */
export interface Refusal {
  service: string;
  reason: string;
}

export interface NormalizedOptions {
  /** The ref as given, and the commit it resolved to. */
  to: { ref: string; commit: string };
  targets: UpgradeTarget[];
  refusals: Refusal[];
  /** One service named: any refusal is an error of the whole run. */
  single: boolean;
  commit: boolean;
}

/**
 * Validates the command line (a bad option, unknown service or team, or a ref git cannot resolve is an error: nothing
 * is written), then each selected service: without provenance, rendered from uncommitted templates, newer than --to or
 * with uncommitted changes in its folder, it is refused — an error when it was the one service named.
 */
export function normalizeOptions(tree: Tree, schema: UpgradeGeneratorSchema): NormalizedOptions {
  const services = selectServices(tree, schema);
  const ref = typeof schema.to === 'string' && schema.to.trim() !== '' ? schema.to.trim() : 'HEAD';
  const to = {
    ref,
    commit: resolveRef(tree.root, {
      flag: 'to',
      ref,
      otherwise:
        'pass a branch, tag or sha of this repository (`git log --oneline -- templates` lists the template commits)',
    }),
  };

  const refusals: Refusal[] = [];
  const targets: UpgradeTarget[] = [];
  const dirty = uncommittedFiles(
    tree.root,
    services.map((service) => service.root),
  );
  const relations = new Map<string, RecordedCommit>(); // services usually record the same commit: ask git once
  const relationOf = (commit: string) => {
    let relation = relations.get(commit);
    if (!relation) {
      relation = recordedCommit(tree.root, commit, to.commit);
      relations.set(commit, relation);
    }
    return relation;
  };
  for (const service of services) {
    const reason = provenanceProblem(tree, service, to, relationOf) ?? dirtyProblem(service, dirty.get(service.root));
    if (reason) refusals.push({ service: service.name, reason });
    else
      targets.push({
        service,
        provenancePath: `${service.root}/${PROVENANCE_FILE}`,
        provenance: readJson(tree, `${service.root}/${PROVENANCE_FILE}`),
      });
  }
  const single = typeof schema.service === 'string' && schema.service.trim() !== '';
  if (single && refusals[0]) throw new Error(refusals[0].reason);
  return { to, targets, refusals, single, commit: schema.commit === true };
}

function selectServices(tree: Tree, schema: UpgradeGeneratorSchema): ServiceInfo[] {
  const name = typeof schema.service === 'string' ? schema.service.trim() : '';
  const team = typeof schema.team === 'string' ? schema.team.trim() : '';
  const given = [name && `<service> (${name})`, schema.all && '--all', team && `--team=${team}`].filter(Boolean);
  if (given.length === 0) throw new Error(`Name the service to upgrade, or pass --all or --team=<id>: ${USAGE}.`);
  if (given.length > 1)
    throw new Error(`Pass one of <service>, --all and --team (got ${given.join(' and ')}): ${USAGE}.`);

  const services = listServices(tree);
  if (name) {
    const service = services.find((candidate) => candidate.name === name);
    if (service) return [service];
    const project = getProjects(tree).get(name);
    throw new Error(
      project
        ? `"${name}" (${project.root}) is not a service: only projects tagged ${SERVICE_TAG} are rendered from a template and upgraded.`
        : `Unknown service "${name}". Services: ${services.map((known) => known.name).join(', ') || '(none)'}.`,
    );
  }
  if (team) {
    const { id } = findTeam(tree, team);
    const owned = services.filter((service) => service.team === id);
    if (owned.length === 0)
      throw new Error(`Team ${id} owns no service (no project is tagged team:${id}): nothing to upgrade.`);
    return owned;
  }
  if (services.length === 0) throw new Error('This workspace has no service (no project is tagged type:service).');
  return services;
}

function provenanceProblem(
  tree: Tree,
  service: ServiceInfo,
  to: NormalizedOptions['to'],
  relationOf: (commit: string) => RecordedCommit,
): string | undefined {
  const path = `${service.root}/${PROVENANCE_FILE}`;
  if (!tree.exists(path))
    return `${path} is missing: without the template, commit and answers it was rendered from there is nothing to merge the new template against. Restore it from git (\`git log --oneline -- ${path}\`), or, for a service the platform never rendered, render a new one (\`nx g @musiccorp/generators:service\`) and move the team's code into it.`;
  let provenance: Provenance;
  try {
    provenance = readJson<Provenance>(tree, path);
  } catch (error) {
    return `${path} is not valid JSON (${(error as Error).message}). Restore it from git, then upgrade.`;
  }
  if (typeof provenance.template !== 'string' || typeof provenance.answers !== 'object' || !provenance.answers)
    return `${path} needs "template" and "answers" (the file the service generator wrote). Restore it from git, then upgrade.`;
  const commit = provenance.platformCommit;
  if (provenance.templatesModified || !commit) {
    return `${path} records ${commit ? `"templatesModified": true — ${service.name} was rendered while templates/ had uncommitted changes` : 'no platform commit — it was rendered outside git'}, so no commit holds the template it was rendered from, and a 3-way merge has no base. Fix: find the commit whose templates/ rendered it (\`npm run drift -- ${service.name}\` passes once its provenance names it), set "platformCommit" to it and "templatesModified" to false, commit, then upgrade.`;
  }
  const relation = relationOf(commit);
  if (relation === 'missing')
    return `${path} records platform commit ${commit.slice(0, 12)}, which this repository does not have (a rewritten or shallow history?). Fetch it (\`git fetch --unshallow\` in a shallow clone), then upgrade.`;
  if (relation === 'upgradable') return undefined;
  return relation === 'newer'
    ? `--to=${to.ref} (${to.commit.slice(0, 7)}) is older than ${commit.slice(0, 7)}, the commit ${service.name} was rendered at: an upgrade never goes back. Pass a newer --to, or leave it out for HEAD.`
    : `--to=${to.ref} (${to.commit.slice(0, 7)}) does not contain ${commit.slice(0, 7)}, the commit ${service.name} was rendered at (another branch?). Pass a ref that descends from it, e.g. HEAD of the branch it was rendered on.`;
}

function dirtyProblem(service: ServiceInfo, files: string[] | undefined): string | undefined {
  if (!files?.length) return undefined;
  return `${service.root} has uncommitted changes: ${files.join(', ')}. The upgrade merges against the committed folder and must not mix its changes with yours: commit or stash them first (\`git stash push -- ${service.root}\`), then upgrade.`;
}

/**
 * A recorded commit as --to sees it: one this clone lacks, --to itself or one it descends from (`upgradable`: an
 * up-to-date service is planned and reported as such), newer than --to, or on another branch.
 */
type RecordedCommit = 'missing' | 'upgradable' | 'newer' | 'diverged';

function recordedCommit(root: string, commit: string, to: string): RecordedCommit {
  const recorded = tryGit(root, ['rev-parse', '--verify', '--quiet', `${commit}^{commit}`])?.trim();
  if (!recorded) return 'missing';
  if (recorded === to || isAncestor(root, recorded, to)) return 'upgradable';
  return isAncestor(root, to, recorded) ? 'newer' : 'diverged';
}

const isAncestor = (root: string, ancestor: string, descendant: string) =>
  tryGit(root, ['merge-base', '--is-ancestor', ancestor, descendant]) !== undefined;

/** Uncommitted files (changed, staged, untracked) under each folder, from one `git status`. */
function uncommittedFiles(root: string, folders: string[]): Map<string, string[]> {
  const byFolder = new Map<string, string[]>();
  if (folders.length === 0) return byFolder;
  const fields = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...folders]).split('\0');
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? '';
    if (entry === '') continue;
    if (/^[RC]/.test(entry)) i++; // a rename or copy names its source in the next field
    const path = entry.slice(3);
    const folder = folders.find((candidate) => path.startsWith(`${candidate}/`));
    if (folder) byFolder.set(folder, [...(byFolder.get(folder) ?? []), path]);
  }
  return byFolder;
}
