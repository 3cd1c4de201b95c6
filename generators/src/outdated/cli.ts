/** Entry point of `npm run outdated`; the command is command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './command';

runMain('outdated', main);
