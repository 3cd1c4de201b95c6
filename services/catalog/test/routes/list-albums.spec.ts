import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

describe('GET /albums', () => {
  it('answers the whole catalog in SKU order, each album with its price', async () => {
    const response = await service.app.inject({ method: 'GET', url: '/albums' });
    expect(response.statusCode).toBe(200);
    const { albums } = response.json() as { albums: { sku: string; priceCents: number }[] };
    expect(albums.map((album) => album.sku)).toEqual(['ALB-1001', 'ALB-1002', 'ALB-1003', 'ALB-1004']);
    expect(albums[0]).toEqual({ sku: 'ALB-1001', title: 'Kind of Blue', artist: 'Miles Davis', priceCents: 1999 });
    // Each album of the list is the one GET /albums/:sku answers.
    for (const album of albums) {
      expect((await service.app.inject({ url: `/albums/${album.sku}` })).json()).toEqual(album);
    }
  });
});
