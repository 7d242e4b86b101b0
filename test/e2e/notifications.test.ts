/**
 * Notifications through the local stack: a low balance raised by the balance monitor is recorded,
 * routed by the enterprise's rules and delivered by the queue worker to a signed Feishu bot, a signed
 * DingTalk robot and a Slack webhook that answers 500 — Feishu and DingTalk verify the signatures and
 * get their messages at once, Slack is retried and its final failure is in the delivery log. Also:
 * channel configuration checked at create time, routing limited to the enterprise's own channels,
 * a test send by e-mail through SES, and no secret ever returned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenRouter, type FakeBalanceApi } from '../factories/fake-balance/http-api';
import {
  startFakeDingTalk,
  startFakeFeishu,
  startFakeSlack,
  type FakeReceiver,
} from '../factories/fake-webhooks';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let token: string;
let enterpriseId: string;
let feishu: FakeReceiver;
let dingtalk: FakeReceiver;
let slack: FakeReceiver;
let openrouter: FakeBalanceApi;
const channels = { feishu: '', dingtalk: '', slack: '', email: '' };

const FEISHU_SECRET = 'feishu-signing-secret-1';
const DINGTALK_SECRET = 'SECdingtalk-signing-secret-1';
const range = 'from=2026-01-01T00:00:00.000Z&to=2099-01-01T00:00:00.000Z';

const createChannel = async (body: Record<string, unknown>) => {
  const res = await http.post(`/api/enterprises/${enterpriseId}/notification-channels`, body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data.id as string;
};

/** The alert history once every delivery of the alerts of `kind` has an outcome. */
const settledAlerts = async (kind: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http.get(`/api/enterprises/${enterpriseId}/alerts?${range}&kind=${kind}`, { token });
    const alerts = res.body.data as any[];
    if (alerts.length > 0 && alerts.every((a) => a.deliveries.every((d: any) => d.status !== 'pending')))
      return alerts;
    if (Date.now() > deadline) throw new Error(`deliveries still pending: ${JSON.stringify(alerts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

beforeAll(async () => {
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  feishu = await startFakeFeishu({ token: 'feishu-token-1', signingSecret: FEISHU_SECRET });
  dingtalk = await startFakeDingTalk({ accessToken: 'dingtalk-token-1', signingSecret: DINGTALK_SECRET });
  slack = await startFakeSlack({ hookPath: '/services/T000/B000/slack-token-1' });
  openrouter = await startFakeOpenRouter({ apiKey: 'or-key', totalCredits: '20', totalUsage: '5.5' });
  const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (await http.post('/api/enterprises', { name: 'Alerts Co' }, { token: platform })).body.data
    .id;
  token = await rt.mintToken({ subject: 'admin', roles: ['enterprise-admin'], enterpriseId });

  channels.feishu = await createChannel({
    name: 'Ops Feishu',
    type: 'feishu',
    secret: { webhookUrl: feishu.webhookUrl, signingSecret: FEISHU_SECRET },
  });
  channels.dingtalk = await createChannel({
    name: 'Finance DingTalk',
    type: 'dingtalk',
    secret: { webhookUrl: dingtalk.webhookUrl, signingSecret: DINGTALK_SECRET },
  });
  channels.slack = await createChannel({
    name: 'Slack #finops',
    type: 'slack',
    secret: { webhookUrl: slack.webhookUrl },
  });
  channels.email = await createChannel({
    name: 'Finance mailbox',
    type: 'email',
    settings: { to: 'finance@example.com' },
  });
}, 120_000);

afterAll(async () => {
  await rt?.stop();
  await Promise.all([feishu, dingtalk, slack, openrouter].map((f) => f?.close()));
});

describe('notification channels', () => {
  it('refuses unusable channels at create time with 400, naming fields, never values', async () => {
    const before = (await http.get(`/api/enterprises/${enterpriseId}/notification-channels`, { token })).body
      .data.length;
    const bad = [
      { name: 'x', type: 'pager', secret: {} },
      { name: 'x', type: 'feishu', secret: {} },
      {
        name: 'x',
        type: 'feishu',
        secret: { webhookUrl: 'https://evil.example.com/open-apis/bot/v2/hook/t0ken-9' },
      },
      { name: 'x', type: 'slack', secret: { webhookUrl: 'http://hooks.slack.com/services/T/B/t0ken-9' } },
      { name: 'x', type: 'email', settings: { to: 'not an address' } },
    ];
    for (const body of bad) {
      const res = await http.post(`/api/enterprises/${enterpriseId}/notification-channels`, body, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.body)).not.toContain('t0ken-9');
    }
    const after = (await http.get(`/api/enterprises/${enterpriseId}/notification-channels`, { token })).body
      .data.length;
    expect(after).toBe(before);
  });

  it('never returns a channel secret', async () => {
    const list = await http.get(`/api/enterprises/${enterpriseId}/notification-channels`, { token });
    const text = JSON.stringify(list.body);
    for (const secret of [
      'feishu-token-1',
      FEISHU_SECRET,
      'dingtalk-token-1',
      DINGTALK_SECRET,
      'slack-token-1',
    ])
      expect(text).not.toContain(secret);
  });

  it('routes only to the enterprise’s own channels', async () => {
    const platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
    const other = (await http.post('/api/enterprises', { name: 'Other' }, { token: platform })).body.data.id;
    const otherAdmin = await rt.mintToken({ subject: 'o', roles: ['enterprise-admin'], enterpriseId: other });
    const foreign = await http.put(
      `/api/enterprises/${other}/notification-routing`,
      { rules: [{ kinds: ['*'], channelIds: [channels.feishu] }] },
      { token: otherAdmin },
    );
    expect(foreign.status).toBe(400);
    expect(
      (await http.post(`/api/notification-channels/${channels.feishu}/test`, {}, { token: otherAdmin }))
        .status,
    ).toBe(404);

    const rules = {
      rules: [
        {
          kinds: ['balance.*'],
          minSeverity: 'warning',
          channelIds: [channels.feishu, channels.dingtalk, channels.slack],
        },
      ],
    };
    const res = await http.put(`/api/enterprises/${enterpriseId}/notification-routing`, rules, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it('delivers a low-balance alert to Feishu and DingTalk (signed) while failing Slack is retried and logged', async () => {
    slack.setMode('server_error');
    const source = await http.post(
      `/api/enterprises/${enterpriseId}/balance-sources`,
      {
        name: 'OpenRouter main',
        provider: 'openrouter',
        credentials: { apiKey: 'or-key' },
        settings: { endpoint: openrouter.url },
        threshold: '50',
        currency: 'USD',
      },
      { token },
    );
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const refresh = await http.post(`/api/balance-sources/${source.body.data.id}/refresh`, {}, { token });
    expect(refresh.body.data).toMatchObject({ status: 'ok', balance: '14.5', alert: 'low' });

    const [alert] = await settledAlerts('balance.low');
    const byChannel = Object.fromEntries(alert.deliveries.map((d: any) => [d.channelId, d]));
    expect(byChannel[channels.feishu]).toMatchObject({ status: 'delivered', attempts: 1, httpStatus: 200 });
    expect(byChannel[channels.dingtalk]).toMatchObject({ status: 'delivered', attempts: 1, httpStatus: 200 });
    expect(byChannel[channels.slack]).toMatchObject({ status: 'failed', attempts: 3, httpStatus: 500 });
    expect(byChannel[channels.slack].lastError).toMatch(/unavailable/);
    // The e-mail channel is not in the rule.
    expect(byChannel[channels.email]).toBeUndefined();
    // Slack's retries did not hold up the others.
    expect(byChannel[channels.feishu].updatedAt < byChannel[channels.slack].updatedAt).toBe(true);
    expect(byChannel[channels.dingtalk].updatedAt < byChannel[channels.slack].updatedAt).toBe(true);

    // The fakes accepted the signatures (a bad one gets a business error, which would be 'failed').
    expect(feishu.requests).toHaveLength(1);
    const card = feishu.requests[0]!.body;
    expect(card.msg_type).toBe('interactive');
    expect(card.card.header.template).toBe('red');
    expect(JSON.stringify(card)).toContain('OpenRouter main');
    expect(dingtalk.requests).toHaveLength(1);
    expect(dingtalk.requests[0]!.query.get('sign')).toEqual(expect.any(String));
    expect(dingtalk.requests[0]!.body.msgtype).toBe('markdown');
    expect(slack.requests).toHaveLength(3);

    const log = await http.get(`/api/enterprises/${enterpriseId}/deliveries?limit=10`, { token });
    expect(log.body.data.filter((d: any) => d.alertId === alert.alertId)).toHaveLength(3);
  });

  it('routes nothing below a rule’s minimum severity', async () => {
    const sources = (await http.get(`/api/enterprises/${enterpriseId}/balance-sources`, { token })).body.data;
    await http.patch(`/api/balance-sources/${sources[0].id}`, { threshold: '10' }, { token });
    // Within the refresh cooldown the source is read by the scheduled poll instead.
    await rt.runJobNow('balance-poll');
    const [recovered] = await settledAlerts('balance.recovered');
    expect(recovered.severity).toBe('info');
    expect(recovered.deliveries).toEqual([]);
  });

  it('sends a test message by e-mail through SES and returns the delivery result', async () => {
    const res = await http.post(`/api/notification-channels/${channels.email}/test`, {}, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'delivered', channelType: 'email', attempts: 1 });
    expect(res.body.data.providerMessageId).toEqual(expect.any(String));
    const mails = (await (await fetch(`${rt.sesEndpoint}/store`)).json()) as { emails: any[] };
    const mail = mails.emails.find((m) => m.destination?.to?.includes('finance@example.com'));
    expect(mail?.subject).toBe('Test notification from Tollgate');
  });
});
