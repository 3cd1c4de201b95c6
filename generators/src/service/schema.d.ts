export interface ServiceGeneratorSchema {
  name: string;
  team?: string;
  port?: number | string;
  description?: string;
}
