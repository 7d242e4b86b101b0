/**
 * The local stand-in for Cognito's signing key: one ES256 key pair kept under the data directory
 * (so tokens survive restarts), and tokens with the claim names of Cognito ID tokens, so the one
 * verifier in shared/runtime/auth.ts serves AWS and local alike.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

export const LOCAL_ISSUER = 'tollgate-local';
export const LOCAL_AUDIENCE = 'tollgate';
const ALG = 'ES256';
const FILE = 'signing-key.json';

export interface LocalSigningKey {
  readonly privateKey: CryptoKey;
  readonly kid: string;
  /** Serialise into AUTH_JWKS. */
  readonly publicJwks: JSONWebKeySet;
}

const publicPart = ({ kty, crv, x, y }: JWK): JWK => ({ kty, crv, x, y });

const fromPrivateJwk = async (jwk: JWK): Promise<LocalSigningKey> => {
  const privateKey = (await importJWK(jwk, ALG, { extractable: true })) as CryptoKey;
  const kid = await calculateJwkThumbprint(publicPart(jwk));
  return { privateKey, kid, publicJwks: { keys: [{ ...publicPart(jwk), kid, alg: ALG, use: 'sig' }] } };
};

/** Reads `<dir>/signing-key.json`, creating it (mode 0600) on first use. */
export async function loadOrCreateSigningKey(dir: string): Promise<LocalSigningKey> {
  const path = join(dir, FILE);
  try {
    return await fromPrivateJwk(JSON.parse(await readFile(path, 'utf8')) as JWK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `Cannot read the local signing key ${path}: ${(err as Error).message}. Delete it to create a new one.`,
      );
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  try {
    // 'wx': if a concurrent start wrote one first, use theirs.
    await writeFile(path, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return fromPrivateJwk(JSON.parse(await readFile(path, 'utf8')) as JWK);
  }
  return fromPrivateJwk(jwk);
}

export interface TokenClaims {
  readonly subject: string;
  readonly roles: readonly string[];
  readonly enterpriseId?: string;
  readonly ttlSeconds: number;
}

/**
 * A JWT like a Cognito ID token: `cognito:groups` carries the roles, `custom:enterpriseId` the
 * tenant; issuer `tollgate-local`, audience `tollgate`.
 */
export async function mintToken(key: LocalSigningKey | CryptoKey, claims: TokenClaims): Promise<string> {
  const privateKey = 'privateKey' in key ? key.privateKey : key;
  const kid = 'privateKey' in key ? key.kid : await calculateJwkThumbprint(publicPart(await exportJWK(key)));
  return new SignJWT({
    'cognito:groups': [...claims.roles],
    ...(claims.enterpriseId !== undefined && { 'custom:enterpriseId': claims.enterpriseId }),
    token_use: 'id',
  })
    .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${Math.max(1, Math.floor(claims.ttlSeconds))}s`)
    .sign(privateKey);
}
