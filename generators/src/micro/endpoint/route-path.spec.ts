import { describe, expect, it } from 'vitest';
import { parseRoutePath, routeShape, suggestRoutePath } from './route-path';

describe('parseRoutePath', () => {
  it.each([
    ['/', []],
    ['/albums', []],
    ['/top-albums/2024', []],
    ['/albums/:albumId', ['albumId']],
    ['/artists/:artistId/albums/:albumId/tracks', ['artistId', 'albumId']],
  ])('accepts %s with parameters %j', (path, params) => {
    expect(parseRoutePath(path)).toEqual({ path, params });
  });

  it.each([
    ['', /A route path is required/],
    ['albums', /must start with "\/": use "\/albums"/],
    ['/albums/', /must not end with "\/": use "\/albums"/],
    ['/albums//tracks', /empty segment/],
    ['/Albums', /segment "Albums" .* lowercase kebab-case/],
    ['/top_albums', /segment "top_albums"/],
    ['/albums/-x', /segment "-x"/],
    ['/albums/:AlbumId', /segment ":AlbumId" .* camelCase parameter/],
    ['/albums/:album-id', /segment ":album-id"/],
    ['/albums/{id}', /segment "\{id\}"/],
    ['/a/:id/b/:id', /":id" twice/],
  ])('refuses %j, naming the fix', (path, message) => {
    expect(() => parseRoutePath(path)).toThrow(message);
  });
});

/** Why `parseRoutePath` refuses `path`, or undefined when it accepts it. */
function refusalOf(path: string): string | undefined {
  try {
    parseRoutePath(path);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('suggestRoutePath', () => {
  it.each([
    ['/Albums/', '/albums'],
    ['/albums//x', '/albums/x'],
    ['albums', '/albums'],
    ['/Album_Tracks/:Id', '/album-tracks/:id'],
    ['Albums//:AlbumId/', '/albums/:albumId'],
    ['/top_albums/2024', '/top-albums/2024'],
    ['/albums/-x', '/albums/x'],
    ['/albums/:album-id', '/albums/:albumId'],
    ['/albums/{id}', '/albums/:id'],
    ['/TopAlbums', '/top-albums'],
    ['/top albums ', '/top-albums'],
    ['/a/:id/b/:id', '/a/:id/b/:id2'],
    ['/a/:id/b/:Id/c/:id2', '/a/:id/b/:id2/c/:id22'],
    ['//', '/'],
  ])('the refusal of %j suggests %j, which is accepted', (path, suggested) => {
    expect(refusalOf(path)).toContain(`: use "${suggested}".`);
    expect(parseRoutePath(suggested).path).toBe(suggested);
  });

  it('suggests nothing when a segment has nothing to keep, and the refusal gives an example instead', () => {
    expect(suggestRoutePath('/albums/*')).toBeUndefined();
    expect(suggestRoutePath('/albums/:1st')).toBeUndefined();
    expect(refusalOf('/albums/*')).toMatch(/segment "\*" .*: e\.g\. \/albums\/:albumId\/tracks\.$/);
  });

  // Every path of up to three segments built from these, with and without leading and trailing slashes.
  const segments = [
    'albums',
    'Albums',
    'top_albums',
    'TOP-ALBUMS',
    '2024',
    '',
    ' ',
    ':albumId',
    ':AlbumId',
    ':album-id',
  ];
  const paths = [
    ...new Set(
      segments.flatMap((first) =>
        segments.flatMap((second) =>
          [[first], [first, second], [first, second, ':albumId']].flatMap((parts) => {
            const inner = parts.join('/');
            return [inner, `/${inner}`, `${inner}/`, `/${inner}/`];
          }),
        ),
      ),
    ),
  ].filter((path) => path.trim() !== ''); // "A route path is required" has nothing to suggest

  it(`suggests, for each of ${paths.length} paths it refuses, a path it accepts; an accepted path suggests itself`, () => {
    let refused = 0;
    for (const path of paths) {
      const suggestion = suggestRoutePath(path);
      expect(suggestion, path).toBeDefined();
      expect(parseRoutePath(suggestion).path, path).toBe(suggestion);
      const refusal = refusalOf(path);
      if (refusal === undefined) {
        expect(suggestion, path).toBe(parseRoutePath(path).path);
      } else {
        expect(refusal.endsWith(`: use "${suggestion}".`), refusal).toBe(true);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(paths.length / 2);
  });
});

describe('routeShape', () => {
  it('ignores parameter names and their regular expressions, as Fastify matches routes', () => {
    expect(routeShape('/albums/:id')).toBe(routeShape('/albums/:albumId'));
    expect(routeShape('/albums/:id(^\\d+$)/tracks')).toBe(routeShape('/albums/:albumId/tracks'));
    expect(routeShape('/albums/:id')).not.toBe(routeShape('/albums/:id/tracks'));
  });
});
