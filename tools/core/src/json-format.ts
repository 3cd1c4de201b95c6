/**
 * JSON printed the way prettier prints a file that JSON.stringify wrote: objects expanded one key per line, arrays of
 * plain values on one line when that line fits. Loading prettier for one small file would cost ~0.4 s per `nx g`;
 * json-format.spec.ts checks the output against prettier itself.
 */
export function formatJson(value: unknown, printWidth = 120): string {
  return `${print(value, 0, 0, printWidth)}\n`;
}

/** `used`: characters already on the line before this value (indent and key), plus the comma after it. */
function print(value: unknown, indent: number, used: number, width: number): string {
  const oneLine = flat(value);
  if (oneLine !== undefined && (!Array.isArray(value) || used + oneLine.length <= width)) return oneLine;
  const inner = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => inner + print(item, indent + 2, indent + 2 + comma(i, value.length), width));
    return `[\n${items.join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value as object).filter(([, item]) => item !== undefined);
  const lines = entries.map(([key, item], i) => {
    const prefix = `${inner}${JSON.stringify(key)}: `;
    return prefix + print(item, indent + 2, prefix.length + comma(i, entries.length), width);
  });
  return `{\n${lines.join(',\n')}\n${close}}`;
}

/** The one-line form, for values prettier may keep on one line: no object with keys anywhere inside. */
function flat(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    const items = value.map(flat);
    return items.every((item) => item !== undefined) ? `[${items.join(', ')}]` : undefined;
  }
  return Object.values(value).some((item) => item !== undefined) ? undefined : '{}';
}

const comma = (index: number, length: number) => (index < length - 1 ? 1 : 0);
