import { describe, expect, it } from 'vitest';
import { StepList } from './progress';

function output(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, out: { isTTY, write: (text: string) => chunks.push(text) } };
}

describe('StepList', () => {
  it('prints plain start and end lines with durations when not on a terminal', async () => {
    let now = 0;
    const { chunks, out } = output(false);
    const steps = new StepList(out, () => now);
    await steps.run('npm install', () => {
      now = 1500;
    });
    steps.start('git init').skip('--no-git');
    await expect(
      steps.run('move', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(chunks.join('')).toBe(
      '… npm install\n✔ npm install  1.5s\n… git init\n– git init  skipped: --no-git\n… move\n✖ move  failed after 0.0s\n',
    );
  });

  it('on a terminal redraws the running line (spinner, elapsed) and ends it with a tick', () => {
    const { chunks, out } = output(true);
    const step = new StepList(out, () => 0).start('Compose');
    step.done('224 files');
    step.done('again'); // a step ends once
    const clearLine = '\r\x1b[2K';
    expect(chunks[0]?.startsWith(`${clearLine}⠋ Compose`)).toBe(true);
    expect(chunks.at(-1)?.startsWith(clearLine)).toBe(true);
    expect(chunks.at(-1)).toMatch(/✔.* Compose {2}0\.0s · 224 files\n$/);
    expect(chunks.filter((chunk) => chunk.includes('✔'))).toHaveLength(1);
  });
});
