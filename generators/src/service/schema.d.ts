/** The options, one value each: what every caller but the command line passes. */
export interface ServiceOptions {
  name: string;
  team?: string;
  port?: number | string;
  description?: string;
}

/**
 * The options as Nx passes them from the command line: an option given twice (`--port=1 --port=2`) arrives as a list,
 * which schema.json lets through so that the generator refuses it in its own words.
 */
export type ServiceGeneratorSchema = { [Option in keyof ServiceOptions]: ServiceOptions[Option] | string[] };
