import { describe, expect, it } from 'vitest';
import { replaceStringValue, updateJsonText } from './json-edit';

describe('updateJsonText', () => {
  const text = '{\n  "service": "payment",\n  "team": "finance",\n  "env": { "PORT": "3200" }\n}\n';
  const setTeam = (json: Record<string, unknown>) => ({ ...json, team: 'catalog' });

  it('keeps the layout when the in-place edit gives exactly the changed document', () => {
    expect(updateJsonText(text, setTeam, (t) => replaceStringValue(t, 'team', 'catalog'))).toBe(
      '{\n  "service": "payment",\n  "team": "catalog",\n  "env": { "PORT": "3200" }\n}\n',
    );
  });

  it('prints the changed document like prettier when the in-place edit misses or breaks it', () => {
    const printed = '{\n  "service": "payment",\n  "team": "catalog",\n  "env": {\n    "PORT": "3200"\n  }\n}\n';
    expect(updateJsonText(text, setTeam, (t) => t)).toBe(printed);
    expect(updateJsonText(text, setTeam, (t) => t.replace('{', ''))).toBe(printed);
  });

  it('replaceStringValue escapes the value and leaves other keys alone', () => {
    expect(replaceStringValue('{"teams": "a", "team": "b"}', 'team', 'say "hi"')).toBe(
      '{"teams": "a", "team": "say \\"hi\\""}',
    );
  });
});
