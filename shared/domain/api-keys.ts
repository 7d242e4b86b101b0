import { createHash, randomBytes } from 'node:crypto';

/** Gateway keys start with `tg_`, scoped admin keys with `tgadm_` (so logs and scanners can tell them apart). */
export const keyPrefixes = { group: 'tg_', admin: 'tgadm_' } as const;
export type ApiKeyKind = keyof typeof keyPrefixes;

/** How many leading characters are kept to let people recognise a key in lists. */
const VISIBLE_CHARS = 12;

export interface MintedKey {
  /** The secret, shown to its owner once and never stored. */
  key: string;
  keyHash: string;
  prefix: string;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** 32 random bytes (256 bits), base64url. */
export const mintApiKey = (kind: ApiKeyKind): MintedKey => {
  const key = `${keyPrefixes[kind]}${randomBytes(32).toString('base64url')}`;
  return { key, keyHash: hashApiKey(key), prefix: key.slice(0, VISIBLE_CHARS) };
};

export const looksLikeApiKey = (value: string, kind: ApiKeyKind): boolean =>
  value.startsWith(keyPrefixes[kind]) && value.length > keyPrefixes[kind].length + 40;

/** Enough of a provider credential to recognise it, never enough to use it. */
export const credentialHint = (secret: string): string => `\u2026${secret.slice(-4)}`;
