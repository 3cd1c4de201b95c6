/**
 * `npm run platform-upgrade -- --from=<platform> [--ref=<ref>] [--dry-run]`, run in a per-team workspace: takes a
 * newer platform release into the files the workspace copied from the platform (plan.ts), then records it in
 * platform.json — as `main(argv, out, err)`; cli.ts runs it. It lives in the generators plugin because a team
 * workspace has no tools/workspace (only the platform creates workspaces).
 */
import { workspaceRoot } from '@nx/devkit';
import { CommandLine, UsageError } from '@musiccorp/core/cli';
import {
  describeUnresolvedConflicts,
  unresolvedUpgradeConflicts,
  upgradeConflictLabels,
} from '@musiccorp/core/workspace/conflicts';
import { GitMergeFile } from '../upgrade/lib/merge-file';
import { UPGRADE } from '../upgrade/lib/normalize-options';
import { fileAt, platformVersionAt } from '../upgrade/lib/platform-at';
import { OUTCOME_MEANING, OUTCOMES, planPlatformUpgrade, type PlatformUpgradePlan } from './plan';
import { PlatformRepository } from './platform-repository';
import { readRecordedRelease, uncommittedFiles, writePlatformUpgrade, type RecordedRelease } from './workspace';

const PLATFORM_UPGRADE = new CommandLine({
  name: 'platform-upgrade',
  usage: 'npm run platform-upgrade -- --from=<path or git URL of the platform> [--ref=<ref>] [--dry-run]',
  help: `Run at the root of a per-team workspace made by \`npm run create-workspace\`. Takes a newer platform release
into the files the workspace copied from the platform (platform.json's "copied": generators/, templates/, tools/,
.github/, .ci/, the root configuration), each by a 3-way merge with git merge-file: base = the platform's file at the
commit platform.json records, theirs = the platform's file at --ref, ours = the workspace's file. Your edits stay; where
you and the platform changed the same lines, the file gets git's conflict markers, and the workspace's \`npm test\` fails
until they are resolved. Files the platform added are created, files it removed are deleted unless you changed them,
files you deleted stay deleted. package.json and package-lock.json take the platform's dependency versions and keep
your name, scripts and dependencies. platform.json then records --ref's commit.
  --from=<path|URL>  the platform: a clone on this machine (read in place) or a git URL (cloned into a temporary
                     folder, removed afterwards)
  --ref=<ref>        the platform's branch, tag or commit to upgrade to; default: its HEAD (a URL's default branch)
  --dry-run          print what would change; write nothing
Refused, with nothing written: a workspace without platform.json or with uncommitted changes, a --from git cannot
read, a --ref it lacks, a --ref older than the recorded commit (a downgrade) or not descended from it.
Exit codes: 0 upgraded or already up to date, 1 upgraded with conflicts to resolve, 2 refused.`,
  flags: { from: { type: 'string' }, ref: { type: 'string' }, 'dry-run': { type: 'boolean' } },
});

const MAX_LISTED = 20;

export const main = PLATFORM_UPGRADE.main(({ flags }, { out, err }, root: string = workspaceRoot) => {
  const { from, ref = 'HEAD', 'dry-run': dryRun } = flags;
  if (from === undefined)
    throw PLATFORM_UPGRADE.refuse(
      '--from is required: the platform to upgrade from, a clone on this machine or its git URL (e.g. --from=../platform).',
    );
  const recorded = readRecordedRelease(root);
  const unresolved = unresolvedUpgradeConflicts(root);
  if (unresolved.length > 0)
    throw new UsageError(
      `the last platform upgrade left conflicts unresolved, and merging again would bury them. ${describeUnresolvedConflicts(unresolved)} Commit, then run the upgrade again.`,
    );
  const dirty = uncommittedFiles(root);
  if (dirty.length > 0)
    throw new UsageError(
      `the workspace has uncommitted changes: ${listed(dirty)}. The upgrade merges against the committed files and its changes must be a diff of their own. Fix: commit or stash them (\`git stash push --include-untracked\`), then run it again.`,
    );

  // npm runs scripts in the package's folder; a relative --from means the folder the command was typed in.
  const platform = PlatformRepository.open(from, process.env['INIT_CWD'] ?? process.cwd());
  const merger = new GitMergeFile();
  try {
    const [old, next] = resolveCommits(platform, recorded, ref);
    if (old === next) {
      out.write(`platform-upgrade: already at platform ${short(next)} (--ref=${ref} of ${from}): nothing to do.\n`);
      return 0;
    }
    const plan = planPlatformUpgrade({
      root,
      recorded,
      platform,
      from: old,
      to: next,
      merge: merger.merge,
      labels: upgradeConflictLabels(old, next),
    });
    const release: RecordedRelease = {
      ...recorded,
      platform: platformName(platform, next) ?? recorded.platform,
      platformVersion: platformVersion(platform, next),
      platformCommit: next,
      platformModified: false,
      copied: plan.copied,
    };
    if (!dryRun) writePlatformUpgrade(root, plan, release);
    out.write(formatReport({ recorded, release, commits: platform.commits(old, next), plan, dryRun }));
    const conflicted = plan.changes.filter((change) => change.outcome === 'conflicted');
    if (conflicted.length > 0) err.write(formatConflicts(conflicted, dryRun));
    return conflicted.length > 0 && !dryRun ? 1 : 0;
  } finally {
    merger.dispose();
    platform.dispose();
  }
});

/** The recorded commit and the one --ref names, in the platform; refused when either is missing or it goes back. */
function resolveCommits(platform: PlatformRepository, recorded: RecordedRelease, ref: string): [string, string] {
  const old = platform.commit(recorded.platformCommit);
  if (old === undefined)
    throw new UsageError(
      `--from=${platform.from} has no commit ${short(recorded.platformCommit)}, the platform release platform.json records: it is another repository, or a clone without that history. Fix: --from=<the platform this workspace was created from> with its full history (\`git fetch --unshallow\` in a shallow clone).`,
    );
  const next = platform.commit(ref);
  if (next === undefined)
    throw new UsageError(
      `--ref=${ref} is not a branch, tag or commit of --from=${platform.from}. Fix: --ref=<one it has> (\`git ls-remote --heads --tags ${platform.from}\` lists them), or leave --ref out for its HEAD.`,
    );
  if (next !== old && !platform.isAncestor(old, next))
    throw new UsageError(
      platform.isAncestor(next, old)
        ? `--ref=${ref} (${short(next)}) is older than the platform release this workspace has (${short(old)}): a platform upgrade never goes back. Fix: --ref=<a commit after ${short(old)}>, or leave --ref out for the platform's HEAD.`
        : `--ref=${ref} (${short(next)}) is not descended from the platform release this workspace has (${short(old)}): the upgrade merges along the platform's history. Fix: --ref=<a commit after ${short(old)} on its main line>, or leave --ref out for the platform's HEAD.`,
    );
  return [old, next];
}

function platformVersion(platform: PlatformRepository, commit: string): string {
  try {
    return platformVersionAt(platform.root, commit);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function platformName(platform: PlatformRepository, commit: string): string | undefined {
  const text = fileAt(platform.root, commit, 'package.json');
  const name = text === null ? undefined : (JSON.parse(text) as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

interface Report {
  recorded: RecordedRelease;
  release: RecordedRelease;
  commits: string[];
  plan: PlatformUpgradePlan;
  dryRun: boolean;
}

/** The platform commits moved across, the files by outcome, platform.json, and the next steps. */
function formatReport({ recorded, release, commits, plan, dryRun }: Report): string {
  const [old, next] = [short(recorded.platformCommit), short(release.platformCommit)];
  const lines = [
    `platform-upgrade${dryRun ? ' (dry run: nothing written)' : ''}: ${release.platform} ${recorded.platformVersion} → ${release.platformVersion}, platform ${old}..${next}, ${commits.length} commit${commits.length === 1 ? '' : 's'}:`,
    ...commits.map((commit) => `    ${commit}`),
  ];
  for (const outcome of OUTCOMES) {
    const changes = plan.changes.filter((change) => change.outcome === outcome);
    const meaning = changes.length > 0 ? OUTCOME_MEANING[outcome] : undefined;
    // Files the team never touched can be hundreds: counted (`git diff --stat` lists them), not named.
    const names = outcome === 'updated' ? [] : changes.map((change) => change.path);
    const described = [names.join(', '), meaning && `(${meaning})`].filter(Boolean).join(' ');
    lines.push(`  ${outcome.padEnd(12)} ${String(changes.length).padStart(4)}  ${described}`.trimEnd());
  }
  for (const change of plan.changes.filter((candidate) => candidate.note))
    lines.push(`  ${change.path}: ${change.note}`);
  const [added, removed] = [
    release.copied.filter((path) => !recorded.copied.includes(path)).length,
    recorded.copied.filter((path) => !release.copied.includes(path)).length,
  ];
  lines.push(
    `platform.json${dryRun ? ' would record' : ':'} platformCommit ${next}, platformVersion ${release.platformVersion}; copied files: ${added} added, ${removed} removed.`,
  );
  if (dryRun) return `${lines.join('\n')}\n`;

  const conflicts = plan.changes.some((change) => change.outcome === 'conflicted');
  lines.push(
    '',
    conflicts ? 'Next, once the conflicts below are resolved:' : 'Next:',
    ...(plan.packagesChanged
      ? [
          '  npm install                                   # the platform’s dependency versions, into node_modules and the lockfile',
        ]
      : []),
    `  git add -A && git commit -m "platform upgrade ${old}..${next}"`,
    `  ${UPGRADE} --all   # your services onto the new templates, which it reads from that commit`,
  );
  return `${lines.join('\n')}\n`;
}

function formatConflicts(conflicted: PlatformUpgradePlan['changes'], dryRun: boolean): string {
  const files = conflicted.map(
    (change) =>
      `  ${change.path}${change.conflicts ? ` (${change.conflicts} conflict${change.conflicts === 1 ? '' : 's'})` : ''}`,
  );
  if (dryRun)
    return `\nConflicts the upgrade would write, where you and the platform changed the same lines:\n${files.join('\n')}\n`;
  return [
    '',
    `Conflicts: ${conflicted.length} file${conflicted.length === 1 ? '' : 's'} you and the platform both changed in the same lines, written with git's conflict markers:`,
    ...files,
    'In each, keep what you want between <<<<<<< (yours) and >>>>>>> (the platform’s) and delete the marker lines.',
    'Until then the workspace’s `npm test` fails before anything else runs (a conflict never reaches a build), and the',
    'next platform upgrade refuses to start. Then the next steps above.',
    '',
  ].join('\n');
}

function listed(files: readonly string[]): string {
  const shown = files.slice(0, MAX_LISTED).join(', ');
  return files.length > MAX_LISTED ? `${shown} and ${files.length - MAX_LISTED} more (\`git status\`)` : shown;
}

const short = (commit: string) => commit.slice(0, 7);
