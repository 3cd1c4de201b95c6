export interface TransferGeneratorSchema {
  /** The service to move: an Nx project tagged type:service. */
  service: string;
  /** Id of the team that takes it over, from platform/teams.json. */
  to: string;
}
