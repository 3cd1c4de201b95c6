/**
 * `npm run create-workspace`: a per-team Nx monorepo with the platform's generators, ownership and pipelines — as
 * `main(argv, out, err)`; cli.ts runs it. Exit codes: 0 created, 1 a step failed, 2 a usage problem (the message names
 * the fix), 130 interrupted.
 */
import { relative } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';
import { createWorkspace, InterruptedError } from './create-workspace';
import { CREATE_WORKSPACE, createWorkspaceArgs } from './options';

export const main = CREATE_WORKSPACE.main<[interactive?: boolean]>(
  async (line, { out, err }, interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY)) => {
    const args = createWorkspaceArgs(line);
    const nothingLeft = 'Nothing was created: the temporary folder was removed.';
    try {
      const created = await createWorkspace(args, { out, interactive });
      const where = relative(process.env.INIT_CWD ?? process.cwd(), created.target ?? '') || '.';
      out.write(`\nCreated ${created.target} for ${created.team?.handle}. Next:\n\n`);
      out.write(`  cd ${where}${args.install ? '' : ' && npm ci'}\n`);
      out.write(`  npx nx g @musiccorp/generators:service <name> --team=${created.team?.id}\n`);
      out.write('  npm test\n');
      return 0;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      if (error instanceof InterruptedError) {
        err.write(`\ncreate-workspace: ${error.message} ${nothingLeft}\n`);
        return 130;
      }
      err.write(`create-workspace: ${error instanceof Error ? error.message : String(error)}\n${nothingLeft}\n`);
      return 1;
    }
  },
);
