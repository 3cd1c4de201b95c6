import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree.js';
import type { Tree } from '@nx/devkit';
import { UsageError } from '@musiccorp/core/cli';
import { formatJson } from '@musiccorp/core/json-format';
import { normalizeOptions as normalizeTeamOptions } from '@musiccorp/generators/src/team/lib/normalize-options';
import type { TeamGeneratorSchema } from '@musiccorp/generators/src/team/schema';
import { PLATFORM_TEAM, TEAMS_FILE, TEAMS_SCHEMA_FILE, type Team } from '@musiccorp/core/teams';
import { readTeams } from '@musiccorp/generators/src/utils/teams';

/** The platform's teams registry, read (and validated) once: the source of the platform team and of listed teams. */
export interface PlatformTeams {
  platform: Team;
  listed: Team[];
  schemaText: string;
}

export function readPlatformTeams(platformRoot: string): PlatformTeams {
  const listed = readTeams(new FsTree(platformRoot, false));
  const platform = listed.find((team) => team.id === PLATFORM_TEAM);
  if (!platform) throw new Error(`${TEAMS_FILE} of the platform has no "${PLATFORM_TEAM}" team; restore it from git.`);
  return { platform, listed, schemaText: readFileSync(join(platformRoot, TEAMS_SCHEMA_FILE), 'utf8') };
}

export function listedTeam(teams: PlatformTeams, id: string | undefined): Team | undefined {
  return teams.listed.find((team) => team.id === id?.trim());
}

/**
 * A new workspace's registry before its team is added: the platform team alone, with the workspace's team as the
 * default owner (the CODEOWNERS catch-all). The platform team stays listed as the reviewer of the copied generators,
 * templates and tools (platform/codeowners.extra).
 */
export function seedRegistry(tree: Tree, teams: PlatformTeams, teamId: string): void {
  tree.write(TEAMS_SCHEMA_FILE, teams.schemaText);
  tree.write(TEAMS_FILE, formatJson({ $schema: './teams.schema.json', defaultOwner: teamId, teams: [teams.platform] }));
}

/**
 * The team generator's options for the workspace's team: a team the platform lists keeps its name, members and
 * contact (flags override them); any other team needs --members. Checked with the team generator's own rules (id,
 * handle, members, contact), against the registry the workspace will have, so nothing is created for a bad team.
 */
export function resolveTeam(
  teams: PlatformTeams,
  args: { team?: string; handle?: string; members?: string },
  target: string,
): { options: TeamGeneratorSchema; team: Team } {
  const id = args.team?.trim() ?? '';
  if (id === '')
    throw new UsageError('--team is required: the id of the team that owns the workspace, e.g. --team=royalties.');
  if (id === PLATFORM_TEAM) {
    throw new UsageError(
      `--team=${PLATFORM_TEAM} is the platform team, which works in the platform repository itself; a per-team workspace is for a product team, e.g. --team=${teams.listed.find((team) => team.id !== PLATFORM_TEAM)?.id ?? 'royalties'}.`,
    );
  }
  const listed = listedTeam(teams, id);
  const options: TeamGeneratorSchema = {
    id,
    ...(args.handle !== undefined && { handle: args.handle }),
    ...(listed && { name: listed.name, contact: listed.contact }),
    ...((args.members ?? listed?.members) !== undefined && { members: args.members ?? listed?.members }),
  };
  // A Tree over the (empty or absent) target folder, in memory only: it is never flushed.
  const tree = new FsTree(target, false);
  seedRegistry(tree, teams, id);
  try {
    const normalized = normalizeTeamOptions(tree, options);
    return { options, team: normalized.team };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
