/**
 * The three outputs of `contract check`. Each always says what was compared (the base ref, its merge base with the
 * head, the head) and which services were checked, so "no breaking changes" is never said about nothing.
 *  - human: one line per changed contract, then its changes, the verdict and the fix, the consumers that must move;
 *  - --json: the stable shape of `toJson` (documented in tools/contract/README.md);
 *  - --format=github: the same lines for the log, and GitHub workflow commands — `::error` for what fails the gate,
 *    `::warning` for a breaking change a major version allows (its consumers must move), `::notice` for the rest —
 *    escaped as the runner requires, so no annotation is lost or cut short.
 */
import type { Consumer } from '@musiccorp/core/consumers';
import type { CheckResult, ConsumedChange, ContractVerdict } from './check';
import { CONTRACT_KINDS } from './compare';

const count = (n: number, what: string) => `${n} ${what}`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fileName = (file: string) => file.slice(file.lastIndexOf('/') + 1);
const consumerText = (consumer: Consumer) =>
  `${consumer.service}${consumer.team ? ` (${consumer.team.handle})` : ''}` +
  (consumer.uses[0] === 'http' ? '' : `: ${consumer.uses.join(', ')}`);

/** `base main (--base), merge base 1a2b3c4 → working tree` */
export function comparedText(result: CheckResult): string {
  const { base, head } = result;
  const mergeBase =
    base.mergeBase === base.commit
      ? `${base.commit.slice(0, 7)}`
      : `${base.commit.slice(0, 7)}, merge base with the head ${base.mergeBase.slice(0, 7)}`;
  return `base ${base.ref} (${base.source}: ${mergeBase}) → ${head.ref}`;
}

/** `catalog: openapi.json base 1a2b3c4 → working tree: 2 breaking, 1 non-breaking — FAIL` */
export function contractLine(result: CheckResult, verdict: ContractVerdict): string {
  const counts =
    verdict.status === 'new'
      ? 'new contract (none at the base): non-breaking'
      : verdict.status === 'removed'
        ? 'removed (none at the head): breaking'
        : verdict.changes.length === 0
          ? 'the file changed, the contract did not (0 changes)'
          : `${count(verdict.breaking, 'breaking')}, ${count(verdict.nonBreaking, 'non-breaking')}`;
  const versions =
    verdict.baseVersion && verdict.headVersion && verdict.baseVersion !== verdict.headVersion
      ? `; version ${verdict.baseVersion} → ${verdict.headVersion}`
      : '';
  return (
    `${verdict.service}: ${fileName(verdict.file)} base ${result.base.mergeBase.slice(0, 7)} → ${result.head.ref}: ` +
    `${counts}${versions} — ${verdict.ok ? 'ok' : 'FAIL'}`
  );
}

function mustMove(verdict: ContractVerdict): string | null {
  if (!verdict.ok || verdict.breaking === 0) return null;
  const what = `${verdict.service}'s ${CONTRACT_KINDS[verdict.kind].what}`;
  if (verdict.consumers.length === 0) return `No service consumes ${what}: nobody has to move.`;
  const why =
    verdict.status === 'removed' ? 'the contract is removed' : `major ${verdict.baseVersion} → ${verdict.headVersion}`;
  return `Consumers that must move (${why}): ${verdict.consumers.map(consumerText).join('; ')}.`;
}

function consumedText(change: ConsumedChange): string {
  const what = `${change.producer}'s ${CONTRACT_KINDS[change.kind].what}`;
  const uses = change.kind === 'http' ? '' : ` (${change.uses.join(', ')})`;
  const versions =
    change.baseVersion && change.headVersion ? ` ${change.baseVersion} → ${change.headVersion}` : ' (new or removed)';
  const counts = `${count(change.breaking, 'breaking')}, ${count(change.nonBreaking, 'non-breaking')}`;
  const advice =
    change.breaking === 0
      ? 'nothing to do'
      : !change.producerOk
        ? `${change.producer}'s own check fails: it must raise its major or keep the old shape`
        : `move ${change.consumer} to the new shape`;
  return `${change.consumer} consumes ${what}${uses}, which changed:${versions}, ${counts}: ${advice}.`;
}

function summary(result: CheckResult): string[] {
  const lines = [`Contracts: ${comparedText(result)}.`];
  lines.push(`Checked ${plural(result.services.length, 'service')}: ${result.services.join(', ') || '(none)'}.`);
  if (result.withoutContract.length)
    lines.push(
      `No committed contract at the head, nothing to compare: ${result.withoutContract.join(', ')} ` +
        '(`npx nx sync` writes services/<name>/contract/).',
    );
  return lines;
}

function unchangedLine(result: CheckResult): string {
  const changed = new Set(result.contracts.map((verdict) => verdict.service));
  const unchanged = result.services.filter((service) => !changed.has(service));
  if (result.contracts.length === 0)
    return `No contract changed between ${result.base.mergeBase.slice(0, 7)} and ${result.head.ref}.`;
  return unchanged.length ? `Unchanged contracts: ${unchanged.join(', ')}.` : '';
}

function verdictLine(result: CheckResult): string {
  const failing = result.contracts.filter((verdict) => !verdict.ok).length;
  const undeclared = (result.declared ?? []).filter((entry) => !entry.ok).length;
  if (result.ok) return '✔ contract check passed: no breaking change without a new major version.';
  const parts = [
    ...(failing ? [`${plural(failing, 'contract')} ${failing === 1 ? 'fails' : 'fail'} the version rule`] : []),
    ...(undeclared ? [`${plural(undeclared, 'contract file')} not what the code declares`] : []),
  ];
  return `✖ contract check failed: ${parts.join('; ')}.`;
}

export function formatHuman(result: CheckResult): string {
  const lines = summary(result);
  for (const verdict of result.contracts) {
    lines.push('', contractLine(result, verdict));
    const width = Math.max(...verdict.changes.map((change) => change.rule.length));
    for (const change of verdict.changes)
      lines.push(
        `  ${change.verdict.padEnd('non-breaking'.length)}  ${change.rule.padEnd(width)}  ${change.location}: ${change.message}`,
      );
    if (verdict.problem) lines.push(`  ✖ ${verdict.problem}`);
    const move = mustMove(verdict);
    if (move) lines.push(`  ${move}`);
  }
  const unchanged = unchangedLine(result);
  if (unchanged) lines.push('', unchanged);
  if (result.consumed.length) lines.push('', ...result.consumed.map(consumedText));
  if (result.declared) {
    const wrong = result.declared.filter((entry) => !entry.ok);
    lines.push('');
    if (wrong.length === 0)
      lines.push(`Committed contracts are what the code declares (${plural(result.declared.length, 'file')}).`);
    for (const entry of wrong) lines.push(`✖ ${entry.file} ${entry.problem}.`);
  }
  lines.push('', verdictLine(result));
  return `${lines.join('\n')}\n`;
}

/** The --json document; its shape is documented in tools/contract/README.md ("The gate"). */
export function toJson(result: CheckResult) {
  return {
    ok: result.ok,
    base: result.base,
    head: result.head,
    services: result.services,
    withoutContract: result.withoutContract,
    contracts: result.contracts.map((verdict) => ({
      service: verdict.service,
      kind: verdict.kind,
      file: verdict.file,
      status: verdict.status,
      baseVersion: verdict.baseVersion,
      headVersion: verdict.headVersion,
      majorRaised: verdict.majorRaised,
      breaking: verdict.breaking,
      nonBreaking: verdict.nonBreaking,
      ok: verdict.ok,
      problem: verdict.problem,
      changes: verdict.changes.map(({ rule, verdict: kind, location, message }) => ({
        rule,
        verdict: kind,
        location,
        message,
      })),
      consumers: verdict.consumers.map(({ service, team, uses }) => ({ service, team, uses })),
    })),
    consumed: result.consumed,
    declared: result.declared,
    warnings: result.warnings,
  };
}

/** Workflow command data: `%`, CR and LF are escaped (the runner decodes them). */
export const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** Workflow command property values: also `:` and `,`, which would end the value. */
export const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

type Level = 'error' | 'warning' | 'notice';
function command(level: Level, message: string, properties: Record<string, string> = {}): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  return `::${level}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export function formatGithub(result: CheckResult): string {
  const lines = summary(result);
  for (const warning of result.warnings) lines.push(command('warning', `contract check: ${warning}`));
  for (const verdict of result.contracts) {
    lines.push(contractLine(result, verdict));
    const move = mustMove(verdict);
    for (const change of verdict.changes) {
      const level: Level = change.verdict === 'non-breaking' ? 'notice' : verdict.ok ? 'warning' : 'error';
      const text = `${verdict.service}: ${change.location}: ${change.message}${level === 'warning' && move ? `; ${move}` : ''}`;
      lines.push(command(level, text, { file: verdict.file, title: change.rule }));
    }
    if (verdict.problem)
      lines.push(
        command('error', `${verdict.service}: ${verdict.problem}`, {
          file: verdict.file,
          title: 'contract version rule',
        }),
      );
  }
  const unchanged = unchangedLine(result);
  if (unchanged) lines.push(unchanged);
  for (const change of result.consumed)
    lines.push(
      command(change.breaking > 0 ? 'warning' : 'notice', consumedText(change), {
        file: change.file,
        title: `${change.consumer} consumes a changed contract`,
      }),
    );
  for (const entry of result.declared ?? []) {
    if (!entry.ok)
      lines.push(
        command('error', `${entry.file} ${entry.problem}.`, {
          file: entry.file,
          title: 'contract not in sync with the code',
        }),
      );
  }
  lines.push(verdictLine(result));
  return `${lines.join('\n')}\n`;
}
