/**
 * The closest valid-looking name to `name`, offered in error messages: kebab-case (lowercase letters and digits, words
 * joined by single hyphens), starting with a letter, at most `maxLength` characters.
 */
export function suggestName(name: string, maxLength = Infinity): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
}
