/** The answers of `npx plop endpoint <service> <METHOD> <path> <handlerName>`, as typed (unvalidated). */
export interface EndpointSchema {
  service: string;
  method: string;
  path: string;
  handlerName: string;
}
