/**
 * SesEmailSender through the real SESv2 client: deliveries against aws-ses-v2-local (its `GET
 * /store` shows what SES would send), error mapping against a fake answering SES's REST-JSON
 * error shape (status + `x-amzn-errortype` header + `{message}` body).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import sesLocalModule from 'aws-ses-v2-local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../../shared/adapters/notify/email';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { RecordingServer } from '../../factories/fake-upstream';
import { startRecordingServer } from '../../factories/fake-upstream';
import { deliveryFailure, notificationMessage } from '../../factories/fake-webhooks';

// A CommonJS `exports.default`: Node's ESM loader hands back module.exports.
const startSesLocal =
  (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;

const FROM = 'alerts@tollgate.example.com';

const sesClient = (endpoint: string) =>
  new SESv2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
  });

const target = (to: string): ChannelTarget => ({ type: 'email', settings: { to }, secret: {} });
const neverAborted = () => new AbortController().signal;

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

let ses: Server;
let sesUrl: string;
let sender: SesEmailSender;

const storedEmails = async (): Promise<StoredEmail[]> => {
  const res = await fetch(`${sesUrl}/store`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
};

beforeAll(async () => {
  ses = await startSesLocal({ host: '127.0.0.1', port: 0 });
  sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;
  sender = new SesEmailSender({ client: sesClient(sesUrl), from: FROM });
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      ses.closeAllConnections();
      ses.close(() => resolve());
    }),
);
beforeEach(async () => {
  await fetch(`${sesUrl}/clear-store`, { method: 'POST' });
});

describe('SesEmailSender', () => {
  it('sends one e-mail to every recipient, with text and HTML bodies, and returns the MessageId', async () => {
    const receipt = await sender.send(
      target('finance@example.com, ops@example.com'),
      notificationMessage(),
      neverAborted(),
    );

    const [email] = await storedEmails();
    expect(receipt).toEqual({ status: 200, providerMessageId: email?.messageId });
    expect(email).toMatchObject({
      from: FROM,
      destination: { to: ['finance@example.com', 'ops@example.com'] },
      subject: 'OpenAI balance is low',
      body: {
        text: [
          'OpenAI balance is low',
          '',
          'The balance fell below the threshold.\nTop up before requests start failing.',
          '',
          'Balance: 12.30 USD\nThreshold: 50 USD',
          '',
          'balance.low · 2025-03-01T08:00:00.000Z\n',
        ].join('\n'),
      },
    });
    const html = email?.body.html ?? '';
    expect(html).toContain('<h2 style="color:#d93025;margin:0 0 12px">OpenAI balance is low</h2>');
    expect(html).toContain(
      '<p>The balance fell below the threshold.<br>Top up before requests start failing.</p>',
    );
    expect(html).toMatch(/<tr><th[^>]*>Balance<\/th><td[^>]*>12\.30 USD<\/td><\/tr>/);
  });

  it('escapes every value in the HTML body', async () => {
    const message = notificationMessage({
      title: 'Budget <R&D> exceeded',
      text: '<script>alert(1)</script>',
      fields: [['Owner "A"', "<img src=x onerror='x'>"]],
    });
    await sender.send(target('finance@example.com'), message, neverAborted());

    const [email] = await storedEmails();
    const html = email?.body.html ?? '';
    expect(email?.subject).toBe('Budget <R&D> exceeded');
    expect(html).toContain('Budget &lt;R&amp;D&gt; exceeded');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Owner &quot;A&quot;');
    expect(html).toContain('&lt;img src=x onerror=&#39;x&#39;&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });

  it('refuses a channel without valid recipients before calling SES', async () => {
    for (const to of ['', 'finance@example.com, not-an-address']) {
      const err = await deliveryFailure(sender.send(target(to), notificationMessage(), neverAborted()));
      expect(err).toMatchObject({ kind: 'rejected' });
      expect(err.message).toMatch(/settings\.to (missing|has an address that is not an e-mail address)/);
    }
    expect(await storedEmails()).toEqual([]);
  });
});

describe('SesEmailSender error mapping', () => {
  let fake: RecordingServer;
  let answer: { status: number; type: string } | 'hang' = { status: 200, type: '' };
  let failing: SesEmailSender;

  beforeAll(async () => {
    fake = await startRecordingServer((_recorded, res) => {
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', 'x-amzn-errortype': answer.type });
      res.end(JSON.stringify({ message: `${answer.type} for test` }));
    });
    failing = new SesEmailSender({ client: sesClient(fake.url), from: FROM });
  });
  afterAll(() => fake.close());

  it.each([
    [429, 'TooManyRequestsException', 'rate_limited'],
    [400, 'MessageRejected', 'rejected'],
    [400, 'MailFromDomainNotVerifiedException', 'rejected'],
    [400, 'SendingPausedException', 'rejected'],
    [500, 'InternalServiceErrorException', 'unavailable'],
  ] as const)('maps HTTP %i %s to %s', async (status, type, kind) => {
    answer = { status, type };
    const err = await deliveryFailure(
      failing.send(target('finance@example.com'), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind, options: { status } });
    expect(err.message).toContain(type);
  });

  it('gives up with a timeout when SES hangs and the signal aborts', async () => {
    answer = 'hang';
    const err = await deliveryFailure(
      failing.send(target('finance@example.com'), notificationMessage(), AbortSignal.timeout(200)),
    );

    expect(err.kind).toBe('timeout');
  });
});
