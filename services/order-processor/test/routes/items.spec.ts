import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

async function createItem(payload: unknown) {
  return service.app.inject({
    method: 'POST',
    url: '/items',
    payload: payload as object,
    headers: { 'x-correlation-id': 'items-test' },
  });
}

describe('POST /items', () => {
  it('creates an item', async () => {
    const response = await createItem({ name: 'Blue Train' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Blue Train',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(service.logs.withMessage('item created')[0]).toMatchObject({
      correlationId: 'items-test',
      itemId: response.json().id,
    });
  });

  it.each([
    ['no name', {}],
    ['an empty name', { name: '' }],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
    ['a name that is not a string', { name: { first: 'Miles' } }],
    ['an unknown property', { name: 'ok', price: 10 }],
  ])('rejects %s with 400', async (_, payload) => {
    const response = await createItem(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', correlationId: 'items-test' });
  });
});

describe('GET /items/:id', () => {
  it('returns a created item', async () => {
    const created = (await createItem({ name: 'Kind of Blue' })).json();
    const response = await service.app.inject({ url: `/items/${created.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(created);
  });

  it('answers 404 for an unknown id', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const response = await service.app.inject({ url: `/items/${id}` });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `Item ${id} not found`,
      correlationId: response.headers['x-correlation-id'],
    });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await service.app.inject({ url: '/items/42' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, message: 'params/id must match format "uuid"' });
  });
});
