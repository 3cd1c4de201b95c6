/**
 * `contract check`: the breaking-change gate. For every service whose committed contract changed between the base
 * (the merge base of the base ref and the head, as a pull request shows it) and the head, each change is breaking or
 * not (the engine, diff/); then the version rule:
 *  - breaking, and info.version's major did not go up → the gate fails, naming the fix (the next major, or expand and
 *    contract);
 *  - breaking, and the major went up → it passes, and lists the consumers that must move (consumes.json), with teams;
 *  - info.version went down → fails; a new contract passes (nothing consumed it yet); a removed contract that a
 *    service still consumes fails.
 * With `declared`, it also checks that the committed contract files are what the code declares (describe/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';
import {
  formatConsumesProblems,
  loadConsumers,
  type Consumer,
  type ConsumerIndex,
  type ServiceEntry,
} from '@musiccorp/core/consumers';
import { commitOf, resolveRef, tryGit } from '@musiccorp/core/git';
import {
  CONTRACT_KINDS,
  compareContracts,
  contractFilesAt,
  contractPath,
  type ContractComparison,
  type ContractKind,
  type Revision,
} from './compare';
import type { ContractChange } from './diff/types';
import { compareSemver, majorRaised, parseSemver } from './diff/version';

/** Where the base ref came from: the option, the pipeline's variable, or nx.json's defaultBase. */
export type BaseSource = '--base' | 'CONTRACT_BASE' | 'nx.json defaultBase';

export interface CheckOptions {
  /** The repository's top folder (the workspace root). */
  root: string;
  base: { ref: string; source: BaseSource };
  /** A commit to compare; undefined: the working tree. */
  head?: string;
  /** Only these services' contracts (and, reported apart, the changed contracts they consume). */
  services?: readonly string[];
  /** Also check that the committed contract files are what the code declares. */
  declared?: boolean;
}

export interface ContractVerdict extends ContractComparison {
  service: string;
  breaking: number;
  nonBreaking: number;
  /** The head's major is above the base's (null for a new or removed contract). */
  majorRaised: boolean | null;
  ok: boolean;
  /** Why the gate fails, and the fix; null when it passes. */
  problem: string | null;
  /** Breaking changes: the services that consume the contract (at the head), who must move to the new shape. */
  consumers: Consumer[];
}

/** A changed contract that a checked service consumes (reported with --service; the producer's check gates it). */
export interface ConsumedChange {
  consumer: string;
  producer: string;
  kind: ContractKind;
  file: string;
  uses: string[];
  breaking: number;
  nonBreaking: number;
  baseVersion: string | null;
  headVersion: string | null;
  majorRaised: boolean | null;
  /** Whether the producer's contract passes its own gate. */
  producerOk: boolean;
}

export interface DeclaredCheck {
  service: string;
  file: string;
  ok: boolean;
  /** What is wrong and the fix; null when the file is what the code declares. */
  problem: string | null;
}

export interface CheckResult {
  base: { ref: string; source: BaseSource; commit: string; mergeBase: string };
  head: { ref: string; commit: string | null };
  /** The services whose contracts were checked. */
  services: string[];
  /** Those of them with no committed contract file at the head: nothing of theirs could be compared. */
  withoutContract: string[];
  contracts: ContractVerdict[];
  consumed: ConsumedChange[];
  declared: DeclaredCheck[] | null;
  warnings: string[];
  ok: boolean;
}

/** Synthetic rules for a whole contract, beside the engine's catalogue (diff/rules.ts). */
const CONTRACT_ADDED = 'contract-added';
const CONTRACT_REMOVED = 'contract-removed';

export async function check(options: CheckOptions): Promise<CheckResult> {
  const { root } = options;
  const { base, mergeBase, head } = resolveRevisions(root, options);
  const consumersAtHead = await loadConsumers(root, { commit: head.commit });
  const known = consumersAtHead.services;
  const scope = scopeOf(known, options.services);
  const warnings = [...consumersAtHead.warnings];

  const ownProblems = consumersAtHead.problems.filter((problem) =>
    scope.some(({ root: serviceRoot }) => problem.file.startsWith(`${serviceRoot}/`)),
  );
  if (ownProblems.length) throw new UsageError(formatConsumesProblems(ownProblems));

  // With --service: also the contracts of the services it consumes, to say what changed in them.
  const scopeRoots = new Set(scope.map(({ root: serviceRoot }) => serviceRoot));
  const producers = options.services ? producersOf(scope, known, consumersAtHead.index) : [];
  const roots = options.services ? new Set([...scopeRoots, ...producers.map(({ root: r }) => r)]) : undefined;
  const comparisons = compareContracts(root, { commit: mergeBase, label: mergeBase.slice(0, 7) }, head, roots);

  const verdicts = applyVersionRule(comparisons, known, consumersAtHead.index);
  const contracts = verdicts.filter((verdict) => !roots || scopeRoots.has(verdict.root));
  const consumed = options.services ? consumedChanges(scope, verdicts, consumersAtHead.index) : [];

  // Consumers are only listed for breaking changes: a consumes.json with problems elsewhere matters only then.
  if (consumersAtHead.problems.length && contracts.some((verdict) => verdict.breaking > 0))
    throw new UsageError(
      `Cannot list every consumer of the breaking changes:\n${formatConsumesProblems(consumersAtHead.problems)}`,
    );
  if (consumersAtHead.problems.length)
    warnings.push(`consumes.json problems elsewhere (${consumersAtHead.problems.map((p) => p.file).join(', ')})`);

  let declared: DeclaredCheck[] | null = null;
  if (options.declared) declared = await checkDeclared(root, scope);

  return {
    base,
    head: { ref: head.label, commit: head.commit ?? null },
    services: scope.map(({ service }) => service),
    withoutContract: withoutContract(root, head, scope),
    contracts,
    consumed,
    declared,
    warnings,
    ok: contracts.every((verdict) => verdict.ok) && (declared ?? []).every((entry) => entry.ok),
  };
}

function withoutContract(root: string, head: Revision, scope: ServiceEntry[]): string[] {
  const present = contractFilesAt(
    root,
    head,
    scope.map(({ root: serviceRoot }) => serviceRoot),
  );
  return scope
    .filter(({ root: serviceRoot }) => ![...present].some((file) => file.startsWith(`${serviceRoot}/`)))
    .map(({ service }) => service);
}

function resolveRevisions(
  root: string,
  options: CheckOptions,
): { base: CheckResult['base']; mergeBase: string; head: Revision } {
  if (tryGit(root, ['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true')
    throw new UsageError(`${root} is not inside a git work tree. Pass --repo=<a clone of the repository>.`);
  const { ref, source } = options.base;
  const otherwise =
    source === 'CONTRACT_BASE'
      ? 'set CONTRACT_BASE to an existing ref, or unset it to compare with nx.json defaultBase'
      : 'pass an existing ref, e.g. --base=origin/main or a commit SHA (CI checkouts are often shallow: use fetch-depth: 0)';
  const baseCommit = resolveRef(root, { flag: 'base', ref, otherwise });
  const headCommit =
    options.head === undefined
      ? undefined
      : resolveRef(root, {
          flag: 'head',
          ref: options.head,
          otherwise: 'pass --head=HEAD, or omit --head to compare the working tree',
        });
  const checkedOut = commitOf(root, 'HEAD');
  if (!checkedOut) throw new UsageError('This repository has no commits yet; commit something, then compare.');
  if (options.declared && headCommit !== undefined && headCommit !== checkedOut)
    throw new UsageError(
      `--declared checks the code on disk, but --head=${options.head} is not the checked-out commit. ` +
        'Fix: check it out first, or leave out --head (the working tree).',
    );
  const mergeBase = tryGit(root, ['merge-base', baseCommit, headCommit ?? checkedOut])?.trim();
  if (!mergeBase)
    throw new UsageError(
      `${source === 'CONTRACT_BASE' ? `CONTRACT_BASE=${ref}` : `--base=${ref}`} and the head share no history in ` +
        'this clone (a shallow clone?). Fix: `git fetch --unshallow` (or fetch-depth: 0 in CI), or pass a --base ' +
        'that is an ancestor of the head.',
    );
  const head: Revision =
    headCommit === undefined
      ? { commit: undefined, label: 'working tree' }
      : { commit: headCommit, label: `${options.head} (${headCommit.slice(0, 7)})` };
  return { base: { ref, source, commit: baseCommit, mergeBase }, mergeBase, head };
}

/** nx.json's defaultBase, the base when neither --base nor CONTRACT_BASE says one. */
export function defaultBase(root: string): string {
  let base: unknown;
  try {
    const nxJson = JSON.parse(readFileSync(join(root, 'nx.json'), 'utf8')) as {
      defaultBase?: unknown;
      affected?: { defaultBase?: unknown };
    };
    base = nxJson.defaultBase ?? nxJson.affected?.defaultBase;
  } catch {
    // no nx.json: no default
  }
  if (typeof base === 'string' && base !== '') return base;
  throw new UsageError(
    'No base to compare with: pass --base=<ref> (e.g. --base=origin/main), set CONTRACT_BASE, or set defaultBase in nx.json.',
  );
}

function scopeOf(known: readonly ServiceEntry[], wanted: readonly string[] | undefined): ServiceEntry[] {
  if (!wanted) return [...known];
  const names = known.map(({ service }) => service);
  const unknown = wanted.filter((name) => !names.includes(name));
  if (unknown.length)
    throw new UsageError(
      `--service=${unknown.join(', --service=')}: not a service of this workspace. Fix: use one of ${names.join(', ') || '(none)'}.`,
    );
  return known.filter(({ service }) => wanted.includes(service));
}

/** The services whose HTTP API the scope calls, or which declare events at all (matched on types later). */
function producersOf(scope: ServiceEntry[], known: readonly ServiceEntry[], index: ConsumerIndex): ServiceEntry[] {
  const consumes = scope.map(({ service }) => index.of(service));
  const http = new Set(consumes.flatMap(({ http }) => http));
  const consumesEvents = consumes.some(({ events }) => events.length > 0);
  return known.filter(({ service }) => http.has(service) || consumesEvents);
}

/**
 * The version rule applied to each comparison, with the consumers (at the head) of every breaking one. `services`
 * names the service of each folder; a folder no service has any more (removed at the head) is named after itself.
 */
export function applyVersionRule(
  comparisons: readonly ContractComparison[],
  services: readonly ServiceEntry[],
  index: ConsumerIndex,
): ContractVerdict[] {
  const nameOf = (serviceRoot: string) =>
    services.find((entry) => entry.root === serviceRoot)?.service ?? serviceRoot.slice(serviceRoot.indexOf('/') + 1);
  return comparisons.map((comparison) => gate(comparison, nameOf(comparison.root), index));
}

function gate(comparison: ContractComparison, service: string, index: ConsumerIndex): ContractVerdict {
  const { kind, file, status, baseVersion, headVersion } = comparison;
  const kindInfo = CONTRACT_KINDS[kind];
  const serviceConsumers = kind === 'http' ? index.ofHttp(service) : index.ofEvents(comparison.eventTypes);
  const what = `${service}'s ${kindInfo.what}`;
  const changes: ContractChange[] =
    status === 'new'
      ? [
          {
            rule: CONTRACT_ADDED,
            verdict: 'non-breaking',
            location: file,
            message: `a new contract (none at the base): no consumer depends on ${what} yet`,
          },
        ]
      : status === 'removed'
        ? [
            {
              rule: CONTRACT_REMOVED,
              verdict: 'breaking',
              location: file,
              message: `the contract is gone: every consumer of ${what} loses it`,
            },
          ]
        : comparison.changes;
  const breaking = changes.filter((change) => change.verdict === 'breaking').length;
  const verdict = {
    ...comparison,
    changes,
    service,
    breaking,
    nonBreaking: changes.length - breaking,
    majorRaised: null as boolean | null,
    consumers: breaking > 0 ? serviceConsumers : [],
  };
  const setting = `${kindInfo.version.constant} in ${comparison.root}/${kindInfo.version.source}`;

  if (status === 'removed') {
    if (serviceConsumers.length === 0) return { ...verdict, ok: true, problem: null };
    return {
      ...verdict,
      ok: false,
      problem:
        `${file} was removed while ${serviceConsumers.map(consumerName).join(', ')} still consume${serviceConsumers.length === 1 ? 's' : ''} ${what}. ` +
        'Fix: keep the contract until they have moved off it and dropped it from their consumes.json.',
    };
  }
  if (status === 'new' || baseVersion === null || headVersion === null) return { ...verdict, ok: true, problem: null };

  if (compareSemver(headVersion, baseVersion) < 0)
    return {
      ...verdict,
      ok: false,
      problem:
        `info.version went down (${baseVersion} → ${headVersion}): versions only go up. ` +
        `Fix: set ${setting} to ${baseVersion} or higher, then \`npx nx sync\`.`,
    };
  const raised = majorRaised(baseVersion, headVersion);
  if (breaking > 0 && !raised) {
    const next = `${(parseSemver(baseVersion)?.major ?? 0) + 1}.0.0`;
    return {
      ...verdict,
      majorRaised: false,
      ok: false,
      problem:
        `${breaking} breaking change${breaking === 1 ? '' : 's'}, and info.version ${baseVersion} → ${headVersion} keeps ` +
        `major ${parseSemver(baseVersion)?.major}. Fix: raise ${setting} to the next major (${next}), then \`npx nx sync\`; ` +
        'or keep the old shape (expand and contract: add the new beside the old, move the consumers, remove the old ' +
        'in a later major).',
    };
  }
  return { ...verdict, majorRaised: raised, ok: true, problem: null };
}

const consumerName = (consumer: Consumer) =>
  consumer.team ? `${consumer.service} (${consumer.team.handle})` : consumer.service;

function consumedChanges(scope: ServiceEntry[], verdicts: ContractVerdict[], index: ConsumerIndex): ConsumedChange[] {
  const changes: ConsumedChange[] = [];
  for (const { service } of scope) {
    const consumes = index.of(service);
    for (const verdict of verdicts) {
      if (verdict.service === service) continue;
      const uses =
        verdict.kind === 'http'
          ? consumes.http.includes(verdict.service)
            ? ['http']
            : []
          : consumes.events.filter((type) => verdict.eventTypes.includes(type));
      if (uses.length === 0) continue;
      changes.push({
        consumer: service,
        producer: verdict.service,
        kind: verdict.kind,
        file: verdict.file,
        uses,
        breaking: verdict.breaking,
        nonBreaking: verdict.nonBreaking,
        baseVersion: verdict.baseVersion,
        headVersion: verdict.headVersion,
        majorRaised: verdict.majorRaised,
        producerOk: verdict.ok,
      });
    }
  }
  return changes;
}

/** The committed contract files of each service equal what its code declares (the working tree's). */
async function checkDeclared(root: string, scope: ServiceEntry[]): Promise<DeclaredCheck[]> {
  const { describeEachService, diskReader } = await import('./describe/describe-service');
  const { formatContract } = await import('./describe/contract-files');
  const folderOf = (serviceRoot: string) => serviceRoot.slice(serviceRoot.indexOf('/') + 1);
  const read = diskReader(root);
  const described = await describeEachService(
    scope.map(({ root: serviceRoot }) => folderOf(serviceRoot)),
    read,
  );
  return scope.flatMap(({ service, root: serviceRoot }, i) => {
    const description = described[i];
    return (Object.keys(CONTRACT_KINDS) as ContractKind[]).map((kind): DeclaredCheck => {
      const file = contractPath(serviceRoot, kind);
      if (!description || description.error !== undefined)
        return {
          service,
          file,
          ok: false,
          problem: `is not checked: the code could not be described: ${description?.error ?? 'no answer'}`,
        };
      const expected = formatContract(kind === 'http' ? description.contract.openapi : description.contract.events);
      const committed = read(file);
      if (committed === expected) return { service, file, ok: true, problem: null };
      return {
        service,
        file,
        ok: false,
        problem: `${committed === null ? 'is missing' : 'is not what the code declares'}. Fix: ${DECLARED_FIX}`,
      };
    });
  });
}

export const DECLARED_FIX = 'run `npx nx sync` and commit the contract files it writes';
