/**
 * Lambda response streaming, as the Node.js runtime and a Function URL in RESPONSE_STREAM mode
 * provide it: the `awslambda` global (`streamifyResponse`, `HttpResponseStream.from`), a response
 * stream per invocation, and the HTTP side that reads the integration prelude (status and headers
 * as JSON, then 8 NUL bytes) before passing the body through as it arrives.
 *
 * Followed: aws-lambda-nodejs-runtime-interface-client `src/HttpResponseStream.js` and
 * `src/ResponseStream.js` (content type `application/vnd.awslambda.http-integration-response`,
 * `_onBeforeFirstWrite`), and the Lambda guide "Configuring a Lambda function to stream responses".
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

/** The marker the runtime looks for on a handler wrapped by `awslambda.streamifyResponse`. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);

type RawWrite = (data: string | Uint8Array) => void;

/** The `responseStream` a streaming handler writes to; bytes go to `sink` as they are written. */
export class LocalResponseStream extends Writable {
  private contentType = 'application/octet-stream';
  private started = false;
  /** Set by HttpResponseStream.from: writes the prelude ahead of the first body byte. */
  _onBeforeFirstWrite?: (write: RawWrite) => void;

  constructor(private readonly sink: (chunk: Buffer, contentType: string) => Promise<void>) {
    super();
  }

  setContentType(contentType: string): void {
    if (this.started) throw new Error('The content type cannot change after the first write');
    this.contentType = contentType;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      this._onBeforeFirstWrite?.((data) => parts.push(Buffer.from(data)));
    }
    parts.push(chunk);
    this.sink(Buffer.concat(parts), this.contentType).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // A handler that ends without writing still sends its prelude (e.g. a 204).
    if (this.started) return callback();
    this._write(Buffer.alloc(0), 'utf8', callback);
  }
}

/**
 * Adds the runtime's streaming functions to the `awslambda` global, unless a real runtime already
 * did. Other libraries (the Lambda invoke store) also keep state on that global: it is extended, never replaced.
 */
export const installLambdaStreamingGlobal = (): void => {
  const scope = globalThis as { awslambda?: Record<string, unknown> };
  const awslambda = (scope.awslambda ??= {});
  if (typeof awslambda.streamifyResponse === 'function') return;
  awslambda.streamifyResponse = <T extends object>(handler: T): T =>
    Object.assign(handler, { [STREAMING]: STREAM_RESPONSE });
  awslambda.HttpResponseStream = {
    from(stream: LocalResponseStream, prelude: Record<string, unknown>): LocalResponseStream {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      const metadata = JSON.stringify(prelude);
      stream._onBeforeFirstWrite = (write) => {
        write(metadata);
        write(DELIMITER);
      };
      return stream;
    },
  };
};

export const isStreamingHandler = (handler: unknown): boolean =>
  typeof handler === 'function' && (handler as { [STREAMING]?: string })[STREAMING] === STREAM_RESPONSE;

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

/**
 * The Function URL side: turns what the handler writes into the HTTP response. With the HTTP
 * integration content type the prelude decides status and headers; otherwise it is a 200 with the
 * handler's content type. `onHead` lets the caller add headers (CORS, request id) before they go out.
 */
export const functionUrlSink = (
  res: ServerResponse,
  onHead: (headers: Record<string, string | string[]>) => void,
): ((chunk: Buffer, contentType: string) => Promise<void>) => {
  let pending: Buffer | null = Buffer.alloc(0);
  // What the handler writes in one event-loop turn (status line, headers, body, end) leaves in one
  // socket write instead of one each: the head is sent at the end of the turn at the latest.
  let corked = false;
  const batchTurn = () => {
    if (corked) return;
    corked = true;
    res.cork();
    setImmediate(() => {
      corked = false;
      if (!res.headersSent && !res.destroyed) res.flushHeaders();
      res.uncork();
    });
  };
  const send = (chunk: Buffer): Promise<void> => {
    if (chunk.length === 0) return Promise.resolve();
    batchTurn();
    return res.write(chunk)
      ? Promise.resolve()
      : new Promise((resolve, reject) => {
          res.once('drain', resolve);
          res.once('close', () => reject(new Error('The client closed the connection')));
        });
  };
  const head = (statusCode: number, headers: Record<string, string | string[]>) => {
    onHead(headers);
    batchTurn();
    res.writeHead(statusCode, headers);
  };
  return (chunk, contentType) => {
    if (res.destroyed) return Promise.reject(new Error('The client closed the connection'));
    if (pending === null) return send(chunk);
    if (contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
      pending = null;
      head(200, { 'content-type': contentType });
      return send(chunk);
    }
    pending = Buffer.concat([pending, chunk]);
    const end = pending.indexOf(DELIMITER);
    if (end === -1) return Promise.resolve();
    const prelude = JSON.parse(pending.subarray(0, end).toString('utf8')) as Prelude;
    const rest = pending.subarray(end + DELIMITER.length);
    pending = null;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(prelude.headers ?? {})) headers[name.toLowerCase()] = value;
    if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
    head(prelude.statusCode ?? 200, headers);
    return send(rest);
  };
};
