import { formatJson } from '@musiccorp/core/json-format';

/**
 * Changes a JSON document while keeping its layout: `textEdit` edits the text in place (a few values), and is used
 * only when the result is exactly the document `change` describes; otherwise the changed document is printed like
 * prettier prints a file that JSON.stringify wrote. Teams may lay out their own JSON files (pipeline.json) as they
 * like, and an ownership change should be a one-line diff there, not a reformat.
 */
export function updateJsonText<T>(text: string, change: (json: T) => T, textEdit: (text: string) => string): string {
  const expected = change(JSON.parse(text) as T);
  const edited = textEdit(text);
  try {
    if (JSON.stringify(JSON.parse(edited)) === JSON.stringify(expected)) return edited;
  } catch {
    // the in-place edit broke the document: print the changed document instead
  }
  return formatJson(expected);
}

/** Replaces the first string value of `key` in a JSON text (`"key": "old"` → `"key": "new"`), keeping the layout. */
export function replaceStringValue(text: string, key: string, value: string): string {
  const pattern = new RegExp(`("${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`);
  return text.replace(pattern, (_, prefix: string) => `${prefix}${JSON.stringify(value)}`);
}
