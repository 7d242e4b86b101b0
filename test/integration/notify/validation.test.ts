/** validateChannelConfig: what a channel may be saved with, and problems that never quote a secret. */
import { describe, expect, it } from 'vitest';
import { validateChannelConfig } from '../../../shared/adapters/notify/registry';
import { DomainError } from '../../../shared/domain/errors';

const FEISHU_URL = 'https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07-bd07-265f269f86fd';
const SIGNING_SECRET = 'nIMtb7r3N9pkXyXdtAbx6e';
const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The VALIDATION_ERROR thrown, after checking that neither its message nor its problems quote `secrets`. */
function validationError(
  run: () => unknown,
  secrets: string[] = [],
): { message: string; problems: string[] } {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const err = caught as DomainError;
  expect(err.code).toBe('VALIDATION_ERROR');
  const { problems } = err.details as { problems: string[] };
  for (const secret of secrets) {
    expect(err.message).not.toContain(secret);
    expect(problems.join(' ')).not.toContain(secret);
  }
  return { message: err.message, problems };
}

describe('validateChannelConfig', () => {
  it('accepts each channel type with what it needs, trimmed', () => {
    expect(
      validateChannelConfig(
        'feishu',
        { label: ' Ops ' },
        { webhookUrl: ` ${FEISHU_URL} `, signingSecret: SIGNING_SECRET },
      ),
    ).toEqual({
      type: 'feishu',
      settings: { label: 'Ops' },
      secret: { webhookUrl: FEISHU_URL, signingSecret: SIGNING_SECRET },
    });
    const accepted: [string, Record<string, string>, Record<string, string>][] = [
      ['feishu', {}, { webhookUrl: 'https://open.larksuite.com/open-apis/bot/v2/hook/abc' }],
      [
        'dingtalk',
        {},
        { webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=abc', signingSecret: 'SECabc' },
      ],
      ['wecom', {}, { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc' }],
      ['slack', { label: '#finance' }, { webhookUrl: 'https://hooks.slack.com/services/T0/B0/abc' }],
      ['webhook', {}, { url: 'https://hooks.example.com/tollgate', signingSecret: WHSEC }],
      ['webhook', {}, { url: 'https://hooks.example.com/tollgate' }],
      ['email', { to: 'finance@example.com, ops@example.com' }, {}],
    ];
    for (const [type, settings, secret] of accepted) {
      expect(validateChannelConfig(type, settings, secret)).toEqual({ type, settings, secret });
    }
  });

  it('reports a missing webhook URL', () => {
    const { problems, message } = validationError(
      () => validateChannelConfig('feishu', {}, { signingSecret: SIGNING_SECRET }),
      [SIGNING_SECRET],
    );

    expect(problems).toEqual(['secret.webhookUrl missing']);
    expect(message).toBe('Invalid feishu channel: secret.webhookUrl missing');
  });

  it("reports a URL on another platform's host without quoting it", () => {
    const stolen = 'https://evil.example.com/open-apis/bot/v2/hook/5e3d587e-token';
    const cases: [string, string][] = [
      ['feishu', 'host must be open.feishu.cn or open.larksuite.com'],
      ['dingtalk', 'host must be oapi.dingtalk.com'],
      ['wecom', 'host must be qyapi.weixin.qq.com'],
      ['slack', 'host must be hooks.slack.com'],
    ];
    for (const [type, rule] of cases) {
      const { problems } = validationError(
        () => validateChannelConfig(type, {}, { webhookUrl: stolen }),
        [stolen, '5e3d587e-token'],
      );
      expect(problems).toEqual([`secret.webhookUrl ${rule}`]);
    }
  });

  it('reports a URL that is not https, and one that is not a URL', () => {
    const plain = FEISHU_URL.replace('https:', 'http:');
    expect(
      validationError(() => validateChannelConfig('feishu', {}, { webhookUrl: plain }), [plain]).problems,
    ).toEqual(['secret.webhookUrl must use https']);
    expect(
      validationError(() => validateChannelConfig('webhook', {}, { url: 'hooks.example.com/x' })).problems,
    ).toEqual(['secret.url is not a URL']);
  });

  it('accepts http://127.0.0.1 only when the loopback option is given', () => {
    const local = { webhookUrl: 'http://127.0.0.1:4010/open-apis/bot/v2/hook/abc' };

    expect(validationError(() => validateChannelConfig('feishu', {}, local)).problems).toEqual([
      'secret.webhookUrl must use https',
    ]);
    expect(validateChannelConfig('feishu', {}, local, { allowLoopbackHttp: true }).secret).toEqual(local);
    expect(
      validationError(() =>
        validateChannelConfig('feishu', {}, { webhookUrl: 'http://10.0.0.1/x' }, { allowLoopbackHttp: true }),
      ).problems,
    ).toEqual(['secret.webhookUrl must use https']);
  });

  it('keeps generic webhooks off private addresses', () => {
    for (const url of [
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest',
      'https://[fd00::1]/x',
      'https://localhost/x',
    ]) {
      expect(validationError(() => validateChannelConfig('webhook', {}, { url })).problems).toEqual([
        'secret.url must point to a public host',
      ]);
    }
  });

  it('reports a malformed Standard Webhooks secret without quoting it', () => {
    for (const signingSecret of ['not-a-whsec-secret', `whsec_${Buffer.alloc(8).toString('base64')}`]) {
      const { problems } = validationError(
        () => validateChannelConfig('webhook', {}, { url: 'https://hooks.example.com/x', signingSecret }),
        [signingSecret],
      );
      expect(problems).toEqual([
        'secret.signingSecret must be whsec_ followed by 24 to 64 base64-encoded bytes',
      ]);
    }
  });

  it('refuses secrets placed in the (non-secret) settings', () => {
    const { problems } = validationError(
      () => validateChannelConfig('slack', { webhookUrl: 'https://hooks.slack.com/services/T0/B0/abc' }, {}),
      ['https://hooks.slack.com/services/T0/B0/abc'],
    );

    expect(problems).toEqual(['settings.webhookUrl is not a known field', 'secret.webhookUrl missing']);
  });

  it('reports e-mail recipients that are missing or not addresses', () => {
    expect(validationError(() => validateChannelConfig('email', {}, {})).problems).toEqual([
      'settings.to missing',
    ]);
    expect(
      validationError(() => validateChannelConfig('email', { to: 'finance@example.com, finance' }, {}))
        .problems,
    ).toEqual(['settings.to has an address that is not an e-mail address']);
  });

  it('reports an unknown channel type', () => {
    const { problems } = validationError(
      () => validateChannelConfig('teams', {}, { webhookUrl: FEISHU_URL }),
      [FEISHU_URL],
    );

    expect(problems).toEqual(['type must be one of feishu, dingtalk, wecom, slack, webhook, email']);
  });
});
