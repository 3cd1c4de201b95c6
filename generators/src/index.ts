export { serviceGenerator } from './service/generator';
export { teamGenerator } from './team/generator';
export { transferGenerator } from './transfer/generator';
export { codeownersSyncGenerator } from './codeowners/generator';
export { renderTemplate, renderString, readManifest, createEnvironment, TEMPLATES_ROOT } from './render/render';
export { helpers } from './render/helpers';
export { registerMicroGenerators, endpointGenerator, eventGenerator } from './micro';
