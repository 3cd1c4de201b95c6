/** The codeowners generator takes no options: CODEOWNERS is a function of the workspace. */
export type CodeownersGeneratorSchema = Record<string, never>;
