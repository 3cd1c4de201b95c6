/** Entry point of `npm run demo`; the command is demo.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './demo';

runMain('demo', main);
