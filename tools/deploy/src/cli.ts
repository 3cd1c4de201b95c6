/** Entry point of `npm run deploy` (and of the pipeline's deploy stage); the command is command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './command';

runMain('deploy', main);
