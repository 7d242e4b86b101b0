import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../shared/runtime/logger';

const render = (value: unknown) => JSON.stringify(value, redactSecrets);

describe('log redaction', () => {
  it('redacts secret-named fields whatever they hold', () => {
    const line = render({
      apiKey: 'abc',
      headers: { authorization: 'Bearer x', 'x-api-key': 'y' },
      password: 'p',
    });
    expect(line).not.toMatch(/abc|Bearer x|"y"|"p"/);
    expect(line).toContain('[REDACTED]');
  });

  it('redacts key-shaped values under innocent names', () => {
    // Built at run time so no key-shaped literal sits in the repository.
    const awsKeyId = ['AKIA', 'ABCDEFGHIJKLMNOP'].join('');
    const gateway = `tg_${'A'.repeat(43)}`;
    const line = render({ note: `used ${gateway} and sk-${'b'.repeat(30)} and ${awsKeyId}` });
    expect(line).not.toContain(gateway);
    expect(line).not.toContain('sk-bbbb');
    expect(line).not.toContain(awsKeyId);
  });

  it('keeps ordinary fields', () => {
    expect(render({ routeKey: 'GET /health', count: 3 })).toBe('{"routeKey":"GET /health","count":3}');
  });
});
