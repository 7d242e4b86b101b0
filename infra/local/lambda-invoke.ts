/**
 * Lambda's `Invoke` API on one machine, for the jobs API: `POST /2015-03-31/functions/{name}/invocations`
 * (RequestResponse) runs the scheduled job of that name as the local scheduler does and answers as
 * Lambda does — 200 with the result, or 200 with `X-Amz-Function-Error: Unhandled` and
 * `{ errorType, errorMessage }` when the job throws. AWS_ENDPOINT_URL_LAMBDA points the SDK here.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from './lambda';

export interface LocalLambdaInvoke {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalLambdaInvoke(
  run: (name: string) => Promise<unknown>,
): Promise<LocalLambdaInvoke> {
  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body ?? null));

  const server = createServer((req, res) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec((req.url ?? '').split('?')[0]!);
    if (req.method !== 'POST' || !match)
      return answer(res, 404, { Type: 'User', message: 'Not supported locally' });
    const name = decodeURIComponent(match[1]!);
    req.resume();
    run(name).then(
      (result) => answer(res, 200, result),
      (err: unknown) =>
        answer(
          res,
          200,
          { errorType: 'Error', errorMessage: errorMessage(err) },
          { 'x-amz-function-error': 'Unhandled' },
        ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
