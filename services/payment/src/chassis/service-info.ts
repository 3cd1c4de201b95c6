// Platform-owned: the service's name, version and port. Changes come from templates/service on upgrade, not by hand.
import packageJson from '../../package.json';

/**
 * Who this service is, read from its own package.json. esbuild inlines the JSON into the bundle,
 * so every service shares these chassis files byte for byte and nothing is read from disk at run time.
 */
export const serviceInfo = {
  name: packageJson.musiccorp.service,
  version: packageJson.version,
  defaultPort: packageJson.musiccorp.port,
} as const;
