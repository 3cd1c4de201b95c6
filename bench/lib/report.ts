import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { BENCH_ROOT, WORKSPACE_ROOT } from './paths';

/** A target on one figure: either on the ours/anchor ratio or on ours alone. */
export interface Target {
  on: 'ratio' | 'ours';
  op: '<=' | '>=';
  value: number;
  /** How the target is shown, e.g. "≤ 0.8" or "≤ 300 ms". */
  label: string;
}

export interface Row {
  metric: string;
  unit: string;
  ours: number;
  /** null when the anchor has no counterpart for this figure. */
  anchor: number | null;
  /** Decimal places for ours/anchor. */
  digits?: number;
  target?: Target;
}

export interface EvaluatedRow extends Row {
  ratio: number | null;
  /** null when the row has no target. */
  pass: boolean | null;
}

export function evaluate(row: Row): EvaluatedRow {
  const ratio = row.anchor === null || row.anchor === 0 ? null : row.ours / row.anchor;
  let pass: boolean | null = null;
  if (row.target) {
    const value = row.target.on === 'ratio' ? ratio : row.ours;
    pass = value === null ? false : row.target.op === '<=' ? value <= row.target.value : value >= row.target.value;
  }
  return { ...row, ratio, pass };
}

export interface Environment {
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  loadAverage1m: number;
  nx: string | null;
  commit: string | null;
}

/** The 1-minute load average; os.loadavg() gives 0 where the platform has none. */
export function loadAverage1m(): number {
  const [oneMinute = 0] = loadavg();
  return oneMinute;
}

export async function environment(): Promise<Environment> {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  })();
  const nx = await readFile(join(WORKSPACE_ROOT, 'node_modules', 'nx', 'package.json'), 'utf8')
    .then((raw) => (JSON.parse(raw) as { version: string }).version)
    .catch(() => null);
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    loadAverage1m: Math.round(loadAverage1m() * 100) / 100,
    nx,
    commit,
  };
}

const format = (value: number | null, digits = 0) =>
  value === null
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function markdownTable(rows: readonly EvaluatedRow[], anchorName: string): string {
  const header = ['metric', 'ours', anchorName, 'ratio', 'target', 'result'];
  const body = rows.map((row) => [
    row.unit ? `${row.metric} (${row.unit})` : row.metric,
    format(row.ours, row.digits),
    format(row.anchor, row.digits),
    row.ratio === null ? '—' : row.ratio.toFixed(2),
    row.target?.label ?? '—',
    row.pass === null ? '—' : row.pass ? 'PASS' : 'FAIL',
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

export interface BenchResult {
  benchmark: string;
  /** Results file name (without extension) under bench/results; defaults to `benchmark`. */
  file?: string;
  title: string;
  /** What "ours" and the anchor are, one line each. */
  ours: string;
  anchor: string;
  anchorName: string;
  env: Environment;
  config: Record<string, unknown>;
  rows: EvaluatedRow[];
  /** Free-form observations printed under the table. */
  notes: string[];
  /** Raw samples and anything else worth keeping, JSON only. */
  raw: Record<string, unknown>;
}

export function renderMarkdown(result: BenchResult): string {
  const env = result.env;
  return [
    `# ${result.title}`,
    '',
    `- ours: ${result.ours}`,
    `- ${result.anchorName}: ${result.anchor}`,
    `- date: ${env.date} · node ${env.node} · nx ${env.nx ?? '?'} · ${env.cpu} × ${env.cores} · ${env.memoryGb} GB · linux ${env.kernel} · load(1m) at start ${env.loadAverage1m} · commit ${env.commit ?? '?'}`,
    `- config: ${Object.entries(result.config)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ')}`,
    '',
    markdownTable(result.rows, result.anchorName),
    '',
    ...(result.notes.length ? ['Notes:', '', ...result.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n');
}

/** Prints the markdown and writes bench/results/<name>.md and <name>.json. Returns the two paths. */
export async function saveResult(result: BenchResult): Promise<{ markdown: string; json: string }> {
  const dir = join(BENCH_ROOT, 'results');
  await mkdir(dir, { recursive: true });
  const name = result.file ?? result.benchmark;
  const markdown = join(dir, `${name}.md`);
  const json = join(dir, `${name}.json`);
  const text = renderMarkdown(result);
  process.stdout.write(`\n${text}\n`);
  await writeFile(markdown, text);
  await writeFile(json, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`Saved ${markdown} and ${json}\n`);
  return { markdown, json };
}
