/** Entry point of `npm run trace`, run bundled by tools/core/bin/run.mjs; the command is trace-command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { interruptSignal, pipedStdin, quietOnClosedStdout } from './process-io';
import { main } from './trace-command';

quietOnClosedStdout();
runMain('trace', (argv) =>
  main(argv, process.stdout, process.stderr, { stdin: pipedStdin(), signal: interruptSignal() }),
);
