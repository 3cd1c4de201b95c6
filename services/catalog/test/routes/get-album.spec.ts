import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const correlationId = 'get-album-test';

const getAlbum = (sku: string) =>
  service.app.inject({ method: 'GET', url: `/albums/${sku}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /albums/:sku', () => {
  it('answers the album with its price in cents', async () => {
    const response = await getAlbum('ALB-1002');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      sku: 'ALB-1002',
      title: 'Blue Train',
      artist: 'John Coltrane',
      priceCents: 1799,
    });
    expect(response.headers['x-correlation-id']).toBe(correlationId);
  });

  it('answers 404 naming a SKU the catalog does not have', async () => {
    const response = await getAlbum('ALB-9999');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'No album with SKU ALB-9999 in the catalog',
      correlationId,
    });
  });

  it.each(['alb-1001', 'ALB-10', 'ALB1001', 'ALB-1001-X'])('answers 400 for the malformed SKU %s', async (sku) => {
    const response = await getAlbum(sku);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'params/sku must match pattern "^[A-Z]{3}-[0-9]{4}$"',
      correlationId,
    });
  });
});
