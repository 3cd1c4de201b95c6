/** Entry point of `npm run dev`; the command is dev/command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './dev/command';

runMain('dev', main);
