#!/usr/bin/env node
// Fails unless a pipeline record names exactly the expected image digest: the proof that a stage used the artifact
// the artifact job built, not another one.
//
//   node .github/scripts/assert-digest.mjs <record.json> <sha256:…> [stage]
//
// Without a stage: the record's top-level `digest` (dist/artifacts/<service>/artifact.json).
// With a stage: that stage's entry in dist/pipeline/<service>/last-run.json — `stages.<stage>` (an object keyed by
// stage) or the element of `stages` whose `name` (or `stage`) is <stage> — and its `digest`, or failing that every
// `digest` nested inside the entry (e.g. `artifact.digest`). Every digest found must equal the expected one, and at
// least one must be found. Plain Node, no dependencies: it runs before or without `npm ci`.
import { existsSync, readFileSync } from 'node:fs';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const [file, expected, stage] = process.argv.slice(2);

function fail(message) {
  console.error(`assert-digest: ${message}`);
  process.exit(1);
}

if (!file || !expected) fail('usage: assert-digest.mjs <record.json> <sha256:…> [stage]');
if (!DIGEST.test(expected)) fail(`expected digest "${expected}" is not sha256:<64 hex> (an empty job output?)`);
if (!existsSync(file)) {
  fail(
    stage
      ? `${file} does not exist: the ${stage} stage must record the digest it used there`
      : `${file} does not exist`,
  );
}

let record;
try {
  record = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  fail(`${file} is not JSON: ${error.message}`);
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

function stageEntry(json, name) {
  const stages = isObject(json) ? json.stages : undefined;
  if (Array.isArray(stages)) return stages.find((s) => isObject(s) && (s.name === name || s.stage === name));
  if (isObject(stages)) return stages[name];
  return undefined;
}

function nestedDigests(value, found = []) {
  if (Array.isArray(value)) for (const item of value) nestedDigests(item, found);
  else if (isObject(value))
    for (const [key, item] of Object.entries(value)) {
      if (key === 'digest' && typeof item === 'string') found.push(item);
      else nestedDigests(item, found);
    }
  return found;
}

let digests;
if (stage) {
  const entry = stageEntry(record, stage);
  if (!isObject(entry))
    fail(`${file} has no entry for stage "${stage}" (looked for stages.${stage} and stages[].name)`);
  digests = typeof entry.digest === 'string' ? [entry.digest] : nestedDigests(entry);
} else {
  digests = isObject(record) && typeof record.digest === 'string' ? [record.digest] : [];
}

const where = stage ? `stage "${stage}" in ${file}` : file;
if (digests.length === 0) fail(`${where} names no digest`);
const wrong = [...new Set(digests.filter((d) => d !== expected))];
if (wrong.length > 0) fail(`${where} used ${wrong.join(', ')}, but the artifact job built ${expected}`);
console.log(`${where}: ${expected}`);
