import { describe, expect, it } from 'vitest';
import { createFilter, parseFieldCondition, parseLevel, parseSince } from './filter';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const line = {
  level: 'warn',
  time: NOW - 60_000,
  service: 'payment',
  correlationId: 'order-42',
  status: 502,
  retried: true,
  err: { type: 'TypeError', message: 'x' },
  'req.id': 'r-1',
  tags: ['a', 'b'],
};

describe('createFilter', () => {
  it('ANDs every condition given', () => {
    const filter = createFilter({
      correlationId: 'order-42',
      services: ['payment', 'catalog'],
      minLevel: 40,
      since: NOW - 120_000,
      fields: [
        { path: 'status', value: '502' },
        { path: 'err.type', value: 'TypeError' },
      ],
    });
    expect(filter.matches(line, line.time)).toBe(true);
    for (const other of [
      { ...line, correlationId: 'order-4' },
      { ...line, service: 'inventory' },
      { ...line, level: 'info' },
      { ...line, status: 500 },
      { ...line, err: { type: 'Error' } },
    ]) {
      expect(filter.matches(other, other.time), JSON.stringify(other)).toBe(false);
    }
    expect(filter.matches(line, NOW - 180_000)).toBe(false);
    expect(filter.matches(line, undefined)).toBe(false);
  });

  it('compares levels as numbers, whether lines write names (the chassis) or numbers (pino)', () => {
    const atLeastWarn = createFilter({ minLevel: parseLevel('warn') });
    expect(atLeastWarn.matches({ level: 'error' }, undefined)).toBe(true);
    expect(atLeastWarn.matches({ level: 50 }, undefined)).toBe(true);
    expect(atLeastWarn.matches({ level: 30 }, undefined)).toBe(false);
    expect(atLeastWarn.matches({ level: 'verbose' }, undefined)).toBe(false);
  });

  it('matches a field by name first (a dotted key), then by dotted path; values by their JSON form', () => {
    const matches = (path: string, value: string) => createFilter({ fields: [{ path, value }] }).matches(line, 0);
    expect(matches('req.id', 'r-1')).toBe(true);
    expect(matches('retried', 'true')).toBe(true);
    expect(matches('tags', '["a","b"]')).toBe(true);
    expect(matches('err.message', 'x')).toBe(true);
    expect(matches('err.missing', '')).toBe(false);
    expect(matches('status', '50')).toBe(false);
  });

  it('scans for the most selective bytes: the correlation id as a JSON string, else a plain value', () => {
    expect(createFilter({ correlationId: 'order-42' }).needle?.toString()).toBe('"order-42"');
    expect(
      createFilter({
        fields: [
          { path: 'status', value: '502' },
          { path: 'route', value: '/items/:id' },
          { path: 'msg', value: 'said "hi"' },
        ],
      }).needle?.toString(),
    ).toBe('/items/:id');
    expect(createFilter({ services: ['payment'] }).needle?.toString()).toBe('"payment"');
    expect(createFilter({ services: ['payment', 'catalog'] }).needle).toBeUndefined();
    expect(createFilter({ minLevel: 40 }).needle).toBeUndefined();
  });

  it('keeps lines that are not JSON only when nothing but the correlation id filters, and text is wanted', () => {
    expect(createFilter({}).keepsText).toBe(true);
    expect(createFilter({ correlationId: 'x' }).keepsText).toBe(true);
    expect(createFilter({ correlationId: 'x', textLines: false }).keepsText).toBe(false);
    expect(createFilter({ minLevel: 30 }).keepsText).toBe(false);
    expect(createFilter({ fields: [{ path: 'a', value: 'b' }] }).keepsText).toBe(false);
  });
});

describe('the flags', () => {
  it('--since takes a duration back from now or an ISO time', () => {
    expect(parseSince('5m', NOW)).toBe(NOW - 300_000);
    expect(parseSince('1.5h', NOW)).toBe(NOW - 5_400_000);
    expect(parseSince('250ms', NOW)).toBe(NOW - 250);
    expect(parseSince('2026-12-02T11:00:00Z', NOW)).toBe(NOW - 3_600_000);
    expect(parseSince('2026-12-02', NOW)).toBe(Date.UTC(2026, 11, 2));
    for (const bad of ['5 minutes', 'yesterday', '12', '2026-13-45T99:00Z']) {
      expect(() => parseSince(bad, NOW)).toThrow(`--since=${bad} is neither an ISO time`);
    }
  });

  it('--level takes a name (any case) or a number, and names the levels otherwise', () => {
    expect(parseLevel('ERROR')).toBe(50);
    expect(parseLevel('35')).toBe(35);
    expect(() => parseLevel('loud')).toThrow(
      '--level=loud is not a level: use trace, debug, info, warn, error, fatal, or a number (30 = info).',
    );
  });

  it('tells field=value filters from file names', () => {
    expect(parseFieldCondition('status=500')).toEqual({ path: 'status', value: '500' });
    expect(parseFieldCondition('err.message=a=b')).toEqual({ path: 'err.message', value: 'a=b' });
    expect(parseFieldCondition('msg=')).toEqual({ path: 'msg', value: '' });
    for (const file of ['catalog.log', './a=b.log', '/tmp/x=y', '-']) expect(parseFieldCondition(file)).toBeUndefined();
  });
});
