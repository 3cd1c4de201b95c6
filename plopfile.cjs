// `npx plop endpoint …` / `npx plop event …`: the micro-generators live in the generators plugin (TypeScript, bundled
// on demand by generators/plugin.js), so plop renders with the same render module and helpers as `nx g`.
// CommonJS because the root package.json is not "type": "module"; paths resolve from this file, so a per-team
// workspace that copies it with templates/ and generators/ works the same.
'use strict';
const { registerMicroGenerators } = require('./generators/plugin.js');

/** @param {import('plop').NodePlopAPI} plop */
module.exports = function plopfile(plop) {
  registerMicroGenerators(plop, __dirname);
};
