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

/** Characters that start Markdown inline syntax (emphasis, code, links, tables, strikethrough, math) or HTML and entities. */
const MARKDOWN_INLINE = /[\\`*_[\]<>|~&$]/g;

/**
 * Plain text shown as typed in Markdown (CommonMark with GitHub's extensions) and never read as HTML: each character
 * that could start inline syntax, a tag or an entity is backslash-escaped, and so is a line start that would make a
 * heading, a list item or a quote (`# x`, `- x`, `+ x`, `1. x`).
 */
export function markdownText(value: string): string {
  return value
    .replace(MARKDOWN_INLINE, (char) => `\\${char}`)
    .replace(/^[#+-]/gm, (char) => `\\${char}`)
    .replace(/^(\d+)([.)])/gm, '$1\\$2');
}

/** Helpers every front end shares; plop registers the same functions through `plop.setHelper`. */
export const helpers: Record<string, Handlebars.HelperDelegate> = {
  ...caseHelpers,
  /** `{{json answers}}`: pretty JSON, for provenance and config files. */
  json: (value: unknown) => JSON.stringify(value, null, 2),
  eq: (a: unknown, b: unknown) => a === b,
  /** `{{markdownText description}}`: an answer in Markdown prose, shown as typed. */
  markdownText,
};

export function registerHelpers(hbs: typeof Handlebars): void {
  for (const [name, fn] of Object.entries(helpers)) hbs.registerHelper(name, fn);
}
