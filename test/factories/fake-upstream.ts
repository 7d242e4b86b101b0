/**
 * What the fake provider servers share: a server on 127.0.0.1 (port 0), HTTP/1.1 (node:http) or
 * cleartext HTTP/2 (node:http2, for clients such as the Bedrock Runtime SDK that speak only h2), that
 * records every request (method, path, query, headers, raw and parsed body), can drop a response
 * mid-way, and closes with hung or half-written responses still open.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { constants as h2, createServer as createH2Server } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Decoded path without the query string, e.g. `/model/anthropic.claude-3-haiku-20240307-v1:0/converse`. */
  path: string;
  /** The raw path as sent, still percent-encoded, with the query string. */
  rawUrl: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: any;
}

/** The part of node's response objects the fakes use; both HTTP/1.1 and HTTP/2 ones fit. */
export interface FakeResponse {
  readonly headersSent: boolean;
  writeHead(status: number, headers?: Record<string, string>): unknown;
  write(chunk: string | Uint8Array): unknown;
  end(chunk?: string | Uint8Array): unknown;
}

/** Handles one recorded request; `drop()` breaks the connection (HTTP/1.1) or resets the stream (HTTP/2). */
export type FakeHandler = (recorded: RecordedRequest, res: FakeResponse, drop: () => void) => unknown;

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Bodies above this are cut off; every test request is far smaller. */
const MAX_BODY_BYTES = 1_000_000;

export async function startRecordingServer(
  handle: FakeHandler,
  protocol: 'http1' | 'h2c' = 'http1',
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const onRequest = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
    drop: () => void,
  ): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        rawUrl: req.url ?? '/',
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        body,
      };
      requests.push(recorded);
      const out = res as FakeResponse;
      Promise.resolve(handle(recorded, out, drop)).catch((err: unknown) => {
        if (!out.headersSent) out.writeHead(500, { 'content-type': 'text/plain' });
        out.end(String(err));
      });
    });
  };

  if (protocol === 'h2c') {
    const sessions = new Set<Http2Session>();
    const server = createH2Server((req, res) =>
      onRequest(req, res, () => res.stream.close(h2.NGHTTP2_INTERNAL_ERROR)),
    );
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      requests,
      close: () =>
        new Promise<void>((resolve) => {
          for (const session of sessions) session.destroy();
          server.close(() => resolve());
        }),
    };
  }

  const server = createServer((req, res) => onRequest(req, res, () => res.socket?.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests and half-written streams would otherwise keep the server open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A rough tokenizer stand-in (~4 characters a token) so counts grow with the text, as real ones do. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

/** Splits a reply into word-sized pieces for streaming; joined, they give the reply back. */
export const streamPieces = (text: string): string[] => text.match(/\S+\s*|\s+/g) ?? [text];

/** Writes part of a response, then drops it: a body or stream broken mid-way. */
export const cutAfter = (drop: () => void, written: () => void): void => {
  written();
  // Let the written bytes leave before the connection goes.
  setTimeout(drop, 20);
};
