// Platform-owned: Fastify plugin helper. Changes come from templates/service on upgrade, not by hand.
import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as not encapsulated, so its hooks, decorators and handlers apply to the whole app.
 * This is what `fastify-plugin` does; the two symbols are Fastify's documented contract, so no dependency is needed.
 */
export function unencapsulated<Options extends object = Record<never, never>>(
  name: string,
  plugin: FastifyPluginAsync<Options>,
): FastifyPluginAsync<Options> {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}
