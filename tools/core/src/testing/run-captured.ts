import type { Output } from '../cli';

/** A command's `main(argv, out, err, ...extra)` run in-process, with what it printed to each stream. */
export async function runCaptured<Extra extends unknown[]>(
  main: (argv: string[], out: Output, err: Output, ...extra: Extra) => Promise<number>,
  argv: string[],
  ...extra: Extra
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    { write: (text: string) => (stdout += text) },
    { write: (text: string) => (stderr += text) },
    ...extra,
  );
  return { code, stdout, stderr };
}
