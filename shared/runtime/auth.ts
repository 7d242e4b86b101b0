/**
 * Authentication of management routes. Two kinds of credential, one Caller:
 * - a JWT (Cognito ID token in AWS, a token minted with the local signing key for `npm start`),
 *   verified against a JWKS with issuer and audience; roles from `cognito:groups`, the tenant from
 *   `custom:enterpriseId`;
 * - a scoped admin API key (`tgadm_…`) for automations and the CLI, looked up by its SHA-256 hash.
 */
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { roles as knownRoles } from '../contracts/tenancy';
import { unauthorized, type Caller, type Role } from '../domain/access';
import { forbidden } from '../domain/errors';
import { hashApiKey, keyPrefixes } from '../domain/api-keys';
import type { StoredApiKey } from '../ports/tenancy';
import type { Authenticate } from './http';

export interface JwtSettings {
  jwks: JWTVerifyGetKey;
  issuer: string;
  audience: string;
}

export const jwtSettingsFromEnv = (e: {
  AUTH_JWKS?: string | undefined;
  AUTH_JWKS_URL?: string | undefined;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
}): JwtSettings => {
  const jwks = e.AUTH_JWKS
    ? createLocalJWKSet(JSON.parse(e.AUTH_JWKS) as Parameters<typeof createLocalJWKSet>[0])
    : e.AUTH_JWKS_URL
      ? createRemoteJWKSet(new URL(e.AUTH_JWKS_URL))
      : undefined;
  if (!jwks) throw new Error('Set AUTH_JWKS or AUTH_JWKS_URL to verify management tokens');
  return { jwks, issuer: e.AUTH_ISSUER, audience: e.AUTH_AUDIENCE };
};

export interface AuthDeps {
  jwt: JwtSettings;
  findApiKeyByHash(keyHash: string): Promise<StoredApiKey | null>;
  touchApiKey(keyHash: string, at: string): Promise<void>;
  now(): Date;
}

const LAST_USED_RESOLUTION_MS = 60_000;

const credentialOf = (headers: Record<string, string | undefined>): string | undefined => {
  const authorization = headers['authorization'];
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthorized('Authorization must be "Bearer <token>"');
    return match[1];
  }
  return headers['x-api-key'];
};

const toRoles = (value: unknown): Role[] =>
  Array.isArray(value)
    ? value.filter((r): r is Role => (knownRoles as readonly string[]).includes(r as string))
    : [];

export const createAuthenticator = (deps: AuthDeps): Authenticate => {
  const fromAdminKey = async (key: string): Promise<Caller> => {
    const stored = await deps.findApiKeyByHash(hashApiKey(key));
    const now = deps.now();
    if (
      !stored ||
      stored.kind !== 'admin' ||
      stored.status !== 'active' ||
      !stored.role ||
      (stored.expiresAt !== null && new Date(stored.expiresAt) <= now)
    ) {
      throw unauthorized('The API key is not valid');
    }
    if (!stored.lastUsedAt || now.getTime() - Date.parse(stored.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
      await deps.touchApiKey(stored.keyHash, now.toISOString());
    }
    return {
      subject: `admin-key:${stored.id}`,
      kind: 'admin-key',
      enterpriseId: stored.enterpriseId,
      roles: [stored.role],
    };
  };

  const fromJwt = async (token: string): Promise<Caller> => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, deps.jwt.jwks, {
        issuer: deps.jwt.issuer,
        audience: deps.jwt.audience,
        currentDate: deps.now(),
      }));
    } catch {
      throw unauthorized('The token is not valid');
    }
    const roles = toRoles(payload['cognito:groups']);
    const enterpriseId =
      typeof payload['custom:enterpriseId'] === 'string' ? payload['custom:enterpriseId'] : null;
    if (roles.length === 0) throw forbidden('The token carries no Tollgate role');
    if (!roles.includes('platform-admin') && !enterpriseId) throw forbidden('The token names no enterprise');
    return { subject: payload.sub ?? 'unknown', kind: 'user', enterpriseId, roles };
  };

  return async (headers) => {
    const credential = credentialOf(headers);
    if (!credential) throw unauthorized();
    if (credential.startsWith(keyPrefixes.admin)) return fromAdminKey(credential);
    if (credential.startsWith(keyPrefixes.group))
      throw forbidden('Gateway keys cannot call management routes');
    return fromJwt(credential);
  };
};
