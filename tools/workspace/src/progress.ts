import { formatDuration } from '@musiccorp/core/format-duration';

export interface Step {
  done(note?: string): void;
  skip(why: string): void;
  fail(): void;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/**
 * The steps of a run, one line each. On a terminal the running step spins with its elapsed time and ends as a tick
 * (or a cross) with its duration; elsewhere (CI logs, pipes) each step prints a start line and an end line.
 */
export class StepList {
  constructor(
    private readonly out: Output,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(title: string): Step {
    const started = this.now();
    const elapsed = () => formatDuration(this.now() - started);
    let timer: NodeJS.Timeout | undefined;
    if (this.out.isTTY) {
      let frame = 0;
      const draw = () =>
        this.out.write(`${CLEAR_LINE}${SPINNER[frame++ % SPINNER.length]} ${title}  ${dim(elapsed())}`);
      draw();
      timer = setInterval(draw, 80);
      timer.unref();
    } else {
      this.out.write(`… ${title}\n`);
    }
    let ended = false;
    const end = (icon: string, suffix: string) => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      this.out.write(`${this.out.isTTY ? CLEAR_LINE : ''}${icon} ${title}  ${suffix}\n`);
    };
    return {
      done: (note) => end(this.out.isTTY ? green('✔') : '✔', [elapsed(), note].filter(Boolean).join(' · ')),
      skip: (why) => end('–', `skipped: ${why}`),
      fail: () => end(this.out.isTTY ? red('✖') : '✖', `failed after ${elapsed()}`),
    };
  }

  /** Runs `work` as one step: done when it resolves (with the note it returns), failed when it throws. */
  async run<T>(title: string, work: () => Promise<T> | T, note?: (result: T) => string | undefined): Promise<T> {
    const step = this.start(title);
    try {
      const result = await work();
      step.done(note?.(result));
      return result;
    } catch (error) {
      step.fail();
      throw error;
    }
  }
}

const green = (text: string) => `\x1b[32m${text}\x1b[39m`;
const red = (text: string) => `\x1b[31m${text}\x1b[39m`;
const dim = (text: string) => `\x1b[2m${text}\x1b[22m`;
