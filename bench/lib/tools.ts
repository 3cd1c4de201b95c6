/**
 * The workspace's own helpers in tools/src/lib, loaded with a dynamic import: they are ESM (tools/package.json has
 * "type": "module") and depend on ESM-only execa, while bench/ files run as CommonJS under tsx, where a static import
 * would be turned into a require() of execa and fail.
 */
export type ScratchWorkspaceModule = typeof import('../../tools/src/lib/scratch-workspace');
export type ServiceProcessModule = typeof import('../../tools/src/lib/service-process');
export type ScratchWorkspace = import('../../tools/src/lib/scratch-workspace').ScratchWorkspace;

export async function loadTools(): Promise<ScratchWorkspaceModule & Pick<ServiceProcessModule, 'freePort'>> {
  const [scratch, service] = await Promise.all([
    import('../../tools/src/lib/scratch-workspace'),
    import('../../tools/src/lib/service-process'),
  ]);
  return { ...scratch, freePort: service.freePort };
}
