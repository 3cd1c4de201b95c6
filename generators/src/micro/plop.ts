import { join } from 'node:path';
import type { NodePlopAPI, PlopGeneratorConfig } from 'plop';
import { helpers } from '@musiccorp/core/render-helpers';
import { endpointGenerator } from './endpoint/generator';
import { HTTP_METHODS, parseHttpMethod } from './endpoint/http-method';
import { assertRouteIsFree, parseHandlerName } from './endpoint/options';
import { parseRoutePath } from './endpoint/route-path';
import type { EndpointSchema } from './endpoint/schema';
import { eventGenerator } from './event/generator';
import { normalizeEventOptions, parseEventName } from './event/options';
import type { EventSchema } from './event/schema';
import { findService, serviceNames } from './service';
import { runWithContract, type ContractedChanges } from './contract';
import { readWorkspace } from './workspace';

/**
 * An inquirer question as plop runs it: `bypass` turns a positional argument into the answer (see `parsedAnswer`),
 * `help` is what plop prints for each argument when the arguments given do not fit. `validate` runs for typed and
 * positional answers alike, with the answers so far.
 */
interface Prompt {
  type: 'input' | 'list';
  name: string;
  message: string;
  help: string;
  choices?: readonly string[];
  bypass?: (value: string) => string;
  validate?: (value: string, answers: Record<string, string>) => true | string;
}

/** How each generator runs without prompts: its positional arguments. */
const USAGE = {
  endpoint: 'plop endpoint <service> <METHOD> <path> <handlerName>',
  event: 'plop event <service> <EventName>',
};

/**
 * Registers `endpoint` and `event` on plop, rendering through the same render module and helpers as `nx g`.
 * `plopfileDir` is the workspace root (where the plopfile, templates/ and services/ are); `--dest` moves the output.
 */
export function registerMicroGenerators(plop: NodePlopAPI, plopfileDir: string): void {
  const templatesRoot = join(plopfileDir, 'templates');
  const workspaceRoot = () => plop.getDestBasePath();
  for (const [name, helper] of Object.entries(helpers)) plop.setHelper(name, helper);
  plop.setWelcomeMessage('MusicCorp micro-generators: add to a service your team owns. Choose one:');
  if (!process.stdin.isTTY) refusePromptsWithoutTerminal(plop);

  const service: Prompt = {
    type: 'list',
    name: 'service',
    message: 'Which service?',
    help: 'the service (a project tagged type:service), e.g. catalog',
    choices: serviceNames(readWorkspace(workspaceRoot())),
    ...parsedAnswer((value) => findService(readWorkspace(workspaceRoot()), value).name),
  };

  const endpointPrompts: Prompt[] = [
    service,
    {
      type: 'list',
      name: 'method',
      message: 'HTTP method?',
      help: `${HTTP_METHODS.join(', ')} (any case); POST, PUT and PATCH get a JSON body schema`,
      choices: HTTP_METHODS,
      ...parsedAnswer(parseHttpMethod),
    },
    {
      type: 'input',
      name: 'path',
      message: 'Route path? (e.g. /albums/:albumId)',
      help: 'starts with /, lowercase-kebab segments or :camelParam, e.g. /albums/:albumId/tracks',
      validate: (value, answers) =>
        check(() => {
          const { path } = parseRoutePath(value);
          if (!answers.service || !answers.method) return;
          const tree = readWorkspace(workspaceRoot());
          assertRouteIsFree(tree, findService(tree, answers.service), parseHttpMethod(answers.method), path);
        }),
    },
    {
      type: 'input',
      name: 'handlerName',
      message: 'Handler name? (camelCase, e.g. getAlbum)',
      help: 'camelCase; names the plugin and its files (getAlbum → src/routes/get-album.ts)',
      validate: (value, answers) =>
        check(() => {
          const tree = readWorkspace(workspaceRoot());
          if (answers.service) parseHandlerName(tree, findService(tree, answers.service), value);
        }),
    },
  ];
  plop.setGenerator('endpoint', {
    description: `HTTP route with JSON schemas, registered, tested, in the README: ${USAGE.endpoint}`,
    prompts: asPlopPrompts(endpointPrompts),
    actions: [
      async (answers) =>
        summarize(
          await runWithContract(workspaceRoot(), answers.service, (tree) =>
            endpointGenerator(tree, answers as EndpointSchema, templatesRoot),
          ),
        ),
    ],
  });

  const eventPrompts: Prompt[] = [
    service,
    {
      type: 'input',
      name: 'eventName',
      message: 'Event name? (PascalCase, past tense, e.g. OrderPlaced)',
      help: 'PascalCase, past tense, e.g. OrderPlaced → type com.musiccorp.<service>.order-placed',
      validate: (value, answers) =>
        check(() => {
          parseEventName(value);
          if (answers.service)
            normalizeEventOptions(readWorkspace(workspaceRoot()), { ...answers, eventName: value } as EventSchema);
        }),
    },
  ];
  plop.setGenerator('event', {
    description: `CloudEvents envelope, publisher, correlated consumer and tests: ${USAGE.event}`,
    prompts: asPlopPrompts(eventPrompts),
    actions: [
      async (answers) =>
        summarize(
          await runWithContract(workspaceRoot(), answers.service, (tree) =>
            eventGenerator(tree, answers as EventSchema, templatesRoot),
          ),
        ),
    ],
  });
}

/**
 * `bypass` and `validate` for a list answer that `parse` reads (`get` → `GET`) or refuses, naming the fix. The bypass
 * never throws: plop words a bypass's error, and its own look-up of a value among a list's choices (what it does
 * without a bypass), as `The "service" prompt did not recognize "nosuch" as a valid list value (ERROR: …)`. A value
 * `parse` refuses goes on as given, and `validate` refuses it in our words.
 */
function parsedAnswer(parse: (value: string) => string): Required<Pick<Prompt, 'bypass' | 'validate'>> {
  return {
    bypass: (value) => {
      try {
        return parse(value);
      } catch {
        return value;
      }
    },
    validate: (value) => check(() => parse(value)),
  };
}

/**
 * Without a terminal inquirer cannot ask: it prints its escape codes, reads end-of-file and exits 130 as if
 * interrupted, saying nothing. plop asks through node-plop's inquirer, for the generator to run (`npx plop`) and for
 * every answer the command line leaves out, so that is where to stop: before inquirer starts (once started, it turns
 * any exit into 130), and by exiting here (plop would print a rejection of its generator list with a stack trace, and
 * exit 0). node-plop passes the answers the command line gave as a question with only a `when`, never shown; every
 * other question would be asked.
 */
function refusePromptsWithoutTerminal(plop: NodePlopAPI): void {
  // The plopfile API passes inquirer through (the one prompts functions get); plop's types leave it out.
  const { inquirer } = plop as NodePlopAPI & { inquirer: { prompt: Prompter } };
  const prompt = inquirer.prompt;
  if (prompt.refusesWithoutTerminal) return; // registered again in the same process (the specs load the plopfile often)
  inquirer.prompt = Object.assign(
    (questions: readonly { when?: unknown }[], answers?: unknown) => {
      if (questions.some((question) => question.when === undefined)) {
        process.stderr.write(
          `npx plop needs a terminal to ask which generator to run and its answers; without one, give every answer: npx ${USAGE.endpoint}, or npx ${USAGE.event}\n`,
        );
        process.exit(1);
      }
      return prompt(questions, answers);
    },
    prompt,
    { refusesWithoutTerminal: true },
  );
}

/** inquirer's prompt function as node-plop calls it; its registered prompt types (`prompts`) stay on it. */
type Prompter = ((questions: readonly { when?: unknown }[], answers?: unknown) => Promise<unknown>) & {
  refusesWithoutTerminal?: boolean;
};

/** plop reads `bypass` and `help` from a question; inquirer's types, which plop's re-export, don't declare them. */
const asPlopPrompts = (prompts: Prompt[]) => prompts as unknown as PlopGeneratorConfig['prompts'];

/** A validate result: true, or the problem's message (which names the fix). */
function check(validate: () => unknown): true | string {
  try {
    validate();
    return true;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * What plop prints after its ✔: one line per file written. A contract that could not be regenerated fails the action
 * (plop prints ✖ and the message), after the files it lists were written.
 */
function summarize({ changes, contractError }: ContractedChanges): string {
  const verbs = { CREATE: 'created', UPDATE: 'updated', DELETE: 'deleted' } as const;
  const written = changes.map((change) => `${verbs[change.type]} ${change.path}`).join('\n   ');
  if (contractError === undefined) return written;
  throw new Error(
    `${written}\n   but not the service's contract: ${contractError}\n   Fix that, then write it with: npx nx sync`,
  );
}
