/**
 * `npm run create-workspace -- <dir> --team=<id> [--handle=@musiccorp/<id>] [--members=a,b] [--no-install] [--no-git]`:
 * a per-team Nx monorepo with the platform's generators, ownership and pipelines. Exit codes: 0 created, 1 a step
 * failed, 2 a usage problem (the message names the fix), 130 interrupted.
 */
import { relative } from 'node:path';
import { UsageError } from '@musiccorp/core/usage-error';
import { createWorkspace, InterruptedError } from './create-workspace';
import { HELP, parseCreateWorkspaceArgs } from './options';

async function main(): Promise<number> {
  const args = parseCreateWorkspaceArgs(process.argv.slice(2));
  if (args.help) {
    console.log(HELP);
    return 0;
  }
  const created = await createWorkspace(args, {
    out: process.stdout,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  });
  const where = relative(process.env.INIT_CWD ?? process.cwd(), created.target ?? '') || '.';
  console.log(`\nCreated ${created.target} for ${created.team?.handle}. Next:\n`);
  console.log(`  cd ${where}${args.install ? '' : ' && npm ci'}`);
  console.log(`  npx nx g @musiccorp/generators:service <name> --team=${created.team?.id}`);
  console.log('  npm test');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const nothingLeft = 'Nothing was created: the temporary folder was removed.';
    if (error instanceof UsageError) {
      console.error(`create-workspace: ${error.message}`);
      process.exit(2);
    }
    if (error instanceof InterruptedError) {
      console.error(`\ncreate-workspace: ${error.message} ${nothingLeft}`);
      process.exit(130);
    }
    console.error(`create-workspace: ${error instanceof Error ? error.message : String(error)}\n${nothingLeft}`);
    process.exit(1);
  },
);
