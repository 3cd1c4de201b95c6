export { serviceGenerator } from './service/generator';
export { teamGenerator } from './team/generator';
export { transferGenerator } from './transfer/generator';
export { codeownersSyncGenerator } from './codeowners/generator';
export { contractsSyncGenerator } from './contracts/generator';
export { upgradeGenerator } from './upgrade/generator';
export { renderTemplate, renderString, readManifest, createEnvironment, TEMPLATES_ROOT } from '@musiccorp/core/render';
export { helpers } from '@musiccorp/core/render-helpers';
export { registerMicroGenerators, endpointGenerator, eventGenerator } from './micro';
