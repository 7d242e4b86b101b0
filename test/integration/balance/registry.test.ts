/** balanceSources and validateBalanceConfig: what a balance source must be configured with at create time. */
import { describe, expect, it } from 'vitest';
import { balanceSources, validateBalanceConfig } from '../../../shared/adapters/balance/registry';
import { BALANCE_PROVIDERS } from '../../../shared/domain/balance/types';
import { DomainError } from '../../../shared/domain/errors';
import { expectNoSecrets } from '../../factories/fake-balance/expect';

const SECRET = 'sk-very-secret-value-0123456789';

/** The DomainError validateBalanceConfig throws (fails the test if it does not). */
function rejection(provider: string, settings: unknown, credentials: unknown): DomainError {
  try {
    validateBalanceConfig(provider, settings, credentials);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('VALIDATION_ERROR');
    return err as DomainError;
  }
  throw new Error('validateBalanceConfig accepted the configuration');
}
const problems = (error: DomainError): string[] => (error.details as { problems: string[] }).problems;

const VALID: Record<string, { settings: Record<string, string>; credentials: Record<string, string> }> = {
  openrouter: { settings: {}, credentials: { apiKey: SECRET } },
  deepseek: { settings: { currency: 'USD' }, credentials: { apiKey: SECRET } },
  moonshot: { settings: { region: 'global' }, credentials: { apiKey: SECRET } },
  siliconflow: { settings: { endpoint: 'https://api.siliconflow.cn' }, credentials: { apiKey: SECRET } },
  aliyun: {
    settings: { endpoint: 'https://business.ap-southeast-1.aliyuncs.com' },
    credentials: { accessKeyId: 'LTAI5tKey', accessKeySecret: SECRET },
  },
  tencent: { settings: {}, credentials: { secretId: 'AKIDkey', secretKey: SECRET } },
  'http-json': {
    settings: {
      url: 'https://billing.example.com/v1/balance',
      balancePath: "$.wallets[?@.currency == 'USD'].amount",
      currency: 'USD',
    },
    credentials: { headers: JSON.stringify({ Authorization: `Bearer ${SECRET}` }) },
  },
};

describe('balanceSources', () => {
  it('has a source for every provider', () => {
    const sources = balanceSources();
    expect(Object.keys(sources).sort()).toEqual([...BALANCE_PROVIDERS].sort());
    for (const source of Object.values(sources)) expect(typeof source.fetchBalance).toBe('function');
  });
});

describe('validateBalanceConfig', () => {
  it('accepts a valid configuration for every provider', () => {
    for (const provider of BALANCE_PROVIDERS) {
      const { settings, credentials } = VALID[provider]!;
      expect(() => validateBalanceConfig(provider, settings, credentials)).not.toThrow();
    }
  });

  it('refuses an unknown provider', () => {
    const error = rejection('paypal', {}, { apiKey: SECRET });
    expect(problems(error)).toEqual(['provider unknown']);
  });

  it('names every missing credential key', () => {
    expect(problems(rejection('openrouter', {}, {}))).toEqual(['credentials.apiKey missing']);
    expect(problems(rejection('aliyun', {}, { accessKeyId: ' ' }))).toEqual([
      'credentials.accessKeyId missing',
      'credentials.accessKeySecret missing',
    ]);
    expect(problems(rejection('tencent', {}, undefined))).toEqual([
      'credentials.secretId missing',
      'credentials.secretKey missing',
    ]);
    expect(problems(rejection('http-json', VALID['http-json']!.settings, {}))).toEqual([
      'credentials.headers missing',
    ]);
  });

  it('refuses a malformed JSONPath when the source is created', () => {
    const error = rejection(
      'http-json',
      {
        ...VALID['http-json']!.settings,
        balancePath: '$.data[',
        currency: undefined,
        currencyPath: 'data.currency',
      },
      VALID['http-json']!.credentials,
    );
    expect(problems(error)).toEqual([
      'settings.balancePath is not an RFC 9535 JSONPath expression',
      'settings.currencyPath is not an RFC 9535 JSONPath expression',
    ]);
    expect(error.message).toBe(
      'Invalid http-json balance source configuration: settings.balancePath is not an RFC 9535 JSONPath expression, settings.currencyPath is not an RFC 9535 JSONPath expression',
    );
  });

  it('accepts only http(s) URLs without user info', () => {
    for (const url of [
      'ftp://billing.example.com/balance',
      'file:///etc/passwd',
      'billing.example.com',
      'https://user:pw@billing.example.com/',
    ]) {
      const error = rejection(
        'http-json',
        { ...VALID['http-json']!.settings, url },
        VALID['http-json']!.credentials,
      );
      expect(problems(error)).toEqual(['settings.url must be an http(s) URL without user info']);
    }
    const endpoint = rejection('deepseek', { endpoint: 'javascript:alert(1)' }, { apiKey: SECRET });
    expect(problems(endpoint)).toEqual(['settings.endpoint must be an http(s) URL without user info']);
  });

  it('needs exactly one of currency and currencyPath, and a body only with POST', () => {
    const { url, balancePath } = VALID['http-json']!.settings as { url: string; balancePath: string };
    const credentials = VALID['http-json']!.credentials;
    expect(problems(rejection('http-json', { url, balancePath }, credentials))).toEqual([
      'settings.currency missing: set currency or currencyPath',
    ]);
    expect(
      problems(
        rejection('http-json', { url, balancePath, currency: 'USD', currencyPath: '$.unit' }, credentials),
      ),
    ).toEqual(['settings.currency cannot be set with currencyPath']);
    expect(
      problems(rejection('http-json', { url, balancePath, currency: 'USD', body: '{"a":1}' }, credentials)),
    ).toEqual(['settings.body needs method POST']);
    expect(
      problems(
        rejection(
          'http-json',
          { url, balancePath, currency: 'USD', method: 'POST', body: '{a' },
          credentials,
        ),
      ),
    ).toEqual(['settings.body must be JSON text']);
  });

  it('names unknown settings and invalid enum values', () => {
    expect(
      problems(rejection('openrouter', { endpint: 'https://openrouter.ai' }, { apiKey: SECRET })),
    ).toEqual(['settings.endpint unknown']);
    expect(problems(rejection('moonshot', { region: 'mars' }, { apiKey: SECRET }))).toEqual([
      'settings.region invalid',
    ]);
  });

  it('never quotes a credential value, however it is malformed', () => {
    const cases: [string, unknown, unknown][] = [
      ['http-json', VALID['http-json']!.settings, { headers: `Bearer ${SECRET}` }],
      ['http-json', VALID['http-json']!.settings, { headers: JSON.stringify({ 'Bad Header': SECRET }) }],
      [
        'http-json',
        VALID['http-json']!.settings,
        { headers: JSON.stringify({ Authorization: `${SECRET}\r\nX: y` }) },
      ],
      ['http-json', VALID['http-json']!.settings, { headers: JSON.stringify({ Authorization: 42 }) }],
      ['openrouter', {}, { apiKey: 42 }],
      ['aliyun', { endpoint: SECRET }, { accessKeyId: SECRET, accessKeySecret: 7 }],
      ['tencent', {}, SECRET],
    ];
    for (const [provider, settings, credentials] of cases) {
      const error = rejection(provider, settings, credentials);
      expect(problems(error).length).toBeGreaterThan(0);
      expectNoSecrets(error, [SECRET]);
    }
    expect(
      problems(rejection('http-json', VALID['http-json']!.settings, { headers: `Bearer ${SECRET}` })),
    ).toEqual(['credentials.headers must be the JSON text of an object of header names to string values']);
  });
});
