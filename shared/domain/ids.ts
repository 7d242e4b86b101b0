import { ulid, type PRNG } from 'ulidx';

/**
 * ulidx's default PRNG asks the OS for one byte per character (16 calls per id), which showed up as
 * the gateway's largest single CPU cost; drawing the bytes from a pool filled 256 at a time keeps
 * the same cryptographic source.
 */
const pool = new Uint8Array(256);
let next = pool.length;
const pooledRandom: PRNG = () => {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  // In [0, 1): ulidx maps it to one of 32 characters.
  return pool[next++]! / 256;
};

/** Time-ordered identifiers, so lists sorted by id are sorted by creation. */
export const newId = (now: Date): string => ulid(now.getTime(), pooledRandom);
