/** The contracts generator takes no options: each contract is a function of its service's code. */
export type ContractsGeneratorSchema = Record<string, never>;
