/**
 * SES for the local runtime: aws-ses-v2-local in-process on 127.0.0.1. It keeps every sent mail in
 * memory (`GET /store`) and shows them at `/`. Its store is per process, shared by every instance.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesModule from 'aws-ses-v2-local';

export interface LocalSes {
  /** For the SESv2 client (`AWS_ENDPOINT_URL_SESV2`). */
  readonly endpoint: string;
  /** The mail viewer. */
  readonly viewerUrl: string;
  stop(): Promise<void>;
}

type StartSes = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

// A CommonJS module with `exports.default`: depending on the loader (Node ESM, tsx, vitest) the
// default import is either the function or the whole exports object.
const startSesServer = (): StartSes => {
  const mod = sesModule as unknown as { default: StartSes | { default: StartSes } };
  const start = typeof mod.default === 'function' ? mod.default : mod.default.default;
  if (typeof start !== 'function') throw new Error('aws-ses-v2-local exports no server function');
  return start;
};

/** Starts the SES stand-in; `port` 0 or undefined picks a free one. */
export async function startLocalSes(options: { port?: number } = {}): Promise<LocalSes> {
  const server = await startSesServer()({ host: '127.0.0.1', port: options.port ?? 0 });
  // It resolves even when listen failed (e.g. port in use), so check.
  if (!server.listening) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!server.listening) {
      server.close();
      throw new Error(`aws-ses-v2-local could not listen on 127.0.0.1:${options.port ?? 0} (port in use?)`);
    }
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    viewerUrl: `${endpoint}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
