/** Entry point of `npm run artifacts`; the command is prune/command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './prune/command';

runMain('artifacts', main);
