import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, mintToken } from '../../../../infra/local/auth-keys';

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tollgate-keys-'));
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('local signing key', () => {
  it('is created once (mode 0600) and reused, so tokens survive restarts', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateSigningKey(dir);
    expect((await stat(join(dir, 'signing-key.json'))).mode & 0o777).toBe(0o600);
    const token = await mintToken(first.privateKey, {
      subject: 'u1',
      roles: ['platform-admin'],
      ttlSeconds: 60,
    });

    const second = await loadOrCreateSigningKey(dir);
    expect(second.kid).toBe(first.kid);
    expect(second.publicJwks).toEqual(first.publicJwks);
    const { payload } = await jwtVerify(token, createLocalJWKSet(second.publicJwks), {
      issuer: 'tollgate-local',
      audience: 'tollgate',
    });
    expect(payload).toMatchObject({ sub: 'u1', 'cognito:groups': ['platform-admin'], token_use: 'id' });
    expect(payload).not.toHaveProperty('custom:enterpriseId');
    expect(payload.exp! - payload.iat!).toBe(60);
  });

  it('publishes only the public key, with a kid the tokens carry', async () => {
    const key = await loadOrCreateSigningKey(await tempDir());
    const [jwk] = key.publicJwks.keys;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.kid });
    expect(jwk).not.toHaveProperty('d');
    const token = await mintToken(key, {
      subject: 'u2',
      roles: ['viewer'],
      enterpriseId: 'E1',
      ttlSeconds: 3600,
    });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: key.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(key.publicJwks), {
      issuer: 'tollgate-local',
      audience: 'tollgate',
    });
    expect(payload['custom:enterpriseId']).toBe('E1');
  });

  it('rejects tokens signed by another key', async () => {
    const mine = await loadOrCreateSigningKey(await tempDir());
    const theirs = await loadOrCreateSigningKey(await tempDir());
    const token = await mintToken(theirs, { subject: 'x', roles: ['viewer'], ttlSeconds: 60 });
    await expect(jwtVerify(token, createLocalJWKSet(mine.publicJwks))).rejects.toThrow();
  });
});
