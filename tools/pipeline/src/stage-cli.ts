/** Entry point of a service's Nx targets artifact, slow-test, perf and deploy; the command is stage.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './stage';

runMain('stage', main);
