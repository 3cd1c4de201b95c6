/** What MusicCorp sells: the catalog's own data, prices in US cents. */
export interface Album {
  sku: string;
  title: string;
  artist: string;
  priceCents: number;
}

/** `ALB-1001`: three capital letters, a dash, four digits. */
export const SKU_PATTERN = '^[A-Z]{3}-[0-9]{4}$';

export const albumSchema = {
  $id: 'Album',
  type: 'object',
  required: ['sku', 'title', 'artist', 'priceCents'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    title: { type: 'string' },
    artist: { type: 'string' },
    priceCents: { type: 'integer', minimum: 0, description: 'Price in US cents' },
  },
} as const;

/** The seeded catalog. It never changes while the service runs, so every app instance shares it. */
const seededAlbums: readonly Album[] = [
  { sku: 'ALB-1001', title: 'Kind of Blue', artist: 'Miles Davis', priceCents: 1999 },
  { sku: 'ALB-1002', title: 'Blue Train', artist: 'John Coltrane', priceCents: 1799 },
  { sku: 'ALB-1003', title: 'A Love Supreme', artist: 'John Coltrane', priceCents: 2199 },
  { sku: 'ALB-1004', title: 'Abbey Road', artist: 'The Beatles', priceCents: 2499 },
];

const albumsBySku = new Map(seededAlbums.map((album) => [album.sku, album]));

export function findAlbum(sku: string): Album | undefined {
  return albumsBySku.get(sku);
}

/** Every album, in SKU order. */
export function allAlbums(): readonly Album[] {
  return seededAlbums;
}
