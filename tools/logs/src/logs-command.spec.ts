import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './logs-command';
import { serviceLogFile } from './run-folder';
import {
  NOT_JSON,
  ORDER,
  OTHER_ORDER,
  T0,
  createFixtureWorkspace,
  fixtureLines,
  type FixtureWorkspace,
} from './testing/fixture-run';

let fixture: FixtureWorkspace;
beforeEach(() => {
  fixture = createFixtureWorkspace();
});
afterEach(() => fixture.dispose());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function logs(argv: string[], options: { stdin?: Readable; signal?: AbortSignal } = {}): Promise<Run> {
  return runCaptured(main, argv, { root: fixture.root, now: () => T0 + 250, ...options });
}

const lines = (stdout: string) => stdout.split('\n').filter(Boolean);
const messages = (stdout: string) => lines(stdout).map((line) => (JSON.parse(line) as { msg: string }).msg);
const allLines = () => Object.values(fixtureLines()).flat();

describe('npm run logs', () => {
  it('reads the latest run, every service merged by time, readable, text lines marked and counted', async () => {
    const { code, stdout, stderr } = await logs([]);
    expect(code).toBe(0);
    const printed = lines(stdout);
    expect(printed).toHaveLength(allLines().filter((line) => line.trim()).length);
    expect(printed.slice(0, 4).map((line) => line.split(/\s+/)[1])).toEqual([
      'order-processor',
      'inventory',
      'payment',
      'customer',
    ]);
    expect(printed).toContain(
      '10:00:00.028 inventory       INFO  request completed [order-42] POST /reservations → 200 20ms',
    );
    expect(printed).toContain(`·            payment         TEXT  ${NOT_JSON}`);
    expect(stdout).not.toContain('from yesterday'); // the older run
    expect(stderr).toBe(
      `logs: ${printed.length} matching lines; ${printed.length} lines (0.0 MB) of run .musiccorp/runs/${fixture.runId} read; 1 not JSON (marked TEXT).\n`,
    );
  });

  it("--correlation with --json: that request's lines as written, in time order, from every service", async () => {
    const { stdout, stderr } = await logs([`--correlation=${ORDER}`, '--json']);
    const expected = allLines().filter((line) => line.includes(`"correlationId":"${ORDER}"`));
    expect(lines(stdout).sort()).toEqual([...expected].sort());
    const times = lines(stdout).map((line) => (JSON.parse(line) as { time: number }).time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(stdout).not.toContain(OTHER_ORDER);
    expect(stderr).toContain(`scanned for "${ORDER}"`);
  });

  it('filters on service, level, time and any field, together', async () => {
    expect(messages((await logs(['--service=payment,customer', '--level=warn', '--json'])).stdout)).toEqual([
      'card processor unreachable',
    ]);
    expect(messages((await logs(['--level=50', '--json'])).stdout)).toEqual(['card processor unreachable']);
    expect(messages((await logs(['--since=120ms', `--correlation=${ORDER}`, '--json'])).stdout)).toEqual([
      'customer notified',
      'event consumed',
      'request completed',
    ]);
    expect(messages((await logs(['--since=2026-12-02T10:00:00.299Z', '--json'])).stdout)).toEqual([
      'request completed',
    ]);
    expect(messages((await logs(['status=502', 'kind=http.client', '--json'])).stdout)).toEqual([
      'http call completed',
    ]);
    expect(messages((await logs(['err.message=connect ECONNREFUSED 10.0.0.9:443', '--json'])).stdout)).toEqual([
      'card processor unreachable',
    ]);
    expect(messages((await logs(['compensation=true', '--json'])).stdout)).toEqual(['reservation released']);
  });

  it('leaves text lines out of --json and whenever a field filter is given, counting them', async () => {
    const json = await logs(['--json']);
    expect(json.stdout).not.toContain(NOT_JSON);
    for (const line of lines(json.stdout)) JSON.parse(line);
    expect(json.stderr).toContain('1 not JSON (left out)');
    expect((await logs(['--service=payment'])).stdout).not.toContain(NOT_JSON);
  });

  it('reads the files and folders given, or stdin, instead of the latest run', async () => {
    const payment = serviceLogFile(fixture.runDir, 'payment');
    const fromFile = await logs(['--json', '--level=error', payment]);
    expect(messages(fromFile.stdout)).toEqual(['card processor unreachable']);
    expect(fromFile.stderr).toContain('of 1 file');
    const fromFolder = await logs(['--json', fixture.olderRunDir]);
    expect(messages(fromFolder.stdout)).toEqual(['from yesterday']);
    const piped = Readable.from([fixtureLines().payment.join('\n')]);
    const fromStdin = await logs([`--correlation=${ORDER}`], { stdin: piped });
    expect(lines(fromStdin.stdout)).toHaveLength(2);
    expect(fromStdin.stderr).toContain('of stdin');
    const run = await logs(['--json', `--run=${fixture.olderRunDir.split('/').at(-1)}`]);
    expect(messages(run.stdout)).toEqual(['from yesterday']);
  });

  it('refuses, naming the fix: bad flags, files that do not exist, --run with files, no runs', async () => {
    const bad = await logs(['--level=loud']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('logs: --level=loud is not a level');
    expect((await logs(['--since=soon'])).stderr).toContain('--since=soon is neither an ISO time');
    expect((await logs(['--service=,'])).stderr).toContain('--service=, names no service: --service=catalog,payment.');
    expect((await logs(['missing.log'])).stderr).toBe('logs: missing.log: no such file or folder.\n');
    expect((await logs([`--run=latest`, 'x.log'])).stderr).toContain('give --run or files, not both');
    expect((await logs(['-'])).stderr).toContain('`-` reads stdin, but nothing is piped in');
    fixture.dispose();
    const none = await logs([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('start one with `npm run dev`');
  });

  it("--follow prints lines as the files grow, a new service's file too, and stops when told", async () => {
    const controller = new AbortController();
    let stdout = '';
    const following = main(
      ['--follow', '--json', `--correlation=${ORDER}`],
      { write: (text: string) => (stdout += text) },
      { write: () => true },
      { root: fixture.root, signal: controller.signal },
    );
    const appeared = async (text: string) => {
      for (let tries = 0; !stdout.includes(text); tries++) {
        if (tries > 500) throw new Error(`--follow did not print ${text} in 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await appeared('"customer notified"');
    const line = (msg: string, service = 'inventory') =>
      JSON.stringify({ level: 'info', time: T0 + 500, service, correlationId: ORDER, msg });
    // Half a line first: it is printed once its line break is written.
    appendFileSync(serviceLogFile(fixture.runDir, 'inventory'), line('appended').slice(0, 20));
    appendFileSync(
      serviceLogFile(fixture.runDir, 'inventory'),
      `${line('appended').slice(20)}\n${line('other', 'x').replace(ORDER, OTHER_ORDER)}\n`,
    );
    await appeared('"appended"');
    writeFileSync(join(fixture.runDir, 'search.log'), `${line('from a new service', 'search')}\n`);
    await appeared('"from a new service"');
    controller.abort();
    expect(await following).toBe(0);
    expect(stdout).not.toContain(OTHER_ORDER);
    expect(messages(stdout).filter((msg) => msg === 'appended')).toHaveLength(1);
  });

  it('has a --help that names every filter', async () => {
    const { code, stdout } = await logs(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--correlation',
      '--service',
      '--level',
      '--since',
      'field=value',
      '--follow',
      '--json',
      '--run',
    ])
      expect(stdout).toContain(flag);
  });
});
