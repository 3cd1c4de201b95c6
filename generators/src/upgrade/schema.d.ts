export interface UpgradeGeneratorSchema {
  /** The service to upgrade: an Nx project tagged type:service. */
  service?: string;
  /** Every service of the workspace. */
  all?: boolean;
  /** Every service of this team (an id from platform/teams.json). */
  team?: string;
  /** The platform commit to upgrade to: any git ref; default HEAD. */
  to?: string;
  /** One git commit per upgraded service (its folder only). */
  commit?: boolean;
}
