export interface TeamGeneratorSchema {
  /** Team id: kebab-case; the tag `team:<id>` and the GitHub team `@musiccorp/<id>`. */
  id: string;
  /** GitHub team handle; must be `@musiccorp/<id>` (the default). */
  handle?: string;
  /** Display name; default: the id in title case. */
  name?: string;
  /** GitHub usernames, comma-separated (or a list); at least one. */
  members?: string | string[];
  /** A chat channel (`#team-x`, the default `#team-<id>`) or an email address. */
  contact?: string;
  /** Remove the team instead; refused while it owns a project. */
  remove?: boolean;
}
