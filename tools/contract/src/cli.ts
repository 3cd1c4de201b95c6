/** Entry point of `npm run contract`, run bundled by tools/core/bin/run.mjs; the command is command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './command';

runMain('contract', main);
