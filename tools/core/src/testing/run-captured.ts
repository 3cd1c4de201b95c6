import type { Output } from '../cli';

/** A command's `main(argv, out, err)` run in-process, with what it printed to each stream. */
export async function runCaptured(
  main: (argv: string[], out: Output, err: Output) => Promise<number>,
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    { write: (text: string) => (stdout += text) },
    { write: (text: string) => (stderr += text) },
  );
  return { code, stdout, stderr };
}
