/** Entry point of `npm run owners` (run bundled by tools/core/bin/run.mjs); the commands live in command.ts. */
import { main } from './command';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`owners: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
