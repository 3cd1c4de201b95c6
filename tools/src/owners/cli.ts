/** Entry point of `npm run owners` (tsx tools/src/owners/cli.ts); the commands live in command.ts. */
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
