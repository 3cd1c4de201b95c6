import { describe, expect, it } from 'vitest';
import { parseRoutePath, routeShape } from './route-path';

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

describe('routeShape', () => {
  it('ignores parameter names and their regular expressions, as Fastify matches routes', () => {
    expect(routeShape('/albums/:id')).toBe(routeShape('/albums/:albumId'));
    expect(routeShape('/albums/:id(^\\d+$)/tracks')).toBe(routeShape('/albums/:albumId/tracks'));
    expect(routeShape('/albums/:id')).not.toBe(routeShape('/albums/:id/tracks'));
  });
});
