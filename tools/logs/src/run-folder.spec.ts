import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  latestRun,
  listRuns,
  logFilesIn,
  newRunId,
  resolveRun,
  runFolder,
  serviceLogFile,
  serviceOfLogFile,
  workspaceRootOf,
} from './run-folder';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function workspace(): string {
  root = mkdtempSync(join(tmpdir(), 'musiccorp-runs-'));
  return root;
}

describe('the run folder layout', () => {
  it('names a run by its start time, so ids sort by time, and keeps each service in <service>.log', () => {
    const ids = [new Date('2026-12-02T09:59:59.999Z'), new Date('2026-12-02T10:00:00.000Z')].map((d) => newRunId(d));
    expect(ids).toEqual(['2026-12-02T09-59-59.999Z', '2026-12-02T10-00-00.000Z']);
    expect([...ids].reverse().sort()).toEqual(ids);
    const base = workspace();
    expect(serviceLogFile(runFolder(base, ids[0] ?? ''), 'catalog')).toBe(
      join(base, '.musiccorp', 'runs', '2026-12-02T09-59-59.999Z', 'catalog.log'),
    );
    expect(serviceOfLogFile('/x/order-processor.log')).toBe('order-processor');
  });

  it('resolves latest, a run id and a folder; lists only run folders, oldest first', () => {
    const base = workspace();
    const older = newRunId(new Date('2026-12-01T08:00:00Z'));
    const newer = newRunId(new Date('2026-12-02T08:00:00Z'));
    for (const id of [newer, older, 'notes']) mkdirSync(runFolder(base, id), { recursive: true });
    writeFileSync(join(base, '.musiccorp', 'runs', 'README'), 'not a run');
    expect(listRuns(base)).toEqual([older, newer]);
    expect(latestRun(base)).toBe(newer);
    expect(resolveRun(base)).toBe(runFolder(base, newer));
    expect(resolveRun(base, older)).toBe(runFolder(base, older));
    expect(resolveRun(base, runFolder(base, 'notes'))).toBe(runFolder(base, 'notes'));
  });

  it('says what exists when --run names none, and how to get a run when there is none', () => {
    const base = workspace();
    expect(() => resolveRun(base)).toThrow(/no run under .*\.musiccorp\/runs: start one with `npm run dev`/);
    const id = newRunId(new Date('2026-12-02T08:00:00Z'));
    mkdirSync(runFolder(base, id), { recursive: true });
    expect(() => resolveRun(base, '2026-12-03T08-00-00.000Z')).toThrow(
      `--run=2026-12-03T08-00-00.000Z is neither a run under ${join(base, '.musiccorp', 'runs')} nor a folder (the latest runs: ${id}).`,
    );
  });

  it("lists a folder's .log files by name", () => {
    const base = workspace();
    for (const name of ['payment.log', 'catalog.log', 'notes.txt']) writeFileSync(join(base, name), '');
    mkdirSync(join(base, 'broker.log'));
    expect(logFilesIn(base)).toEqual([join(base, 'catalog.log'), join(base, 'payment.log')]);
  });

  it('finds the workspace root (the folder with nx.json) from a subfolder', () => {
    const base = workspace();
    writeFileSync(join(base, 'nx.json'), '{}');
    mkdirSync(join(base, 'services', 'catalog'), { recursive: true });
    expect(workspaceRootOf(join(base, 'services', 'catalog'))).toBe(base);
  });
});
