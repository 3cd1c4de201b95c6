/** Entry point of `npm run pipeline`; the command is pipeline.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './pipeline';

runMain('pipeline', main);
