export const WORKSPACE_ROOT: string;
export function bundleOnDemand(options: {
  entry: string;
  outfile: string;
  sources: string[];
  format: 'cjs' | 'esm';
}): string;
