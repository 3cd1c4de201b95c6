import { describe, expect, it } from 'vitest';
import { CommandLine, UsageError, type Flags } from './cli';

const deploy = new CommandLine({
  name: 'deploy',
  usage: 'npm run deploy -- <service> [--env=<env>] [--approve] [--no-git]',
  help: 'Renders the manifests of <service>.',
  flags: {
    env: { type: 'string', default: 'all' },
    base: { type: 'string' },
    approve: { type: 'boolean' },
    git: { type: 'boolean', default: true, negatable: true },
  },
  positionals: { expected: 'one service', min: 1, max: 1 },
});

/** The message of the UsageError parsing `argv` throws. */
function refusal(argv: string[]): string {
  try {
    deploy.parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

async function run<F extends Flags>(
  line: CommandLine<F>,
  argv: string[],
  body: () => number | Promise<number> = () => 0,
) {
  let stdout = '';
  let stderr = '';
  const out = { write: (text: string) => (stdout += text) };
  const err = { write: (text: string) => (stderr += text) };
  const code = await line.run(argv, { out, err }, body);
  return { code, stdout, stderr };
}

describe('CommandLine.parse', () => {
  it('reads --name=value, --name value, booleans, negations and positionals, with defaults for the rest', () => {
    expect(deploy.parse(['catalog', '--base=origin/main', '--approve'])).toEqual({
      help: false,
      flags: { env: 'all', base: 'origin/main', approve: true, git: true },
      positionals: ['catalog'],
    });
    expect(deploy.parse(['--env', 'ci', '--no-git', 'catalog'])).toEqual({
      help: false,
      flags: { env: 'ci', base: undefined, approve: false, git: false },
      positionals: ['catalog'],
    });
  });

  it('takes what follows -- as positionals', () => {
    expect(deploy.parse(['--', '--catalog'])).toMatchObject({ positionals: ['--catalog'] });
  });

  it('--help and -h ask for help, whatever else the line holds', () => {
    expect(deploy.parse(['--help'])).toEqual({ help: true });
    expect(deploy.parse(['-h', '--bogus', 'a', 'b'])).toEqual({ help: true });
  });

  it.each([
    [['catalog', '--envv=ci'], "Unknown option '--envv'. Did you mean --env?"],
    [['catalog', '--aprove'], "Unknown option '--aprove'. Did you mean --approve?"],
    [['catalog', '--app'], "Unknown option '--app'. Did you mean --approve?"],
    [['catalog', '--nogit'], "Unknown option '--nogit'. Did you mean --no-git?"],
    [['catalog', '--frobnicate'], "Unknown option '--frobnicate'."],
    [['catalog', '-x'], "Unknown option '-x'."],
    [
      ['catalog', '--env=ci', '--env', 'preprod'],
      '--env is given more than once (--env=ci, --env=preprod): give it once.',
    ],
    [['catalog', '--git', '--no-git'], '--git is given more than once (--git, --no-git): give it once.'],
    [['catalog', '--approve=yes'], '--approve takes no value (got --approve=yes).'],
    [['catalog', '--no-approve'], '--approve has no negative form --no-approve: leave the flag out.'],
    [['catalog', '--no-env'], '--env has no negative form --no-env: leave the flag out.'],
    [['catalog', '--env'], '--env needs a value: --env=<value>.'],
    [['catalog', '--env', '--approve'], '--env needs a value, not the option --approve.'],
    [['catalog', '--base='], '--base is empty (an unset CI variable?): give it a value, or leave the flag out.'],
    [[], 'Expected one service, got none.'],
    [['catalog', 'payment'], 'Expected one service, got 2: catalog payment.'],
  ])('refuses %j: says what is wrong, then the usage', (argv, what) => {
    expect(refusal(argv)).toBe(
      `${what}\n\nUsage: npm run deploy -- <service> [--env=<env>] [--approve] [--no-git]\n(--help explains every option)`,
    );
  });

  it('takes no positionals unless it declares them', () => {
    const line = new CommandLine({ name: 'x', usage: 'x [--json]', flags: { json: { type: 'boolean' } } });
    expect(() => line.parse(['stray'])).toThrow('Expected no arguments, got 1: stray.\n\nUsage: x [--json]');
    expect(line.parse(['--json'])).toEqual({ help: false, flags: { json: true }, positionals: [] });
  });

  it('collects a multiple flag’s values in order, [] when it is not given; an empty one is still refused', () => {
    const line = new CommandLine({
      name: 'contract',
      usage: 'contract check [--service=<name>]…',
      flags: { service: { type: 'string', multiple: true }, base: { type: 'string' } },
    });
    expect(line.parse(['--service=catalog', '--service', 'payment'])).toEqual({
      help: false,
      flags: { service: ['catalog', 'payment'], base: undefined },
      positionals: [],
    });
    expect(line.parse([])).toMatchObject({ flags: { service: [] } });
    expect(() => line.parse(['--service=catalog', '--service='])).toThrow('--service is empty');
    expect(() => line.parse(['--base=a', '--base=b'])).toThrow('--base is given more than once');
  });

  it('prints a usage of several forms one per line', () => {
    const line = new CommandLine({ name: 'owners', usage: ['owners check', 'owners who <path…>'], flags: {} });
    expect(line.usage).toBe('Usage:\n  owners check\n  owners who <path…>');
  });

  it('refuses a flag named help: --help is every command’s own', () => {
    expect(() => new CommandLine({ name: 'x', usage: 'x', flags: { help: { type: 'boolean' } } })).toThrow(/help/);
  });
});

describe('CommandLine.run', () => {
  it('--help prints the usage and the help on stdout, exit 0, without running the command', async () => {
    let ran = false;
    const result = await run(deploy, ['--help'], () => {
      ran = true;
      return 0;
    });
    expect(result).toEqual({
      code: 0,
      stdout:
        'Usage: npm run deploy -- <service> [--env=<env>] [--approve] [--no-git]\n\nRenders the manifests of <service>.\n',
      stderr: '',
    });
    expect(ran).toBe(false);
  });

  it('a bad command line: the command name, what is wrong and the usage on stderr, exit 2', async () => {
    const result = await run(deploy, ['catalog', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "deploy: Unknown option '--bogus'.\n\nUsage: npm run deploy -- <service> [--env=<env>] [--approve] [--no-git]\n(--help explains every option)\n",
    );
  });

  it("runs the command with the parsed line and returns its exit code; the command's UsageError is exit 2", async () => {
    expect((await run(deploy, ['catalog'], () => 3)).code).toBe(3);
    const refused = await run(deploy, ['catalog'], () => {
      throw new UsageError('--env=staging is not an environment: ci, preprod, production.');
    });
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: 'deploy: --env=staging is not an environment: ci, preprod, production.\n',
    });
    await expect(
      run(deploy, ['catalog'], () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
  });

  it('refuse(): a usage error of the command with the usage after it', async () => {
    const result = await run(deploy, ['bogus'], () => {
      throw deploy.refuse('bogus is not a service.');
    });
    expect(result.stderr).toBe(
      'deploy: bogus is not a service.\n\nUsage: npm run deploy -- <service> [--env=<env>] [--approve] [--no-git]\n(--help explains every option)\n',
    );
  });
});

describe('CommandLine.main', () => {
  it('runs on the outputs a test passes, and hands the command its own extra parameters or their defaults', async () => {
    const main = deploy.main<[root?: string]>(({ positionals: [service] }, { out }, root = '/workspace') => {
      out.write(`${service} in ${root}\n`);
      return 3;
    });
    let stdout = '';
    let stderr = '';
    const out = { write: (text: string) => (stdout += text) };
    const err = { write: (text: string) => (stderr += text) };
    expect(await main(['catalog'], out, err)).toBe(3);
    expect(await main(['catalog'], out, err, '/elsewhere')).toBe(3);
    expect(await main(['catalog', '--bogus'], out, err)).toBe(2);
    expect(stdout).toBe('catalog in /workspace\ncatalog in /elsewhere\n');
    expect(stderr).toMatch(/^deploy: Unknown option '--bogus'\./);
  });
});
