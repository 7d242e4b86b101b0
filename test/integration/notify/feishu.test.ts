/** FeishuSender against a fake custom bot that checks the token and recomputes the signature. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FeishuSender } from '../../../shared/adapters/notify/feishu';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { FakeReceiver } from '../../factories/fake-webhooks';
import {
  FAKE_RETRY_AFTER_SECONDS,
  deliveryFailure,
  notificationMessage,
  startFakeFeishu,
} from '../../factories/fake-webhooks';

const TOKEN = '5e3d587e-d78e-4a07-bd07-265f269f86fd';
const SECRET = 'nIMtb7r3N9pkXyXdtAbx6e';

let signed: FakeReceiver;
let unsigned: FakeReceiver;
const sender = new FeishuSender({ allowLoopbackHttp: true });

const target = (secret: Record<string, string>): ChannelTarget => ({ type: 'feishu', settings: {}, secret });
const signedTarget = (signingSecret = SECRET) => target({ webhookUrl: signed.webhookUrl, signingSecret });
const neverAborted = () => new AbortController().signal;

/** Nothing that lets someone post to the bot may show in an error. */
const expectNoSecrets = (text: string) => {
  for (const secret of [TOKEN, SECRET, signed.webhookUrl]) expect(text).not.toContain(secret);
};

beforeAll(async () => {
  signed = await startFakeFeishu({ token: TOKEN, signingSecret: SECRET });
  unsigned = await startFakeFeishu({ token: TOKEN });
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

describe('FeishuSender', () => {
  it('posts a signed interactive card the bot accepts, red for an alert', async () => {
    const receipt = await sender.send(signedTarget(), notificationMessage(), neverAborted());

    expect(receipt).toEqual({ status: 200 });
    const [request] = signed.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/open-apis/bot/v2/hook/${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.body).toEqual({
      timestamp: expect.stringMatching(/^\d{10}$/),
      sign: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      msg_type: 'interactive',
      card: {
        config: { wide_screen_mode: true },
        header: { template: 'red', title: { tag: 'plain_text', content: 'OpenAI balance is low' } },
        elements: [
          {
            tag: 'div',
            text: {
              tag: 'lark_md',
              content: 'The balance fell below the threshold.\nTop up before requests start failing.',
            },
          },
          {
            tag: 'div',
            fields: [
              { is_short: true, text: { tag: 'lark_md', content: '**Balance**\n12.30 USD' } },
              { is_short: true, text: { tag: 'lark_md', content: '**Threshold**\n50 USD' } },
            ],
          },
          { tag: 'div', text: { tag: 'lark_md', content: 'balance.low · 2025-03-01T08:00:00.000Z' } },
        ],
      },
    });
  });

  it('colours the header by tone: yellow for a reminder, green for a recovery, blue for info', async () => {
    for (const [tone, template] of [
      ['reminder', 'yellow'],
      ['recovery', 'green'],
      ['info', 'blue'],
    ] as const) {
      await sender.send(signedTarget(), notificationMessage({ tone }), neverAborted());
      expect(signed.requests.at(-1)?.body.card.header.template).toBe(template);
    }
  });

  it('writes <, > and & as entities so text cannot mention everyone', async () => {
    const message = notificationMessage({ text: 'R&D <at id=all></at>', fields: [['<b>', 'a & b']] });
    await sender.send(signedTarget(), message, neverAborted());

    const [text, fields] = signed.requests[0]?.body.card.elements ?? [];
    expect(text.text.content).toBe('R&amp;D &lt;at id=all&gt;&lt;/at&gt;');
    expect(fields.fields[0].text.content).toBe('**&lt;b&gt;**\na &amp; b');
  });

  it('sends no timestamp or sign to a bot without signature verification', async () => {
    const receipt = await sender.send(
      target({ webhookUrl: unsigned.webhookUrl }),
      notificationMessage(),
      neverAborted(),
    );

    expect(receipt).toEqual({ status: 200 });
    expect(unsigned.requests[0]?.body).not.toHaveProperty('sign');
    expect(unsigned.requests[0]?.body).not.toHaveProperty('timestamp');
  });

  it('is rejected with code 19021 when the signing secret is wrong, and says nothing secret', async () => {
    const err = await deliveryFailure(
      sender.send(signedTarget('wrong-secret-value'), notificationMessage(), neverAborted()),
    );

    expect(err.kind).toBe('rejected');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('19021');
    expectNoSecrets(err.message);
    expect(err.message).not.toContain('wrong-secret-value');
  });

  it('is rejected with code 19021 when the timestamp is more than an hour old', async () => {
    const twoHoursAgo = new FeishuSender(
      { allowLoopbackHttp: true },
      () => new Date(Date.now() - 2 * 3_600_000),
    );
    const err = await deliveryFailure(
      twoHoursAgo.send(signedTarget(), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('19021');
  });

  it('is rejected with code 19001 for an unknown bot token, without echoing the URL', async () => {
    const webhookUrl = signed.webhookUrl.replace(TOKEN, 'aaaaaaaa-0000-0000-0000-000000000000');
    const err = await deliveryFailure(
      sender.send(target({ webhookUrl }), notificationMessage(), neverAborted()),
    );

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('19001');
    expect(err.message).not.toContain('aaaaaaaa-0000');
  });

  it('reports code 11232 as rate limiting', async () => {
    signed.setMode('rate_limit_code');
    const err = await deliveryFailure(sender.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'rate_limited' });
    expect(err.message).toContain('11232');
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
    expect(err.retryable).toBe(true);
  });

  it('gives up with a timeout when the bot hangs and the signal aborts', async () => {
    signed.setMode('hang');
    const err = await deliveryFailure(
      sender.send(signedTarget(), notificationMessage(), AbortSignal.timeout(200)),
    );

    expect(err.kind).toBe('timeout');
    expect(signed.requests).toHaveLength(1);
  });

  it('refuses to post to a host that is not Feishu or Lark, before any request', async () => {
    const production = new FeishuSender();
    const err = await deliveryFailure(production.send(signedTarget(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'rejected' });
    expect(err.message).toContain('secret.webhookUrl must use https');
    expectNoSecrets(err.message);
    expect(signed.requests).toHaveLength(0);
  });
});
