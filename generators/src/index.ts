export { serviceGenerator } from './service/generator';
export { renderTemplate, renderString, readManifest, createEnvironment, TEMPLATES_ROOT } from './render/render';
export { helpers } from './render/helpers';
