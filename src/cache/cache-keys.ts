/** Every cache key and TTL of the service, in one place. */
export const CacheKeys = {
  molecule: (id: string) => `molecule:${id}`,
  chemistry: (structureHash: string) => `chemistry:${structureHash}`,
} as const;

export const CacheTtlSeconds = {
  molecule: 300,
  chemistry: 3_600,
} as const;
