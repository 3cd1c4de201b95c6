/** Entry point of the workflow dry run; the command is workflows/dry-run.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './workflows/dry-run';

runMain('dry-run', main);
