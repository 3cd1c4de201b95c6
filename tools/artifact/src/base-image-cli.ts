/** Entry point of `npm run base-image`; the command is base-image/command.ts. */
import { runMain } from '@musiccorp/core/cli';
import { main } from './base-image/command';

runMain('base-image', main);
