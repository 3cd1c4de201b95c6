/**
 * `nx g service` in a real terminal (a pty from util-linux `script`): without `--team` it lists the registry's teams
 * to pick from, and the pick is the service's owner.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { forgetOuterNxTask } from './support';

forgetOuterNxTask();

const DOWN = '\u001b[B';
const ENTER = '\r';

let scratch: ScratchWorkspace | undefined;
beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-prompts-');
});
afterAll(() => scratch?.dispose());

/** Runs `command` on a pty; once `question` appears, types `keys`. Resolves with the exit code and what it printed. */
function inTerminal(scratch: ScratchWorkspace, command: string, question: string, keys: string[]) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    // A pty without a terminal around it is 0×0, where a list prompt shows no choices: give it a size.
    const child = spawn('script', ['-qfec', `stty rows 40 cols 120; ${command}`, '/dev/null'], {
      cwd: scratch.root,
      env: { ...process.env, ...scratch.env, CI: 'false' },
    });
    let output = '';
    let answered = false;
    const give = setTimeout(() => child.kill('SIGKILL'), 120_000); // bounded: a prompt that never comes
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (answered || !output.includes(question)) return;
      answered = true;
      // One key at a time, each after the prompt has drawn the previous one.
      keys.forEach((key, index) => setTimeout(() => child.stdin.write(key), 300 * (index + 1)));
    });
    child.on('exit', (code) => {
      clearTimeout(give);
      resolve({ code, output: stripVTControlCharacters(output) });
    });
  });
}

describe.skipIf(!existsSync('/usr/bin/script'))('nx g service in a terminal', () => {
  it('without --team offers the registry teams as a list; the pick owns the service', async () => {
    const root = scratch!.root;
    const { code, output } = await inTerminal(
      scratch!,
      'npx nx g @musiccorp/generators:service picked',
      'Which team owns it?',
      [DOWN, ENTER],
    );
    expect(output).toContain('Which team owns it?');
    expect(output).toMatch(/catalog.*Catalog \(@musiccorp\/catalog\)/);
    expect(code, output).toBe(0);
    const project = JSON.parse(await readFile(join(root, 'services/picked/project.json'), 'utf8')) as {
      tags: string[];
    };
    expect(project.tags).toEqual(['type:service', 'team:catalog']);
  });
});
