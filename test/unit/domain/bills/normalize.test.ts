import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  billItemId,
  normalizeBillLine,
  projectCodeFromTags,
  serviceCategory,
} from '../../../../shared/domain/bills/normalize';
import type { NormalizeContext } from '../../../../shared/domain/bills/normalize';
import type { CloudProvider, RawBillLine, ServiceCategory } from '../../../../shared/domain/bills/types';
import { DomainError } from '../../../../shared/domain/errors';

describe('serviceCategory', () => {
  const cases: Array<[CloudProvider, string, ServiceCategory]> = [
    ['aws', 'Amazon Elastic Compute Cloud - Compute', 'compute'],
    ['aws', 'AWS Lambda', 'compute'],
    ['aws', 'Amazon Simple Storage Service', 'storage'],
    ['aws', 'Amazon Relational Database Service', 'database'],
    ['aws', 'Amazon DynamoDB', 'database'],
    ['aws', 'Amazon Bedrock', 'ai-ml'],
    ['aws', 'Amazon SageMaker', 'ai-ml'],
    ['aws', 'Amazon CloudFront', 'network'],
    ['aws', 'Amazon Virtual Private Cloud', 'network'],
    ['aws', 'Amazon Athena', 'analytics'],
    ['aws', 'AWS Key Management Service', 'security'],
    ['aws', 'Amazon CloudWatch', 'management'],
    ['aws', 'Tax', 'other'],
    ['aliyun', 'ecs', 'compute'],
    ['aliyun', 'oss', 'storage'],
    ['aliyun', 'rds', 'database'],
    ['aliyun', 'slb', 'network'],
    ['aliyun', 'cdn', 'network'],
    ['aliyun', 'vpc', 'network'],
    ['aliyun', 'pai', 'ai-ml'],
    ['aliyun', '云服务器 ECS', 'compute'],
    ['aliyun', '对象存储 OSS', 'storage'],
    ['aliyun', '大数据计算服务 MaxCompute', 'analytics'],
    ['tencent', '云服务器CVM', 'compute'],
    ['tencent', '对象存储COS', 'storage'],
    ['tencent', '云数据库MySQL', 'database'],
    ['tencent', '负载均衡CLB', 'network'],
    ['tencent', '内容分发网络CDN', 'network'],
    ['tencent', 'TI平台', 'ai-ml'],
    ['tencent', '日志服务CLS', 'management'],
    ['gcp', 'Compute Engine', 'compute'],
    ['gcp', 'Cloud Storage', 'storage'],
    ['gcp', 'BigQuery', 'analytics'],
    ['gcp', 'Cloud SQL', 'database'],
    ['gcp', 'Vertex AI', 'ai-ml'],
    ['gcp', 'Networking', 'network'],
    ['gcp', 'Cloud Run', 'compute'],
    ['focus', 'AI and Machine Learning', 'ai-ml'],
    ['focus', 'Compute', 'compute'],
    ['focus', 'Databases', 'database'],
    ['focus', 'Networking', 'network'],
    ['focus', 'Storage', 'storage'],
    ['focus', 'Analytics', 'analytics'],
    ['focus', 'Security', 'security'],
    ['focus', 'Identity', 'security'],
    ['focus', 'Management and Governance', 'management'],
  ];

  it.each(cases)('%s "%s" → %s', (provider, name, category) => {
    expect(serviceCategory(provider, name)).toBe(category);
  });

  it('ignores case and whitespace differences between APIs and exports', () => {
    expect(serviceCategory('aliyun', '云服务器ECS')).toBe('compute');
    expect(serviceCategory('aliyun', 'ECS')).toBe('compute');
    expect(serviceCategory('tencent', '云服务器 CVM')).toBe('compute');
    expect(serviceCategory('aws', '  amazon simple   storage service ')).toBe('storage');
  });

  it('looks up provider service names in FOCUS files too', () => {
    expect(serviceCategory('focus', 'Amazon Bedrock')).toBe('ai-ml');
    expect(serviceCategory('focus', 'BigQuery')).toBe('analytics');
  });

  it('falls back to keyword rules, specific categories first', () => {
    expect(serviceCategory('aws', 'Amazon Elastic Compute Cloud - Data Transfer')).toBe('network');
    expect(serviceCategory('aws', 'AWS Certificate Manager')).toBe('security');
    expect(serviceCategory('aws', 'Amazon Keyspaces (for Apache Cassandra) Database')).toBe('database');
    expect(serviceCategory('gcp', 'Cloud Key Management Service')).toBe('security');
    expect(serviceCategory('gcp', 'Vertex AI Search')).toBe('ai-ml');
    expect(serviceCategory('aliyun', '智能语音交互 人工智能')).toBe('ai-ml');
    expect(serviceCategory('tencent', '云硬盘快照备份')).toBe('storage');
    expect(serviceCategory('aliyun', '全站加速 带宽')).toBe('network');
    expect(serviceCategory('focus', 'Some Virtual Machine')).toBe('compute');
  });

  it('maps what nothing recognizes to other', () => {
    expect(serviceCategory('aws', 'Amazon Chime')).toBe('other');
    expect(serviceCategory('gcp', 'Cloud Build')).toBe('other');
    expect(serviceCategory('focus', 'Business Applications')).toBe('other');
    expect(serviceCategory('tencent', '')).toBe('other');
    // "ai" only as a word: "Maintenance" is not AI.
    expect(serviceCategory('aws', 'Maintenance Fee')).toBe('other');
  });
});

describe('projectCodeFromTags', () => {
  const keys = ['project', 'cost-center', 'CostCenter'];

  it('takes the first configured key that has a value', () => {
    expect(projectCodeFromTags({ CostCenter: 'cc-9', project: 'apollo' }, keys)).toBe('apollo');
    expect(projectCodeFromTags({ CostCenter: 'cc-9', project: '  ' }, keys)).toBe('cc-9');
    expect(projectCodeFromTags({ 'cost-center': ' cc-1 ', CostCenter: 'cc-9' }, keys)).toBe('cc-1');
  });

  it('matches keys exactly and ignores inherited properties', () => {
    expect(projectCodeFromTags({ Project: 'apollo' }, keys)).toBeUndefined();
    expect(projectCodeFromTags({}, ['constructor'])).toBeUndefined();
  });
});

describe('normalizeBillLine', () => {
  const ctx: NormalizeContext = {
    enterpriseId: 'ent-1',
    provider: 'aliyun',
    cloudAccountId: 'acc-1',
    periodMonth: '2026-10',
    reportingCurrency: 'USD',
    rates: { CNY: '0.138', EUR: '1.0825' },
    projectTagKeys: ['project', 'cost-center', 'CostCenter'],
  };
  const line: RawBillLine = {
    sourceKey: 'i-abc|2026-10-05|ecs',
    billingDate: '2026-10-05',
    originalServiceName: '云服务器 ECS',
    region: 'cn-hangzhou',
    resourceId: 'i-abc',
    usageAccountId: '1234',
    currency: 'CNY',
    amount: '1234.56',
    amortizedAmount: '1000.10',
    tags: { 'cost-center': 'apollo', env: 'prod' },
    rawPayload: { InstanceID: 'i-abc', PretaxAmount: 1234.56 },
  };

  it('normalizes a line into a bill item with exact converted amounts', () => {
    const expectedId = createHash('sha256')
      .update('acc-1|2026-10|i-abc|2026-10-05|ecs')
      .digest('hex')
      .slice(0, 32);
    expect(normalizeBillLine(line, ctx)).toEqual({
      itemId: expectedId,
      enterpriseId: 'ent-1',
      provider: 'aliyun',
      cloudAccountId: 'acc-1',
      periodMonth: '2026-10',
      billingDate: '2026-10-05',
      originalServiceName: '云服务器 ECS',
      normalizedService: 'compute',
      projectCode: 'apollo',
      region: 'cn-hangzhou',
      resourceId: 'i-abc',
      usageAccountId: '1234',
      currency: 'CNY',
      originalAmount: '1234.56',
      exchangeRate: '0.138',
      reportingCurrency: 'USD',
      normalizedAmount: '170.36928',
      amortizedAmount: '1000.1',
      normalizedAmortizedAmount: '138.0138',
      tags: { original: { 'cost-center': 'apollo', env: 'prod' }, normalized: { project: 'apollo' } },
      untagged: false,
      rawPayload: { InstanceID: 'i-abc', PretaxAmount: 1234.56 },
    });
  });

  it('derives the same id for the same line on every fetch, another for another account', () => {
    expect(normalizeBillLine(line, ctx).itemId).toBe(billItemId('acc-1', '2026-10', line.sourceKey));
    expect(normalizeBillLine({ ...line, amount: '1' }, ctx).itemId).toBe(normalizeBillLine(line, ctx).itemId);
    expect(normalizeBillLine(line, { ...ctx, cloudAccountId: 'acc-2' }).itemId).not.toBe(
      normalizeBillLine(line, ctx).itemId,
    );
    expect(billItemId('acc-1', '2026-10', 'x')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the reporting currency at rate 1 without a rate entry', () => {
    const item = normalizeBillLine({ ...line, currency: 'USD', amount: '0.000001' }, { ...ctx, rates: {} });
    expect(item.exchangeRate).toBe('1');
    expect(item.normalizedAmount).toBe('0.000001');
  });

  it('converts negative credits exactly', () => {
    const item = normalizeBillLine(
      { ...line, currency: 'EUR', amount: '-12.5', amortizedAmount: undefined },
      ctx,
    );
    expect(item.normalizedAmount).toBe('-13.53125');
    expect(item.amortizedAmount).toBeUndefined();
    expect(item.normalizedAmortizedAmount).toBeUndefined();
  });

  it('accepts rates as a function and a lower-case currency code', () => {
    const rates = (currency: string): string | undefined => (currency === 'CNY' ? '0.14' : undefined);
    const item = normalizeBillLine({ ...line, currency: 'cny', amount: '100' }, { ...ctx, rates });
    expect(item.currency).toBe('CNY');
    expect(item.normalizedAmount).toBe('14');
  });

  it('refuses a currency without a rate for the period', () => {
    const call = () => normalizeBillLine(line, { ...ctx, rates: { EUR: '1.08' } });
    expect(call).toThrow(DomainError);
    expect(call).toThrow('No exchange rate for CNY→USD in 2026-10');
    try {
      call();
    } catch (error) {
      expect((error as DomainError).code).toBe('VALIDATION_ERROR');
    }
    expect(() => normalizeBillLine(line, { ...ctx, rates: () => undefined })).toThrow(/No exchange rate/);
  });

  it('refuses zero, negative and malformed rates and amounts', () => {
    expect(() => normalizeBillLine(line, { ...ctx, rates: { CNY: '0' } })).toThrow(/must be positive/);
    expect(() => normalizeBillLine(line, { ...ctx, rates: { CNY: '-0.1' } })).toThrow(/must be positive/);
    expect(() => normalizeBillLine(line, { ...ctx, rates: { CNY: '1e-1' } })).toThrow(DomainError);
    expect(() => normalizeBillLine({ ...line, amount: '1,234.56' }, ctx)).toThrow(DomainError);
    expect(() => normalizeBillLine({ ...line, amount: '1e3' }, ctx)).toThrow(DomainError);
  });

  it('refuses billing dates outside the period or not on the calendar', () => {
    expect(() => normalizeBillLine({ ...line, billingDate: '2026-09-30' }, ctx)).toThrow(
      'Billing date "2026-09-30" is not a day of 2026-10',
    );
    expect(() => normalizeBillLine({ ...line, billingDate: '2026-11-01' }, ctx)).toThrow(DomainError);
    expect(() => normalizeBillLine({ ...line, billingDate: '2026-10-32' }, ctx)).toThrow(DomainError);
    expect(() => normalizeBillLine({ ...line, billingDate: '2026-10-1' }, ctx)).toThrow(DomainError);
    expect(() => normalizeBillLine(line, { ...ctx, periodMonth: '2026-13' })).toThrow(DomainError);
  });

  it('accepts the first and last day of the period, 29 February only in leap years', () => {
    expect(normalizeBillLine({ ...line, billingDate: '2026-10-01' }, ctx).billingDate).toBe('2026-10-01');
    expect(normalizeBillLine({ ...line, billingDate: '2026-10-31' }, ctx).billingDate).toBe('2026-10-31');
    expect(
      normalizeBillLine({ ...line, billingDate: '2024-02-29' }, { ...ctx, periodMonth: '2024-02' })
        .periodMonth,
    ).toBe('2024-02');
    expect(() =>
      normalizeBillLine({ ...line, billingDate: '2026-02-29' }, { ...ctx, periodMonth: '2026-02' }),
    ).toThrow(DomainError);
  });

  it('marks lines without a project code as untagged and drops blank optional fields', () => {
    const item = normalizeBillLine({ ...line, tags: { env: 'prod' }, region: ' ', resourceId: '' }, ctx);
    expect(item.untagged).toBe(true);
    expect(item.projectCode).toBeUndefined();
    expect(item.tags).toEqual({ original: { env: 'prod' }, normalized: {} });
    expect(item.region).toBeUndefined();
    expect(item.resourceId).toBeUndefined();
  });
});
