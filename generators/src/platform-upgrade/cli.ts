/** Entry point of `npm run platform-upgrade` in a per-team workspace; the command is command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './command';

runMain('platform-upgrade', main);
