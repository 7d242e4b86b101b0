/**
 * The local Function URL (RESPONSE_STREAM) emulation over a real HTTP server on 127.0.0.1: the
 * HTTP integration prelude (even split over several writes), plain streams with their content type,
 * bytes reaching the client before the handler ends, and a client that hangs up.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  functionUrlSink,
  HTTP_INTEGRATION_CONTENT_TYPE,
  installLambdaStreamingGlobal,
  isStreamingHandler,
  LocalResponseStream,
} from '../../infra/local/response-streaming';

installLambdaStreamingGlobal();
const awslambda = (
  globalThis as unknown as {
    awslambda: {
      streamifyResponse<T>(handler: T): T;
      HttpResponseStream: { from(stream: LocalResponseStream, prelude: object): LocalResponseStream };
    };
  }
).awslambda;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Serves every request with `write(stream)`, as the local runtime does for a streaming function. */
const serve = async (write: (stream: LocalResponseStream) => Promise<void>) => {
  const finished: Promise<void>[] = [];
  server = createServer((_req, res) => {
    const stream = new LocalResponseStream(functionUrlSink(res, (headers) => (headers['x-local'] = 'yes')));
    res.once('close', () => {
      if (!res.writableFinished) stream.destroy(new Error('client went away'));
    });
    stream.once('finish', () => res.end());
    finished.push(write(stream).catch((err: Error) => void err));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, finished };
};

describe('local response streaming', () => {
  it('marks streamified handlers the way the Lambda runtime looks for them', () => {
    const handler = awslambda.streamifyResponse(async () => undefined);
    expect(isStreamingHandler(handler)).toBe(true);
    expect(isStreamingHandler(async () => undefined)).toBe(false);
  });

  it('turns the integration prelude into status, headers and cookies, then passes the body on', async () => {
    const { url } = await serve(async (raw) => {
      const stream = awslambda.HttpResponseStream.from(raw, {
        statusCode: 201,
        headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r1' },
        cookies: ['a=1', 'b=2'],
      });
      stream.write('{"ok":');
      stream.end('true}');
    });
    const res = await fetch(url);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toBe('r1');
    expect(res.headers.get('x-local')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('reads a prelude that arrives split over several writes', async () => {
    const { url } = await serve(async (stream) => {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      const prelude = Buffer.concat([Buffer.from(JSON.stringify({ statusCode: 418 })), Buffer.alloc(8)]);
      for (const part of [prelude.subarray(0, 5), prelude.subarray(5, 17), prelude.subarray(17)]) {
        await new Promise((resolve) => stream.write(part, resolve));
      }
      stream.end('teapot');
    });
    const res = await fetch(url);
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('teapot');
  });

  it('sends a plain stream as a 200 with its content type, each chunk before the handler ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { url } = await serve(async (stream) => {
      stream.setContentType('text/plain');
      stream.write('first ');
      await held;
      stream.end('second');
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    const reader = res.body!.getReader();
    // The first chunk arrives while the handler still waits.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first ');
    release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('second');
  });

  it('destroys the handler’s stream when the client hangs up mid-stream', async () => {
    let destroyed: Error | undefined;
    const { url, finished } = await serve(async (stream) => {
      stream.once('error', (err) => (destroyed = err));
      stream.setContentType('text/event-stream');
      for (let i = 0; i < 200 && !stream.destroyed; i++) {
        stream.write(`data: ${i}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    });
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    await Promise.all(finished);
    expect(destroyed?.message).toBe('client went away');
  });
});
