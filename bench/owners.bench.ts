/**
 * npm run bench:owners [-- --runs=7 --warmup=1 --services=300 --diff=2000]
 *
 * Who must approve a 2,000-file change in a 300-service monorepo? Ours: `owners reviewers --json` (tools/owners),
 * as the CLI process `npm run owners` runs (node tools/core/bin/run.mjs owners/cli: an esbuild bundle), the same CLI under
 * tsx for comparison, and as the in-process function. Anchor: the npm `codeowners`
 * package, resolving the same 2,000 paths one by one with `getOwner(path)`, in the same run, interleaved.
 *
 * The synthetic repository is a real git repository in a temp folder, shaped like the platform: services/svc-NNN/
 * with 8 files each, and a CODEOWNERS with a catch-all plus one `/services/svc-NNN/ @musiccorp/team-XX` line per
 * service (what the service generator writes). Branch `feature` modifies, adds, deletes and renames files so that
 * the diff main...feature names exactly --diff paths (renames count with both paths). Before timing, the bench
 * checks that ours and the anchor give the same owners for every one of those paths; any difference aborts it.
 *
 * Prints a markdown table and saves bench/results/owners.md + owners.json. Exits 0 unless the benchmark itself broke.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Codeowners from 'codeowners';
import { countFlag, parseFlags, runBenchmark } from './lib/cli';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { log } from './lib/util';

// tools/ is ESM ("type": "module") and bench/ runs as CommonJS under tsx: load it with a dynamic import.
type ReviewersModule = typeof import('@musiccorp/owners/reviewers');
type CodeownersFileModule = typeof import('@musiccorp/core/codeowners/codeowners-file');
type MatcherModule = typeof import('@musiccorp/core/codeowners/matcher');
type GitRepoModule = typeof import('@musiccorp/core/testing/git-repo');

const TARGET_SPEEDUP = 5;
const TEAMS = 20;
const FILES_PER_SERVICE = [
  'project.json',
  'package.json',
  'README.md',
  'Dockerfile',
  'src/main.ts',
  'src/config.ts',
  'src/routes/items.ts',
  'src/routes/items.spec.ts',
];
const TSX_CLI = join(WORKSPACE_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const OWNERS_CLI = join(WORKSPACE_ROOT, 'tools', 'owners', 'src', 'cli.ts');
/** What `npm run owners` runs: the CLI's esbuild bundle, built on first use. */
const RUN_BUNDLED = [join(WORKSPACE_ROOT, 'tools', 'core', 'bin', 'run.mjs'), 'owners/cli'];
const CODEOWNERS_PACKAGE = join(WORKSPACE_ROOT, 'node_modules', 'codeowners');

/** Deterministic pseudo-random numbers, so every run builds the same repository and the same diff. */
function prng(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Content unique per file, so git's rename detection pairs only the files that were really moved. */
function content(random: () => number, label: string): string {
  const lines = [`// ${label}`];
  for (let i = 0; i < 6; i++)
    lines.push(
      Array.from({ length: 6 }, () =>
        Math.floor(random() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join(''),
    );
  return `${lines.join('\n')}\n`;
}

const svc = (i: number) => `svc-${String(i).padStart(3, '0')}`;

interface Synthetic {
  root: string;
  dispose(): void;
  /** The diff's paths (old and new path of each rename), as `owners reviewers` lists them. */
  expected: { modified: number; added: number; deleted: number; renamed: number; paths: number };
  rules: number;
  trackedFiles: number;
}

function buildRepository(gitRepo: GitRepoModule, services: number, diffPaths: number): Synthetic {
  const random = prng(0x0c0de);
  const files: Record<string, string> = {
    'README.md': '# synthetic monorepo\n',
    'package.json': '{"name": "synthetic", "private": true}\n',
    'nx.json': '{}\n',
    'tools/src/cli.ts': 'export {};\n',
  };
  const lines = ['# Platform team owns everything not claimed below.', '* @musiccorp/platform'];
  const serviceFiles: string[] = [];
  for (let i = 0; i < services; i++) {
    lines.push(`/services/${svc(i)}/ @musiccorp/team-${String(i % TEAMS).padStart(2, '0')}`);
    for (const file of FILES_PER_SERVICE) {
      const path = `services/${svc(i)}/${file}`;
      files[path] = content(random, path);
      serviceFiles.push(path);
    }
  }
  files['CODEOWNERS'] = `${lines.join('\n')}\n`;
  const repo = gitRepo.createGitRepo(files, 'owners-bench-');
  repo.commit('base: 300 services');
  repo.git('checkout', '-q', '-b', 'feature');

  // Split the diff: 10% deletions, 5% renames (2 paths each), 10% additions, the rest modifications.
  const deleted = Math.floor(diffPaths * 0.1);
  const renamed = Math.floor(diffPaths * 0.05);
  const added = Math.floor(diffPaths * 0.1);
  const modified = diffPaths - deleted - 2 * renamed - added;
  if (deleted + renamed + modified > serviceFiles.length)
    throw new Error(`--diff=${diffPaths} needs more than the ${serviceFiles.length} service files.`);
  const shuffled = [...serviceFiles];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const [atI, atJ] = [shuffled[i], shuffled[j]];
    if (atI === undefined || atJ === undefined) throw new Error(`Shuffle index ${i} or ${j} is outside the files.`);
    [shuffled[i], shuffled[j]] = [atJ, atI];
  }
  // Disjoint slices of the shuffled files (checked above to fit): modified, then deleted, then renamed.
  const toModify = shuffled.slice(0, modified);
  const toDelete = shuffled.slice(modified, modified + deleted);
  const toRename = shuffled.slice(modified + deleted, modified + deleted + renamed);
  for (const path of toModify) repo.write({ [path]: `${files[path]}// changed\n` });
  for (const path of toDelete) repo.remove(path);
  for (const [k, from] of toRename.entries()) {
    const target = Math.floor(random() * services); // usually another service, so the two paths have different owners
    repo.move(from, `services/${svc(target)}/src/moved/${k}-${from.split('/').at(-1)}`);
  }
  for (let k = 0; k < added; k++) {
    const path = k % 50 === 0 ? `docs/adr/${k}.md` : `services/${svc(Math.floor(random() * services))}/src/new/${k}.ts`;
    repo.write({ [path]: content(random, path) });
  }
  repo.commit('feature: a large change');
  return {
    root: repo.root,
    dispose: repo.dispose,
    expected: { modified, added, deleted, renamed, paths: diffPaths },
    rules: lines.length - 1,
    trackedFiles: Object.keys(files).length,
  };
}

/** The anchor as a process: node, require('codeowners'), getOwner for each path of a list file, JSON out. */
const ANCHOR_SCRIPT = `
const Codeowners = require(process.env.CODEOWNERS_PACKAGE);
const paths = require('node:fs').readFileSync(process.env.PATHS_FILE, 'utf8').split('\\n').filter(Boolean);
const codeowners = new Codeowners(process.env.REPO);
process.stdout.write(JSON.stringify(paths.map((path) => ({ path, owners: codeowners.getOwner(path) }))));
`;

function runProcess(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): { ms: number; stdout: string } {
  const processEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete processEnv['NODE_OPTIONS']; // nothing of the benchmark's own tsx runtime may leak into the measured process
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env: processEnv, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

function timeSync<T>(fn: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = fn();
  return { ms: performance.now() - started, value };
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:owners --', {
    runs: countFlag(7, 'timed runs of each variant, interleaved'),
    warmup: countFlag(1, 'untimed runs of each variant first', 0),
    services: countFlag(300, 'services in the synthetic repository'),
    diff: countFlag(2000, 'paths in the diff (both paths of a rename count)', 20),
    keep: {
      kind: 'choice',
      default: 'no',
      choices: ['no', 'yes'],
      help: 'keep the synthetic repository on disk (its path is printed)',
    },
  });
  if (flags.runs < 5)
    log(`--runs=${flags.runs} is below the 5 runs a reportable figure needs; treat this as a smoke run.`);

  const [reviewersModule, codeownersFile, matcherModule, gitRepo] = (await Promise.all([
    import('@musiccorp/owners/reviewers'),
    import('@musiccorp/core/codeowners/codeowners-file'),
    import('@musiccorp/core/codeowners/matcher'),
    import('@musiccorp/core/testing/git-repo'),
  ])) as [ReviewersModule, CodeownersFileModule, MatcherModule, GitRepoModule];

  log(
    `building a synthetic repository: ${flags.services} services × ${FILES_PER_SERVICE.length} files, a ${flags.diff}-path diff…`,
  );
  const repo = buildRepository(gitRepo, flags.services, flags.diff);
  const aux = mkdtempSync(join(tmpdir(), 'owners-bench-aux-')); // the anchor's path list, an empty script
  try {
    const base = 'main';
    const head = 'feature';
    const codeownersText = execFileSync('git', ['show', `${base}:CODEOWNERS`], { cwd: repo.root, encoding: 'utf8' });

    // --- What each variant computes, checked once before anything is timed. ---
    const inProcess = reviewersModule.reviewers({ repo: repo.root, base, head });
    const paths = inProcess.files.map((file) => file.path);
    const counts = { modified: 0, added: 0, deleted: 0, renamed: 0 };
    for (const change of inProcess.changes) {
      counts[({ M: 'modified', T: 'modified', A: 'added', D: 'deleted', R: 'renamed' } as const)[change.status]]++;
    }
    const expected = repo.expected;
    if (
      paths.length !== expected.paths ||
      counts.modified !== expected.modified ||
      counts.added !== expected.added ||
      counts.deleted !== expected.deleted ||
      counts.renamed !== expected.renamed
    ) {
      throw new Error(
        `The diff is not the one built: expected ${JSON.stringify(expected)}, git reports ${JSON.stringify({ ...counts, paths: paths.length })}.`,
      );
    }
    const pathsFile = join(aux, 'paths.txt');
    writeFileSync(pathsFile, `${paths.join('\n')}\n`);

    const reviewersArgs = ['reviewers', `--base=${base}`, `--head=${head}`, '--json', '--repo', repo.root];
    const runCli = () => runProcess(process.execPath, [...RUN_BUNDLED, ...reviewersArgs], WORKSPACE_ROOT);
    const anchorEnv = { CODEOWNERS_PACKAGE, PATHS_FILE: pathsFile, REPO: repo.root };
    const runAnchorProcess = () => runProcess(process.execPath, ['-e', ANCHOR_SCRIPT], repo.root, anchorEnv);
    const runOursFunction = () => timeSync(() => reviewersModule.reviewers({ repo: repo.root, base, head }));
    const runOursResolve = () =>
      timeSync(() => {
        const matcher = new matcherModule.OwnersMatcher(codeownersFile.parseCodeowners(codeownersText).rules);
        return paths.map((path) => matcher.match(path).owners);
      });
    const runAnchor = () =>
      timeSync(() => {
        const codeowners = new Codeowners(repo.root);
        return paths.map((path) => codeowners.getOwner(path));
      });

    const cliJson = JSON.parse(runCli().stdout) as {
      files: { path: string; owners: string[] }[];
      approvals: { owners: string[]; files: string[] }[];
      unowned: string[];
    };
    const anchorProcessJson = JSON.parse(runAnchorProcess().stdout) as { path: string; owners: string[] }[];
    const anchorOwners = runAnchor().value;
    const resolved = runOursResolve().value;
    const mismatches: string[] = [];
    paths.forEach((path, i) => {
      const theirs = JSON.stringify(anchorOwners[i]);
      const variants = {
        'ours (CLI)': cliJson.files[i],
        'ours (function)': inProcess.files[i],
        'anchor (process)': anchorProcessJson[i],
      };
      for (const [name, entry] of Object.entries(variants)) {
        if (entry?.path !== path || JSON.stringify(entry.owners) !== theirs)
          mismatches.push(`${path}: ${name} ${JSON.stringify(entry)} vs codeowners ${theirs}`);
      }
      if (JSON.stringify(resolved[i]) !== theirs)
        mismatches.push(`${path}: ours (resolve) ${JSON.stringify(resolved[i])} vs codeowners ${theirs}`);
    });
    const grouped = cliJson.approvals.reduce((n, approval) => n + approval.files.length, 0) + cliJson.unowned.length;
    if (grouped !== paths.length) mismatches.push(`approvals + unowned list ${grouped} files, not ${paths.length}`);
    if (mismatches.length > 0)
      throw new Error(
        `Ours and the anchor disagree on ${mismatches.length} paths:\n${mismatches.slice(0, 20).join('\n')}`,
      );
    const teamsInvolved = cliJson.approvals.length;
    log(
      `correctness: ours (CLI, function, resolve) and codeowners agree on all ${paths.length} paths; ${teamsInvolved} approval groups, ${cliJson.unowned.length} unowned.`,
    );

    // Start-up floors, for reading the CLI rows: `owners --help` (the bundle, no work) and `node -e ""`.
    const variants = {
      cli: () => runCli().ms,
      cliTsx: () => runProcess(process.execPath, [TSX_CLI, OWNERS_CLI, ...reviewersArgs], WORKSPACE_ROOT).ms,
      anchorProcess: () => runAnchorProcess().ms,
      fn: () => runOursFunction().ms,
      resolve: () => runOursResolve().ms,
      anchor: () => runAnchor().ms,
      helpFloor: () => runProcess(process.execPath, [...RUN_BUNDLED, '--help'], WORKSPACE_ROOT).ms,
      nodeFloor: () => runProcess(process.execPath, ['-e', ''], WORKSPACE_ROOT).ms,
    };
    const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as number[]])) as Record<
      keyof typeof variants,
      number[]
    >;
    for (let run = -flags.warmup; run < flags.runs; run++) {
      for (const [name, measure] of Object.entries(variants) as [keyof typeof variants, () => number][]) {
        const ms = measure();
        if (run >= 0) samples[name].push(ms);
      }
      log(
        `run ${run < 0 ? `warm-up ${run + flags.warmup + 1}` : run + 1}: CLI ${samples.cli.at(-1)?.toFixed(0) ?? '—'} ms, function ${samples.fn.at(-1)?.toFixed(1) ?? '—'} ms, anchor ${samples.anchor.at(-1)?.toFixed(1) ?? '—'} ms`,
      );
    }

    const target = {
      on: 'ratio' as const,
      op: '<=' as const,
      value: 1 / TARGET_SPEEDUP,
      label: `≤ ${(1 / TARGET_SPEEDUP).toFixed(2)} (≥ ${TARGET_SPEEDUP}× faster)`,
    };
    const rows: Row[] = [
      {
        metric: `reviewers, in-process function: git diff + base CODEOWNERS + ${paths.length} lookups, median`,
        unit: 'ms',
        ours: median(samples.fn),
        anchor: median(samples.anchor),
        digits: 1,
        target,
      },
      {
        metric: 'reviewers, in-process function, min',
        unit: 'ms',
        ours: min(samples.fn),
        anchor: min(samples.anchor),
        digits: 1,
      },
      {
        metric: `resolve ${paths.length} paths in-process (parse + compile + match), median`,
        unit: 'ms',
        ours: median(samples.resolve),
        anchor: median(samples.anchor),
        digits: 2,
        target,
      },
      {
        metric: `resolve ${paths.length} paths in-process, min`,
        unit: 'ms',
        ours: min(samples.resolve),
        anchor: min(samples.anchor),
        digits: 2,
      },
      {
        metric:
          '`owners reviewers --json` as a process (its bundle, as `npm run owners`) vs anchor process (node), median',
        unit: 'ms',
        ours: median(samples.cli),
        anchor: median(samples.anchorProcess),
        digits: 0,
        target,
      },
      {
        metric: '`owners reviewers --json` as a process (its bundle) vs anchor process, min',
        unit: 'ms',
        ours: min(samples.cli),
        anchor: min(samples.anchorProcess),
        digits: 0,
      },
      {
        metric: 'the same CLI started through tsx (transpiled on load) vs anchor process, median',
        unit: 'ms',
        ours: median(samples.cliTsx),
        anchor: median(samples.anchorProcess),
        digits: 0,
      },
      {
        metric: 'start-up floor: `owners --help` (bundle) vs `node -e ""`, median',
        unit: 'ms',
        ours: median(samples.helpFloor),
        anchor: median(samples.nodeFloor),
        digits: 0,
      },
      {
        metric: 'process time above its floor: CLI − `owners --help` vs anchor process − `node -e ""`, median',
        unit: 'ms',
        ours: median(samples.cli) - median(samples.helpFloor),
        anchor: median(samples.anchorProcess) - median(samples.nodeFloor),
        digits: 0,
      },
    ];
    const evaluated = rows.map(evaluate);
    // Rows 0, 2 and 4 are the medians of the function, resolve-only and CLI-process variants.
    const speedup = (row: (typeof evaluated)[number] | undefined) =>
      row?.ratio ? `${(1 / row.ratio).toFixed(1)}×` : '—';

    await saveResult({
      benchmark: 'owners',
      title: `Code owners for a ${paths.length}-path diff: owners reviewers vs the npm codeowners package`,
      ours: `tools/owners reviewers (--base=${base} --head=${head} --json): git diff -M -z, CODEOWNERS from the base, indexed matcher`,
      anchor: `npm codeowners@${(JSON.parse(readFileSync(join(CODEOWNERS_PACKAGE, 'package.json'), 'utf8')) as { version: string }).version}: new Codeowners(repo) + getOwner(path) for each of the same ${paths.length} paths`,
      anchorName: 'codeowners',
      env: await environment(),
      config: {
        runs: flags.runs,
        warmup: flags.warmup,
        services: flags.services,
        filesPerService: FILES_PER_SERVICE.length,
        trackedFiles: repo.trackedFiles,
        rules: repo.rules,
        ...repo.expected,
      },
      rows: evaluated,
      notes: [
        `Speed-up (anchor/ours, medians): in-process function ${speedup(evaluated[0])}, resolve only ${speedup(evaluated[2])}, CLI process ${speedup(evaluated[4])}.`,
        `Correctness: for all ${paths.length} paths (${repo.expected.modified} modified, ${repo.expected.added} added, ${repo.expected.deleted} deleted, ${repo.expected.renamed} renamed × 2 paths) ours — CLI JSON, function and resolve — gives exactly the owners codeowners.getOwner gives; ${teamsInvolved} approval groups, ${cliJson.unowned.length} unowned.`,
        'The in-process function does more than the anchor: it runs `git diff` and reads CODEOWNERS from the base commit (3 git processes); the anchor is handed the path list.',
        'The anchor process is likewise handed the path list (no git). The CLI rows are dominated by start-up; compare the floor rows, and the tsx row for what the bundle saves.',
        `Interleaved: each run times every variant once, in turn. Load average (1m) at start: see the date line; other engineers share this ${(await environment()).cores}-core machine.`,
      ],
      raw: {
        samples: Object.fromEntries(
          Object.entries(samples).map(([name, values]) => [name, { ...summarize(values), values }]),
        ),
      },
    });
  } finally {
    if (flags.keep === 'yes') log(`kept the synthetic repository: ${repo.root}`);
    else repo.dispose();
    rmSync(aux, { recursive: true, force: true });
  }
}

runBenchmark('owners', main);
