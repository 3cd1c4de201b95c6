/** Entry point of `npm run logs`, run bundled by tools/core/bin/run.mjs; the command is logs-command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { interruptSignal, pipedStdin, quietOnClosedStdout } from './process-io';
import { main } from './logs-command';

quietOnClosedStdout();
runMain('logs', (argv) =>
  main(argv, process.stdout, process.stderr, { stdin: pipedStdin(), signal: interruptSignal() }),
);
