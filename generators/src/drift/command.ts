/**
 * `npm run drift -- [<service>…]` and each service's `nx run <service>:drift`: the drift check (drift.ts) as a
 * command, in any workspace the platform made (this one, or a team's own), against that workspace's services and the
 * template commits their provenance records — as `main(argv, out, err)`; cli.ts runs it.
 */
import { workspaceRoot } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { CommandLine } from '@musiccorp/core/cli';
import { listServices, type ServiceInfo } from '@musiccorp/core/services';
import { checkDrift, describeFinding, type DriftReport } from './drift';

const DRIFT = new CommandLine({
  name: 'drift',
  usage: 'npm run drift -- [<service>…] [--json]',
  help: `Checks that each service's platform-owned files (all but the teamOwned globs of its template.json) are exactly
what its template rendered at the commit its template-provenance.json records. No service named: every service.
  --json  one JSON document on stdout: [{"service", "folder", "comparedWith", "findings", "behind"}]
Exit codes: 0 no drift, 1 drift (or a service the check cannot read), 2 bad arguments or an unknown service.`,
  flags: { json: { type: 'boolean' } },
  positionals: { expected: 'service names', min: 0 },
});

const UPGRADE = 'npx nx g @musiccorp/generators:upgrade';

export const main = DRIFT.main(({ flags, positionals }, { out, err }, root: string = workspaceRoot) => {
  const services = listServices(new FsTree(root, false));
  const unknown = positionals.filter((name) => !services.some((service) => service.name === name));
  if (unknown.length > 0)
    throw DRIFT.refuse(
      `Unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}. Services: ${services.map((service) => service.name).join(', ') || '(none)'}.`,
    );
  const checked = positionals.length ? services.filter((service) => positionals.includes(service.name)) : services;
  const results = checked.map((service) => check(root, service));
  if (flags.json) out.write(`${JSON.stringify(results.map(toJson), null, 2)}\n`);
  else for (const result of results) out.write(`${formatResult(result)}\n`);
  const failed = results.filter((result) => 'error' in result || result.report.findings.length > 0);
  if (failed.length > 0 && !flags.json)
    err.write(
      `drift: ${failed.length} of ${results.length} service${results.length > 1 ? 's' : ''} failed the check.\n`,
    );
  return failed.length > 0 ? 1 : 0;
});

type Result = { service: ServiceInfo; report: DriftReport } | { service: ServiceInfo; error: string };

function check(root: string, service: ServiceInfo): Result {
  try {
    return { service, report: checkDrift(root, service.root) };
  } catch (error) {
    return { service, error: (error as Error).message };
  }
}

function toJson(result: Result) {
  const base = { service: result.service.name, folder: result.service.root };
  return 'error' in result ? { ...base, error: result.error } : { ...base, ...result.report };
}

export function formatResult(result: Result): string {
  const { name } = result.service;
  if ('error' in result) return `${name}: cannot check — ${result.error}`;
  const { findings, comparedWith, behind, folder } = result.report;
  if (findings.length === 0) {
    const upgrade = behind.length
      ? `; the current template would change ${behind.length} platform-owned file${behind.length > 1 ? 's' : ''} (\`${UPGRADE} ${name}\`)`
      : '';
    return `${name}: no drift from ${comparedWith}${upgrade}`;
  }
  return [
    `${name}: DRIFT — ${findings.length} platform-owned file${findings.length > 1 ? 's' : ''} of ${folder} no longer as ${comparedWith} rendered ${findings.length > 1 ? 'them' : 'it'}:`,
    ...findings.map((finding) => `  ${describeFinding(finding)}`),
    `  Fix: platform-owned files are the platform's, re-rendered by every upgrade. Undo the hand edit (\`git log -p -- ${folder}/<file>\` finds it) and`,
    `  make the change in a team-owned file, or propose it to templates/ so every service gets it through \`${UPGRADE}\`.`,
  ].join('\n');
}
