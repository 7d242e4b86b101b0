/** WeComSender against a fake group robot that checks the webhook key. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WeComSender } from '../../../shared/adapters/notify/wecom';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { FakeReceiver } from '../../factories/fake-webhooks';
import {
  FAKE_RETRY_AFTER_SECONDS,
  deliveryFailure,
  notificationMessage,
  startFakeWeCom,
} from '../../factories/fake-webhooks';

const KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

let fake: FakeReceiver;
const sender = new WeComSender({ allowLoopbackHttp: true });

const target = (webhookUrl = fake.webhookUrl): ChannelTarget => ({
  type: 'wecom',
  settings: {},
  secret: { webhookUrl },
});
const neverAborted = () => new AbortController().signal;

beforeAll(async () => {
  fake = await startFakeWeCom({ key: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.requests.length = 0;
});

describe('WeComSender', () => {
  it('posts markdown with an orange-red title for an alert, which the robot accepts', async () => {
    const receipt = await sender.send(target(), notificationMessage(), neverAborted());

    expect(receipt).toEqual({ status: 200 });
    const [request] = fake.requests;
    expect(request?.path).toBe('/cgi-bin/webhook/send');
    expect(request?.query.get('key')).toBe(KEY);
    expect(request?.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        content: [
          '## <font color="warning">OpenAI balance is low</font>',
          'The balance fell below the threshold.\nTop up before requests start failing.',
          '> Balance: **12.30 USD**',
          '> Threshold: **50 USD**',
          '<font color="comment">balance.low · 2025-03-01T08:00:00.000Z</font>',
        ].join('\n'),
      },
    });
  });

  it('colours a recovery green (info) and plain information grey (comment)', async () => {
    await sender.send(target(), notificationMessage({ tone: 'recovery' }), neverAborted());
    await sender.send(target(), notificationMessage({ tone: 'info' }), neverAborted());

    expect(fake.requests[0]?.body.markdown.content).toMatch(/^## <font color="info">/);
    expect(fake.requests[1]?.body.markdown.content).toMatch(/^## <font color="comment">/);
  });

  it('keeps the content within 4096 bytes', async () => {
    await sender.send(target(), notificationMessage({ text: '余额'.repeat(2000) }), neverAborted());

    expect(Buffer.byteLength(fake.requests[0]?.body.markdown.content)).toBeLessThanOrEqual(4096);
  });

  it('is rejected with errcode 93000 for a wrong key, and does not echo it', async () => {
    const wrongKey = 'deadbeef-0000-4bc4-97a0-000000000000';
    const err = await deliveryFailure(
      sender.send(target(fake.webhookUrl.replace(KEY, wrongKey)), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('93000');
    for (const secret of [wrongKey, KEY, fake.webhookUrl]) expect(err.message).not.toContain(secret);
  });

  it('reports errcode 45009 as rate limiting', async () => {
    fake.setMode('rate_limit_code');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'rate_limited' });
    expect(err.message).toContain('45009');
  });

  it('reports HTTP 429 as rate limiting with Retry-After', async () => {
    fake.setMode('throttled');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({
      kind: 'rate_limited',
      options: { retryAfterMs: FAKE_RETRY_AFTER_SECONDS * 1000 },
    });
  });

  it('reports HTTP 500 as unavailable', async () => {
    fake.setMode('server_error');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'unavailable', options: { status: 500 } });
  });

  it('gives up with a timeout when the robot hangs and the signal aborts', async () => {
    fake.setMode('hang');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), AbortSignal.timeout(200)));

    expect(err.kind).toBe('timeout');
  });

  it('reports a receiver that is gone as unavailable, naming only the error code', async () => {
    const gone = await startFakeWeCom({ key: KEY });
    await gone.close();
    const err = await deliveryFailure(
      sender.send(target(gone.webhookUrl), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'unavailable' });
    expect(err.message).toContain('ECONNREFUSED');
    expect(err.message).not.toContain(KEY);
  });
});
