export { registerMicroGenerators } from './plop';
export { endpointGenerator } from './endpoint/generator';
export { eventGenerator } from './event/generator';
