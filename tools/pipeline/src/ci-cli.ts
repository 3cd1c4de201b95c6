/** Entry point of `npm run ci`; the command is ci.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './ci';

runMain('ci', main);
