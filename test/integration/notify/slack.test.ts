/** SlackSender against a fake incoming webhook. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackSender } from '../../../shared/adapters/notify/slack';
import type { ChannelTarget } from '../../../shared/ports/notifications';
import type { FakeReceiver } from '../../factories/fake-webhooks';
import {
  FAKE_RETRY_AFTER_SECONDS,
  deliveryFailure,
  notificationMessage,
  startFakeSlack,
} from '../../factories/fake-webhooks';

const HOOK_SECRET = 'Xq7Lp2Vz9Rt4Ws6Yb8Nc1Md3';
const HOOK_PATH = `/services/T0A1B2C3D/B4E5F6G7H/${HOOK_SECRET}`;

let fake: FakeReceiver;
const sender = new SlackSender({ allowLoopbackHttp: true });

const target = (webhookUrl = fake.webhookUrl): ChannelTarget => ({
  type: 'slack',
  settings: {},
  secret: { webhookUrl },
});
const neverAborted = () => new AbortController().signal;

beforeAll(async () => {
  fake = await startFakeSlack({ hookPath: HOOK_PATH });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.setMode('ok');
  fake.requests.length = 0;
});

describe('SlackSender', () => {
  it('posts a header, the text, the fields and a context line, with a text fallback', async () => {
    const receipt = await sender.send(target(), notificationMessage(), neverAborted());

    expect(receipt).toEqual({ status: 200 });
    const [request] = fake.requests;
    expect(request?.path).toBe(HOOK_PATH);
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.body).toEqual({
      text: 'OpenAI balance is low\nThe balance fell below the threshold.\nTop up before requests start failing.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '🔴 OpenAI balance is low' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'The balance fell below the threshold.\nTop up before requests start failing.',
          },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Balance*\n12.30 USD' },
            { type: 'mrkdwn', text: '*Threshold*\n50 USD' },
          ],
        },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'critical · balance.low · 2025-03-01T08:00:00.000Z' }],
        },
      ],
    });
  });

  it('escapes &, < and > so text cannot notify the channel', async () => {
    await sender.send(target(), notificationMessage({ text: 'R&D <!channel>' }), neverAborted());

    expect(fake.requests[0]?.body.blocks[1].text.text).toBe('R&amp;D &lt;!channel&gt;');
  });

  it('keeps Block Kit limits: a 150-character header and at most 10 fields a section', async () => {
    const fields = Array.from({ length: 12 }, (_, i): [string, string] => [`Account ${i}`, `${i} USD`]);
    await sender.send(target(), notificationMessage({ title: 'x'.repeat(400), fields }), neverAborted());

    const blocks = fake.requests[0]?.body.blocks;
    expect(blocks[0].text.text).toHaveLength(150);
    expect(blocks[2].fields).toHaveLength(10);
    expect(blocks[3].fields).toHaveLength(2);
  });

  it('is rejected with the text Slack answers for a wrong hook, without the hook secret', async () => {
    const err = await deliveryFailure(
      sender.send(
        target(fake.webhookUrl.replace(HOOK_SECRET, 'WrongWrongWrong1')),
        notificationMessage(),
        neverAborted(),
      ),
    );

    expect(err).toMatchObject({ kind: 'rejected', options: { status: 404 } });
    expect(err.message).toContain('no_service');
    for (const secret of [HOOK_SECRET, 'WrongWrongWrong1', fake.webhookUrl])
      expect(err.message).not.toContain(secret);
  });

  it('reports HTTP 429 as rate limiting with Retry-After', async () => {
    fake.setMode('throttled');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({
      kind: 'rate_limited',
      options: { status: 429, retryAfterMs: FAKE_RETRY_AFTER_SECONDS * 1000 },
    });
  });

  it('reports HTTP 500 as unavailable', async () => {
    fake.setMode('server_error');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), neverAborted()));

    expect(err).toMatchObject({ kind: 'unavailable', options: { status: 500 } });
  });

  it('gives up with a timeout when Slack hangs and the signal aborts', async () => {
    fake.setMode('hang');
    const err = await deliveryFailure(sender.send(target(), notificationMessage(), AbortSignal.timeout(200)));

    expect(err.kind).toBe('timeout');
  });
});
