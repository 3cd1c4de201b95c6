/**
 * The workspace's own helpers in tools/core/src, loaded with a dynamic import: they are ESM (tools/package.json has
 * "type": "module") and depend on ESM-only execa, while bench/ files run as CommonJS under tsx, where a static import
 * would be turned into a require() of execa and fail.
 */
export type ScratchWorkspaceModule = typeof import('@musiccorp/core/scratch-workspace');
export type ServiceProcessModule = typeof import('@musiccorp/core/service-process');
export type ScratchWorkspace = import('@musiccorp/core/scratch-workspace').ScratchWorkspace;

export async function loadTools(): Promise<ScratchWorkspaceModule & Pick<ServiceProcessModule, 'freePort'>> {
  const [scratch, service] = await Promise.all([
    import('@musiccorp/core/scratch-workspace'),
    import('@musiccorp/core/service-process'),
  ]);
  return { ...scratch, freePort: service.freePort };
}
