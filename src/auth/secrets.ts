import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret with 256 bits of entropy, base64url (43 characters). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a secret we generated. A fast hash is enough here: the secrets are random with 256 bits of
 * entropy, so there is nothing to brute-force (argon2 is for passwords people choose).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
