import type { Stats } from 'node:fs';
import Generator, { type BaseOptions } from 'yeoman-generator';
import { UsageError } from '@musiccorp/core/cli';
import { initialCommit, npmInstall } from './commands';
import { composeWorkspace } from './compose';
import type { CreateWorkspaceArgs } from './options';
import type { Step, StepList } from './progress';
import { assertTargetUsable, resolveTarget, targetProblem } from './staging';
import { listedTeam, readPlatformTeams, resolveTeam, type PlatformTeams } from './team';
import type { TeamGeneratorSchema } from '@musiccorp/generators/src/team/schema';
import type { Team } from '@musiccorp/core/teams';

export interface WorkspaceOptions {
  args: CreateWorkspaceArgs;
  platformRoot: string;
  /** Ask for missing options (a terminal); otherwise a missing option is an error naming the flag. */
  interactive: boolean;
  steps: StepList;
  signal: AbortSignal;
  /** Creates the folder the workspace is built in, once the target is known and valid; returns its path. */
  openStaging(target: string): string;
  /** What was created, filled in as the run goes. */
  result: CreatedWorkspace;
}

export type WorkspaceGeneratorOptions = BaseOptions & WorkspaceOptions;

export interface CreatedWorkspace {
  target?: string;
  team?: Team;
  files?: number;
  commit?: string;
}

/**
 * The yeoman generator behind `npm run create-workspace`: asks for what is missing, checks everything, composes the
 * workspace in memory and lets yeoman write it into the staging folder, then installs and commits it. Moving the
 * finished folder into place, and removing it on any failure, is the runner's job (create-workspace.ts).
 */
export class WorkspaceGenerator extends Generator<Record<string, never>, WorkspaceGeneratorOptions> {
  private teams!: PlatformTeams;
  private answers: { dir?: string; team?: string; members?: string } = {};
  private teamOptions?: TeamGeneratorSchema;
  private writeStep?: Step;

  initializing(): void {
    const { args, platformRoot, interactive } = this.options;
    this.teams = readPlatformTeams(platformRoot);
    this.answers = { dir: args.dir, team: args.team, members: args.members };
    // What was given is checked before asking for the rest.
    if (args.dir !== undefined) assertTargetUsable(resolveTarget(args.dir));
    if (args.team !== undefined) {
      // The id and handle are checked now, with stand-in members when they are still to be asked for.
      const members = args.members ?? this.teams.platform.members.join(',');
      resolveTeam(this.teams, { team: args.team, handle: args.handle, members }, resolveTarget(args.dir ?? '.'));
    }
    const missing = this.missing();
    if (!interactive && missing.length > 0) {
      throw new UsageError(
        `Missing ${missing.join(' and ')} (no terminal to ask in): npm run create-workspace -- <dir> --team=<id>${missing.includes('--members') ? ' --members=<github-user>,…' : ''}`,
      );
    }
  }

  async prompting(): Promise<void> {
    if (!this.options.interactive) return;
    if (this.answers.dir === undefined) {
      const { dir } = await this.prompt<{ dir: string }>({
        type: 'input',
        name: 'dir',
        message: 'Folder of the new workspace (must not exist yet, or be empty)?',
        validate: (value: string) =>
          value.trim() === '' ? 'A folder is required.' : (targetProblem(resolveTarget(value.trim())) ?? true),
      });
      this.answers.dir = dir.trim();
    }
    if (this.answers.team === undefined) {
      const { team } = await this.prompt<{ team: string }>({
        type: 'input',
        name: 'team',
        message: `Which team owns it (kebab-case id; listed in the platform: ${this.productTeams().join(', ')})?`,
      });
      this.answers.team = team.trim();
    }
    if (this.missing().includes('--members')) {
      const { members } = await this.prompt<{ members: string }>({
        type: 'input',
        name: 'members',
        message: `The platform does not list team "${this.answers.team}". Its members' GitHub usernames, comma-separated?`,
      });
      this.answers.members = members;
    }
  }

  configuring(): void {
    const target = resolveTarget(this.answers.dir ?? '');
    assertTargetUsable(target);
    const { team, options } = resolveTeam(this.teams, { ...this.answers, handle: this.options.args.handle }, target);
    this.teamOptions = options;
    Object.assign(this.options.result, { target, team });
    this.destinationRoot(this.options.openStaging(target));
  }

  async writing(): Promise<void> {
    const { steps, platformRoot, result, signal } = this.options;
    signal.throwIfAborted();
    const [team, teamOptions] = [result.team, this.teamOptions];
    if (!team || !teamOptions) throw new Error('The team was not resolved before writing.');
    const composed = await steps.run(
      'Compose the workspace from the platform',
      () =>
        composeWorkspace({
          platformRoot,
          teams: this.teams,
          team,
          teamOptions,
        }),
      ({ files, provenance }) =>
        `${files.length} files, platform ${provenance.platformVersion} @ ${provenance.platformCommit?.slice(0, 12) ?? 'outside git'}`,
    );
    for (const file of composed.files) {
      const stat = { mode: file.executable ? 0o755 : 0o644 } as Stats;
      this.fs.write(this.destinationPath(file.path), file.content, { stat });
    }
    result.files = composed.files.length;
    // yeoman writes its in-memory files to disk between the writing and install priorities.
    this.writeStep = steps.start('Write the files');
  }

  async install(): Promise<void> {
    const { steps, args, signal } = this.options;
    this.writeStep?.done();
    signal.throwIfAborted();
    if (!args.install) {
      steps.start('npm install').skip('--no-install (run `npm ci` in the workspace)');
      return;
    }
    await steps.run('npm install (from the local npm cache)', () => npmInstall(this.destinationRoot(), signal));
  }

  end(): void {
    const { steps, args, signal, result } = this.options;
    signal.throwIfAborted();
    if (!args.git) {
      steps.start('git init and initial commit').skip('--no-git');
      return;
    }
    const step = steps.start('git init and initial commit');
    try {
      result.commit = initialCommit(
        this.destinationRoot(),
        `Create the ${result.team?.name} team's workspace from the MusicCorp platform`,
      );
      step.done(result.commit.slice(0, 12));
    } catch (error) {
      step.fail();
      throw error;
    }
  }

  private missing(): string[] {
    const missing: string[] = [];
    if (this.answers.dir === undefined) missing.push('<dir>');
    if (this.answers.team === undefined) missing.push('--team');
    else if (this.answers.members === undefined && !listedTeam(this.teams, this.answers.team))
      missing.push('--members');
    return missing;
  }

  private productTeams(): string[] {
    return this.teams.listed.map((team) => team.id).filter((id) => id !== this.teams.platform.id);
  }
}
