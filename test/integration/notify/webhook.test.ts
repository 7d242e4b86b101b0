/** WebhookSender against a receiver that verifies Standard Webhooks signatures with the `standardwebhooks` package. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../../shared/adapters/notify/webhook';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { FakeGenericReceiver } from '../../factories/fake-webhooks';
import {
  FAKE_RETRY_AFTER_SECONDS,
  deliveryFailure,
  notificationMessage,
  startFakeGenericWebhook,
} from '../../factories/fake-webhooks';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const SECRET = newSecret();

let signed: FakeGenericReceiver;
let unsigned: FakeGenericReceiver;
const sender = new WebhookSender({ allowLoopbackHttp: true });

const target = (secret: Record<string, string>): ChannelTarget => ({ type: 'webhook', settings: {}, secret });
const signedTarget = (signingSecret = SECRET) => target({ url: signed.webhookUrl, signingSecret });
const neverAborted = () => new AbortController().signal;

beforeAll(async () => {
  signed = await startFakeGenericWebhook({ signingSecret: SECRET });
  unsigned = await startFakeGenericWebhook({});
});
afterAll(async () => {
  await signed.close();
  await unsigned.close();
});
beforeEach(() => {
  for (const fake of [signed, unsigned]) {
    fake.setMode('ok');
    fake.requests.length = 0;
    fake.verified.length = 0;
  }
});

describe('WebhookSender', () => {
  it('posts the message as JSON with Standard Webhooks headers the receiver verifies', async () => {
    const message = notificationMessage();
    const receipt = await sender.send(signedTarget(), message, neverAborted());

    expect(receipt).toEqual({ status: 200 });
    const [request] = signed.requests;
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers['webhook-id']).toMatch(/^msg_[\w-]{27}$/);
    expect(Number(request?.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(request?.rawBody).toBe(JSON.stringify(message));
    expect(signed.verified).toEqual([message]);
  });

  it('keeps the webhook-id of an event across attempts, and changes it for another event', async () => {
    await sender.send(signedTarget(), notificationMessage(), neverAborted());
    await sender.send(signedTarget(), notificationMessage(), neverAborted());
    await sender.send(
      signedTarget(),
      notificationMessage({ occurredAt: '2025-03-01T09:00:00.000Z' }),
      neverAborted(),
    );

    const [first, retry, other] = signed.requests.map((request) => request.headers['webhook-id']);
    expect(retry).toBe(first);
    expect(other).not.toBe(first);
  });

  it('sends no signature when the channel has no signing secret', async () => {
    await sender.send(target({ url: unsigned.webhookUrl }), notificationMessage(), neverAborted());

    expect(unsigned.requests[0]?.headers).not.toHaveProperty('webhook-signature');
    expect(unsigned.requests[0]?.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('is rejected when the receiver cannot verify the signature, and says nothing secret', async () => {
    const wrong = newSecret();
    const err = await deliveryFailure(
      sender.send(signedTarget(wrong), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected', options: { status: 401 } });
    expect(signed.verified).toHaveLength(0);
    for (const secret of [wrong, SECRET, signed.webhookUrl]) expect(err.message).not.toContain(secret);
  });

  it('reports HTTP 429 as rate limiting with Retry-After', async () => {
    signed.setMode('throttled');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({
      kind: 'rate_limited',
      options: { status: 429, retryAfterMs: FAKE_RETRY_AFTER_SECONDS * 1000 },
    });
  });

  it('reports HTTP 500 as unavailable', async () => {
    signed.setMode('server_error');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'unavailable', options: { status: 500 } });
  });

  it('gives up with a timeout when the receiver hangs and the signal aborts', async () => {
    signed.setMode('hang');
    const err = await deliveryFailure(
      sender.send(signedTarget(), notificationMessage(), AbortSignal.timeout(200)),
    );

    expect(err.kind).toBe('timeout');
  });

  it('without the loopback option, refuses plain http and private addresses before sending', async () => {
    const production = new WebhookSender();
    for (const url of [
      signed.webhookUrl,
      'https://10.1.2.3/hook',
      'https://[::1]/hook',
      'https://localhost/hook',
    ]) {
      const err = await deliveryFailure(
        production.send(target({ url }), notificationMessage(), neverAborted()),
      );
      expect(err).toMatchObject({ kind: 'rejected' });
      expect(err.message).toMatch(/secret\.url (must use https|must point to a public host)/);
    }
    expect(signed.requests).toHaveLength(0);
  });
});
