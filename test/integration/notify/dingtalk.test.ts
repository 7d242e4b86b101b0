/** DingTalkSender against a fake custom robot that checks the token and recomputes the signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DingTalkSender } from '../../../shared/adapters/notify/dingtalk';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { FakeReceiver } from '../../factories/fake-webhooks';
import {
  FAKE_RETRY_AFTER_SECONDS,
  deliveryFailure,
  notificationMessage,
  startFakeDingTalk,
} from '../../factories/fake-webhooks';

const ACCESS_TOKEN = 'ff6cd723bdb4455fe18a9c2d4e5ba30dbeff007f5';
// A secret whose signatures often contain + and /: the urlEncode step matters.
const SECRET = 'SEC2f4c1b8e9a7d6c5b4a3928171605f4e3d2c1b0a9988776655443322110';

let signed: FakeReceiver;
let unsigned: FakeReceiver;
const sender = new DingTalkSender({ allowLoopbackHttp: true });

const target = (secret: Record<string, string>): ChannelTarget => ({
  type: 'dingtalk',
  settings: {},
  secret,
});
const signedTarget = (signingSecret = SECRET) => target({ webhookUrl: signed.webhookUrl, signingSecret });
const neverAborted = () => new AbortController().signal;

const expectNoSecrets = (text: string) => {
  for (const secret of [ACCESS_TOKEN, SECRET, signed.webhookUrl]) expect(text).not.toContain(secret);
};

beforeAll(async () => {
  signed = await startFakeDingTalk({ accessToken: ACCESS_TOKEN, signingSecret: SECRET });
  unsigned = await startFakeDingTalk({ accessToken: ACCESS_TOKEN });
});
afterAll(async () => {
  await signed.close();
  await unsigned.close();
});
beforeEach(() => {
  for (const fake of [signed, unsigned]) {
    fake.setMode('ok');
    fake.requests.length = 0;
  }
});

describe('DingTalkSender', () => {
  it('posts a markdown message with timestamp and sign in the query, which the robot accepts', async () => {
    const receipt = await sender.send(signedTarget(), notificationMessage(), neverAborted());

    expect(receipt).toEqual({ status: 200 });
    const [request] = signed.requests;
    expect(request?.path).toBe('/robot/send');
    expect(request?.query.get('access_token')).toBe(ACCESS_TOKEN);
    expect(request?.query.get('timestamp')).toMatch(/^\d{13}$/);
    expect(request?.rawUrl).toMatch(/&sign=[A-Za-z0-9%]+$/);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.body).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: 'OpenAI balance is low',
        text: [
          '### OpenAI balance is low',
          '',
          'The balance fell below the threshold.\nTop up before requests start failing.',
          '',
          '- **Balance**: 12.30 USD',
          '- **Threshold**: 50 USD',
          '',
          'balance.low · 2025-03-01T08:00:00.000Z',
        ].join('  \n'),
      },
    });
  });

  it('signs correctly across many timestamps (every Base64 character survives the query string)', async () => {
    for (let i = 0; i < 20; i += 1) {
      const at = new Date(Date.now() - i * 7_919);
      await new DingTalkSender({ allowLoopbackHttp: true }, () => at).send(
        signedTarget(),
        notificationMessage(),
        neverAborted(),
      );
    }
    expect(signed.requests).toHaveLength(20);
  });

  it('sends neither timestamp nor sign to a robot without 加签', async () => {
    await sender.send(target({ webhookUrl: unsigned.webhookUrl }), notificationMessage(), neverAborted());

    expect([...(unsigned.requests[0]?.query.keys() ?? [])]).toEqual(['access_token']);
  });

  it('is rejected with errcode 310000 when the secret is wrong, and says nothing secret', async () => {
    const err = await deliveryFailure(
      sender.send(signedTarget('SECwrongwrongwrong'), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('310000');
    expect(err.message).toContain('sign not match');
    expectNoSecrets(err.message);
    expect(err.message).not.toContain('SECwrongwrongwrong');
  });

  it('is rejected with errcode 310000 when the timestamp is more than an hour old', async () => {
    const stale = new DingTalkSender({ allowLoopbackHttp: true }, () => new Date(Date.now() - 2 * 3_600_000));
    const err = await deliveryFailure(stale.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('310000');
  });

  it('is rejected with errcode 300001 for an unknown access token', async () => {
    const webhookUrl = signed.webhookUrl.replace(ACCESS_TOKEN, 'a0b1c2d3e4f5a6b7c8d9');
    const err = await deliveryFailure(
      sender.send(target({ webhookUrl }), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('300001');
    expect(err.message).not.toContain('a0b1c2d3e4f5a6b7c8d9');
  });

  it('reports errcode 130101 as rate limiting', async () => {
    signed.setMode('rate_limit_code');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'rate_limited' });
    expect(err.message).toContain('130101');
  });

  it('reports HTTP 429 as rate limiting with Retry-After', async () => {
    signed.setMode('throttled');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({
      kind: 'rate_limited',
      options: { retryAfterMs: FAKE_RETRY_AFTER_SECONDS * 1000 },
    });
  });

  it('reports HTTP 500 as unavailable', async () => {
    signed.setMode('server_error');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'unavailable', options: { status: 500 } });
  });

  it('gives up with a timeout when the robot hangs and the signal aborts', async () => {
    signed.setMode('hang');
    const err = await deliveryFailure(
      sender.send(signedTarget(), notificationMessage(), AbortSignal.timeout(200)),
    );

    expect(err.kind).toBe('timeout');
  });
});
