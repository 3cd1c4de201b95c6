/** Entry point of `npm run create-workspace`; the command is command.ts. */
import { main } from './command';

// process.exit, not exitCode: after Ctrl-C, the interrupt's grace timer (create-workspace.ts) would hold the process.
process.exit(await main(process.argv.slice(2)));
