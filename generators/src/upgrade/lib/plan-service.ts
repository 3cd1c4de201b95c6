import type { Tree } from '@nx/devkit';
import { compileTemplate, type Answers, type CompiledTemplate } from '@musiccorp/core/render';
import type { Provenance } from '@musiccorp/core/provenance';
import type { ServiceInfo } from '@musiccorp/core/services';
import { TemplateRevisions } from '../../utils/template-revision';
import { describeFinding } from '../../drift/drift';
import { migrateAnswers, namesReadBy } from './answers';
import { GitMergeFile } from './merge-file';
import type { Refusal, UpgradeTarget } from './normalize-options';
import {
  fileAt,
  generatorSchemaAt,
  platformVersionAt,
  renderedRenames,
  templateCommits,
  templateRenames,
  type GeneratorSchema,
  type TemplateCommit,
} from './platform-at';
import { planUpgrade, type UpgradePlan, type UpgradeRefusal } from './plan';
import { dependencyVersionMismatches } from './dependency-versions';

/** One service, planned: what changes, across which template commits, and its next provenance. */
export interface ServiceUpgrade {
  service: ServiceInfo;
  provenancePath: string;
  from: string;
  to: string;
  /** The template commits moved across, newest first. */
  commits: TemplateCommit[];
  plan: UpgradePlan;
  provenance: Provenance;
  answers: { added: string[]; dropped: string[] };
  /** Things the team should know that do not stop the upgrade. */
  warnings: string[];
  /** The contract files (contract/…) written again from the upgraded code. */
  contractChanges?: string[];
}

export type ServiceOutcome =
  | { kind: 'upgrade'; upgrade: ServiceUpgrade }
  | { kind: 'up-to-date'; service: ServiceInfo; at: string }
  | { kind: 'refused'; refusal: Refusal };

/**
 * Plans the upgrade of each service of a run against one target commit: each template revision is extracted from git
 * once, and what the platform declares at the target (version, generator schema, root package.json) is read once.
 * dispose() removes the extracted revisions and the merge scratch folder.
 */
export class UpgradeRun {
  private readonly revisions: TemplateRevisions;
  private readonly merger = new GitMergeFile();
  private readonly version: string;
  private readonly history = new Map<string, { commits: TemplateCommit[]; renames: Array<[string, string]> }>();
  private readonly compiled = new Map<string, { template: CompiledTemplate; root: string; names?: Set<string> }>();
  private readonly schemas = new Map<string, GeneratorSchema>();
  /** The root package.json at the target, read on the first upgrade: undefined until then, null when it has none. */
  private rootManifest: string | null | undefined;

  constructor(
    private readonly tree: Tree,
    readonly to: string,
  ) {
    this.revisions = new TemplateRevisions(tree.root);
    this.version = platformVersionAt(tree.root, to);
  }

  plan(target: UpgradeTarget): ServiceOutcome {
    const { service, provenance } = target;
    const refuse = (reason: string): ServiceOutcome => ({
      kind: 'refused',
      refusal: { service: service.name, reason },
    });
    const from = provenance.platformCommit;
    const { template } = provenance;
    const short = (sha: string) => sha.slice(0, 7);
    if (from === this.to) return { kind: 'up-to-date', service, at: from };

    let old, updated;
    try {
      old = this.compiledAt(template, from);
      updated = this.compiledAt(template, this.to);
    } catch (error) {
      return refuse(
        `${service.name}: ${(error as Error).message} An upgrade renders the template "${template}" its provenance names at both commits.`,
      );
    }
    const schema = this.schemaOf(template);
    updated.names ??= namesReadBy(template, updated.root);
    const migrated = migrateAnswers(provenance.answers, schema, updated.names);
    let oldFiles;
    try {
      oldFiles = old.template.render({ ...provenance.answers, platformVersion: provenance.platformVersion });
    } catch (error) {
      return refuse(
        `${service.name}: templates/${template} at ${short(from)} does not render with the answers of ${target.provenancePath}: ${(error as Error).message} The provenance must be what the service generator wrote at that commit: restore it from git, then upgrade.`,
      );
    }
    let newFiles;
    try {
      newFiles = updated.template.render({ ...migrated.answers, platformVersion: this.version });
    } catch (error) {
      return refuse(
        `${service.name}: templates/${template} at ${short(this.to)} does not render with its answers: ${(error as Error).message} A new answer needs a "default" in ${schema.path} (the upgrade gives it to services that never answered it).`,
      );
    }

    const { commits, renames } = this.historyFrom(template, from);
    const label = `${service.name} (yours, on template ${short(from)})`;
    const outcome = planUpgrade({
      old: { files: oldFiles, teamOwned: old.template.manifest.teamOwned },
      next: { files: newFiles, teamOwned: updated.template.manifest.teamOwned },
      renames: renderedRenames(renames, provenance.answers, migrated.answers),
      read: (path) => this.tree.read(`${service.root}/${path}`),
      merge: this.merger.merge,
      labels: () => ({ ours: label, base: `template ${short(from)}`, theirs: `template ${short(this.to)}` }),
    });
    if ('refused' in outcome) return refuse(refusalMessage(service, from, outcome.refused));

    const next: Provenance = {
      ...provenance,
      platformVersion: this.version,
      platformCommit: this.to,
      templatesModified: false,
      answers: migrated.answers,
    };
    const unchanged =
      outcome.plan.changes.length === 0 &&
      commits.length === 0 &&
      next.platformVersion === provenance.platformVersion &&
      sameAnswers(next.answers, provenance.answers);
    if (unchanged) return { kind: 'up-to-date', service, at: from };

    if (this.rootManifest === undefined) this.rootManifest = fileAt(this.tree.root, this.to, 'package.json');
    const warnings = dependencyVersionMismatches(this.rootManifest, this.to, newFiles, template);
    return {
      kind: 'upgrade',
      upgrade: {
        service,
        provenancePath: target.provenancePath,
        from,
        to: this.to,
        commits,
        plan: outcome.plan,
        provenance: next,
        answers: { added: migrated.added, dropped: migrated.dropped },
        warnings,
      },
    };
  }

  dispose(): void {
    this.revisions.dispose();
    this.merger.dispose();
  }

  /** The template as `commit` has it, read and compiled once for every service of the run. */
  private compiledAt(template: string, commit: string) {
    const key = `${template}\0${commit}`;
    let compiled = this.compiled.get(key);
    if (!compiled) {
      const root = this.revisions.at(commit);
      try {
        compiled = { template: compileTemplate(template, root), root };
      } catch (error) {
        throw new Error((error as Error).message.replaceAll(root, `templates/ at ${commit.slice(0, 7)}`));
      }
      this.compiled.set(key, compiled);
    }
    return compiled;
  }

  private schemaOf(template: string): GeneratorSchema {
    let schema = this.schemas.get(template);
    if (!schema) {
      schema = generatorSchemaAt(this.tree.root, this.to, template);
      this.schemas.set(template, schema);
    }
    return schema;
  }

  /** The template's commits and renames since `from`: the same for every service rendered at `from`. */
  private historyFrom(template: string, from: string) {
    const key = `${template}\0${from}`;
    let history = this.history.get(key);
    if (!history) {
      history = {
        commits: templateCommits(this.tree.root, template, from, this.to),
        renames: templateRenames(this.tree.root, template, from, this.to),
      };
      this.history.set(key, history);
    }
    return history;
  }
}

function refusalMessage(service: ServiceInfo, from: string, refusal: UpgradeRefusal): string {
  const lines = [`${service.name} is not upgraded: the upgrade would lose edits in ${service.root}.`];
  if (refusal.drift.length > 0)
    lines.push(
      `  Platform-owned files that are no longer as templates/ at ${from.slice(0, 7)} rendered them (drift): ${refusal.drift.map(describeFinding).join(', ')}.`,
      `  Fix: undo the hand edits (\`npm run drift -- ${service.name}\` names the lines, \`git log -p -- ${service.root}/<file>\` finds the change); move what the team needs into a team-owned file, or propose it to templates/. Then upgrade.`,
    );
  if (refusal.nowPlatformOwned.length > 0)
    lines.push(
      `  Team-owned files the team changed that the new template.json makes platform-owned: ${refusal.nowPlatformOwned.join(', ')}.`,
      `  Fix: move the team's changes out of them (into a file that stays team-owned) and restore them as rendered, or ask the platform team to keep them team-owned. Then upgrade.`,
    );
  return lines.join('\n');
}

function sameAnswers(a: Answers, b: Answers): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
