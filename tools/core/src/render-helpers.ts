import type Handlebars from 'handlebars';

/** Splits `order-processor`, `orderProcessor`, `Order Processor` alike into lowercase words. */
export function words(value: string): string[] {
  return value
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const caseHelpers = {
  kebabCase: (value: string) => words(value).join('-'),
  camelCase: (value: string) =>
    words(value)
      .map((w, i) => (i === 0 ? w : capitalize(w)))
      .join(''),
  pascalCase: (value: string) => words(value).map(capitalize).join(''),
  constantCase: (value: string) => words(value).join('_').toUpperCase(),
  titleCase: (value: string) => words(value).map(capitalize).join(' '),
};

/** Helpers every front end shares; plop registers the same functions through `plop.setHelper`. */
export const helpers: Record<string, Handlebars.HelperDelegate> = {
  ...caseHelpers,
  /** `{{json answers}}`: pretty JSON, for provenance and config files. */
  json: (value: unknown) => JSON.stringify(value, null, 2),
  eq: (a: unknown, b: unknown) => a === b,
};

export function registerHelpers(hbs: typeof Handlebars): void {
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
}
