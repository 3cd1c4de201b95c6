import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { FsTree } from 'nx/src/generators/tree.js';
import { DERIVED, isCopied, listPlatformFiles } from '@musiccorp/core/workspace/platform-files';
import { PLATFORM_FILE, platformProvenance, type PlatformProvenance } from '@musiccorp/core/workspace/provenance';
import { seedRegistry, type PlatformTeams } from './team';
import {
  withoutEmptyTestTarget,
  workspacePackageJson,
  workspacePackageLock,
  type WorkspacePackage,
} from '@musiccorp/core/workspace/transforms';
import { formatJson } from '@musiccorp/core/json-format';
import { renderTemplate, templateDir, type Answers } from '@musiccorp/core/render';
import { teamGenerator } from '@musiccorp/generators/src/team/generator';
import type { TeamGeneratorSchema } from '@musiccorp/generators/src/team/schema';
import type { Team } from '@musiccorp/core/teams';

export const WORKSPACE_TEMPLATE = 'workspace';

export interface WorkspaceFile {
  /** POSIX path relative to the workspace root. */
  path: string;
  content: Buffer;
  executable: boolean;
}

export interface ComposeInput {
  platformRoot: string;
  teams: PlatformTeams;
  team: Team;
  teamOptions: TeamGeneratorSchema;
}

export interface ComposedWorkspace {
  files: WorkspaceFile[];
  provenance: PlatformProvenance;
  package: WorkspacePackage;
}

/**
 * Every file of the new workspace, in memory: the platform's files it gets (transformed where noted), the
 * workspace template rendered with the one render module, then the platform's own team generator adding the team to
 * platform/teams.json and rendering CODEOWNERS, on an Nx Tree holding exactly those files. Writes nothing.
 */
export async function composeWorkspace(input: ComposeInput): Promise<ComposedWorkspace> {
  const { platformRoot, team } = input;
  const read = (path: string) => readFileSync(join(platformRoot, path));
  const templatesRoot = join(platformRoot, 'templates');
  const copied = listPlatformFiles(platformRoot).filter((path) => isCopied(path) && exists(platformRoot, path));

  const files = new Map<string, WorkspaceFile>();
  const add = (path: string, content: Buffer | string, executable = false) =>
    files.set(path, { path, content: Buffer.isBuffer(content) ? content : Buffer.from(content), executable });

  for (const path of copied) {
    const content =
      posix.basename(path) === 'project.json'
        ? withoutEmptyTestTarget(read(path).toString('utf8'), posix.dirname(path), copied)
        : read(path);
    add(path, content, isExecutable(platformRoot, path));
  }

  const platformPackage = read(DERIVED[0]).toString('utf8');
  const platformName = (JSON.parse(platformPackage) as { name: string }).name;
  const pkg: WorkspacePackage = {
    name: `@musiccorp/${team.id}-workspace`,
    version: '0.0.0',
    description: `The ${team.name} team's services: a per-team monorepo created from the MusicCorp platform.`,
  };
  add(
    'package.json',
    workspacePackageJson(platformPackage, pkg, (path) => files.has(path)),
  );
  add(
    'package-lock.json',
    workspacePackageLock(read(DERIVED[1]).toString('utf8'), pkg, (path) => files.has(path)),
  );

  const provenance = platformProvenance(platformRoot, platformName, copied);
  add(PLATFORM_FILE, formatJson(provenance));

  const answers: Answers = {
    team: team.id,
    teamHandle: team.handle,
    teamName: team.name,
    platformHandle: input.teams.platform.handle,
    packageName: pkg.name,
    platformVersion: provenance.platformVersion,
    platformCommit: provenance.platformCommit?.slice(0, 12) ?? 'outside git',
  };
  for (const file of renderTemplate(WORKSPACE_TEMPLATE, answers, templatesRoot)) {
    add(file.path, file.content);
  }

  // Every workspace file is in the Tree, so its root folder is only globbed for project files: it must hold none, and
  // must not be empty (Nx's native file index can wait forever on an empty folder). The workspace template's is both.
  const tree = new FsTree(templateDir(WORKSPACE_TEMPLATE, templatesRoot), false);
  for (const file of files.values()) tree.write(file.path, file.content);
  seedRegistry(tree, input.teams, team.id);
  await teamGenerator(tree, input.teamOptions);
  for (const change of tree.listChanges()) {
    if (change.type !== 'DELETE' && change.content)
      add(change.path, change.content, files.get(change.path)?.executable);
  }
  return { files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)), provenance, package: pkg };
}

function exists(root: string, path: string): boolean {
  try {
    return statSync(join(root, path)).isFile();
  } catch {
    return false; // deleted but not yet staged
  }
}

function isExecutable(root: string, path: string): boolean {
  return (statSync(join(root, path)).mode & 0o111) !== 0;
}
