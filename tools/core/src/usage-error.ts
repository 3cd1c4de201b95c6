/** UsageError lives in cli.ts; this path serves the importers not moved to `@musiccorp/core/cli` yet. */
export { UsageError } from './cli';
