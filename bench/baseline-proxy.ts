/**
 * The floor the gateway overhead is compared with: the least a Node reverse proxy must do for one
 * chat call (node:http server, JSON parsed and re-serialized both ways, a keep-alive node:http
 * client) and nothing else — no auth, quota, routing or metering. Benchmark reference only.
 * Prints `{"proxy":{"url","pid"}}` once it serves; exits when its parent goes.
 */
import http from 'node:http';

const upstream = new URL(process.env.BENCH_UPSTREAM_URL ?? '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });

const readAll = (stream: http.IncomingMessage, done: (body: string) => void) => {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(Buffer.concat(chunks).toString()));
};

const server = http.createServer((req, res) =>
  readAll(req, (requestBody) => {
    const forwarded = JSON.stringify(JSON.parse(requestBody));
    const call = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: `${upstream.pathname.replace(/\/$/, '')}/chat/completions`,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(forwarded) },
      },
      (answer) =>
        readAll(answer, (answerBody) => {
          const body = JSON.stringify(JSON.parse(answerBody));
          res.writeHead(answer.statusCode ?? 502, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          });
          res.end(body);
        }),
    );
    call.end(forwarded);
  }),
);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(
    `${JSON.stringify({ proxy: { url: `http://127.0.0.1:${port}`, pid: process.pid } })}\n`,
  );
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('disconnect', () => process.exit(0));
