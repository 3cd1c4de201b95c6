/** Entry point of `npm run drift` and of each service's `drift` target; the command is command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './command';

runMain('drift', main);
