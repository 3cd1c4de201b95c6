/** Where services live and how Nx marks them: apart from services.ts, so reading them does not load @nx/devkit. */
export const SERVICES_DIR = 'services';
export const SERVICE_TAG = 'type:service';
