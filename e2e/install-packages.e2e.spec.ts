/**
 * `.ci/install-packages` while another apt holds apt's locks, as on a CI machine where unattended-upgrades or a second
 * job is using apt. A real lock holder takes the package lists' lock (`apt-get update`'s) and the dpkg frontend lock
 * (`apt-get install`'s) the way apt does — an fcntl write lock, which `flock(1)` does not take, so apt would not wait
 * for it — and lets go of each only once the script has run into it: no sleeps, no timed assertions. The script must
 * wait out both and succeed. It names coreutils (always installed), so apt installs and downloads no package.
 *
 * Root only: it takes this machine's real apt locks (CI runs as root).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../.ci/install-packages', import.meta.url));
const LOCKS = { lists: '/var/lib/apt/lists/lock', frontend: '/var/lib/dpkg/lock-frontend' };

/**
 * Takes each lock as apt does (F_SETLKW, F_WRLCK: it first waits for a real apt run to finish), prints `locked`, then
 * for each name read on stdin prints `releasing <name>` and releases that lock. Everything is released when stdin
 * closes, and after 2 minutes at the latest.
 */
const HOLDER = `
import fcntl, os, signal, sys
signal.alarm(120)
fds = {}
for name, path in ${JSON.stringify(Object.entries(LOCKS))}:
    fds[name] = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(fds[name], fcntl.LOCK_EX)
print("locked", flush=True)
for line in sys.stdin:
    name = line.strip()
    print("releasing " + name, flush=True)
    os.close(fds.pop(name))
`;

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0)
    return "skipped: needs root, as it takes this machine's real apt locks (CI runs as root)";
  if (spawnSync('apt-get', ['--version']).status !== 0) return 'skipped: no apt-get here (not Debian)';
  if (spawnSync('python3', ['-c', 'import fcntl']).status !== 0) return 'skipped: no python3 to hold the locks with';
  return undefined;
}

const eachLine = (child: ChildProcess, onLine: (line: string) => void) => {
  for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
};

describe('.ci/install-packages', () => {
  it("waits for another apt's package lists lock and dpkg frontend lock, then succeeds", async (context) => {
    const reason = skipReason();
    if (reason) context.skip(reason);

    /** What happened, in order, each event once. */
    const events: string[] = [];
    const first = (event: string) => !events.includes(event) && events.push(event) > 0;
    let output = '';
    const holder = spawn('python3', ['-c', HOLDER], { stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        holder.on('error', reject);
        holder.on('exit', (code) => {
          if (!events.includes('locked'))
            reject(new Error(`the lock holder exited (${code}) before locking\n${output}`));
        });
        eachLine(holder, (line) => {
          if (line !== 'locked') {
            if (!first(line)) output += `holder: ${line}\n`;
            return;
          }
          first('locked');
          const script = spawn(SCRIPT, ['coreutils'], { stdio: ['ignore', 'pipe', 'pipe'] });
          script.on('error', reject);
          script.on('close', (code) => {
            first(`exit ${code}`);
            resolve(code);
          });
          eachLine(script, (text) => {
            output += `${text}\n`;
            if (text.includes(`Could not get lock ${LOCKS.lists}`) && first('update: lists lock held'))
              holder.stdin!.write('lists\n');
            if (
              text.includes(`Waiting for cache lock: Could not get lock ${LOCKS.frontend}`) &&
              first('install: waits')
            )
              holder.stdin!.write('frontend\n');
          });
        });
      });

      expect(exitCode, output).toBe(0);
      expect(events, output).toEqual([
        'locked',
        'update: lists lock held',
        'releasing lists',
        'install: waits',
        'releasing frontend',
        'exit 0',
      ]);
      expect(output).toMatch(/^0 upgraded, 0 newly installed, 0 to remove/m);
    } finally {
      holder.kill();
    }
  });
});
