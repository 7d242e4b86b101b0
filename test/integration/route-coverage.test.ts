/** Every route the manifest mounts reaches an implementation (none falls through to "No route"). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functions, type FunctionSpec } from '../../infra/manifest';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime();
});
afterAll(async () => rt?.stop());

const routes = (functions as readonly FunctionSpec[]).flatMap((f) =>
  (f.routes ?? []).map((r) => ({ fn: f.name, ...r })),
);

describe('route coverage', () => {
  it('documents every mounted route in /openapi.json', async () => {
    const doc = (await (await fetch(`${rt.apiUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const missing = routes.filter(({ method, path }) => !doc.paths[path]?.[method.toLowerCase()]);
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it.each(routes)('$method $path ($fn) is implemented', async ({ method, path, auth }) => {
    const res = await fetch(`${rt.apiUrl}${path.replace(/\{[^}]+\}/g, 'X1')}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
    });
    const text = await res.text();
    expect(text).not.toContain('No route for');
    // Unauthenticated calls to protected routes are refused before anything else.
    if (auth !== 'public') expect(res.status).toBe(401);
    else expect(res.status).toBe(200);
  });
});
