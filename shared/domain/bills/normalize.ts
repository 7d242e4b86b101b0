/**
 * Normalization of raw bill lines into the stored bill item (`cloud_bill_items`, seed 001): one
 * service category for every provider's service name, the project code from tags, and the amount
 * converted exactly into the enterprise's reporting currency next to the original.
 */

import { hash } from 'node:crypto';
import { DomainError } from '../errors';
import { type DecimalValue, decimal, money, toDecimalString } from '../money';
import { assertPeriodMonth, isIsoDate } from './periods';
import type { CloudProvider, RawBillLine, ServiceCategory } from './types';

type ServiceTable = Readonly<Record<string, ServiceCategory>>;

const AWS_SERVICES: ServiceTable = {
  'Amazon Elastic Compute Cloud - Compute': 'compute',
  'Amazon Elastic Compute Cloud': 'compute',
  'EC2 - Other': 'compute',
  'AWS Lambda': 'compute',
  'Amazon Elastic Container Service': 'compute',
  'Amazon Elastic Container Service for Kubernetes': 'compute',
  'Amazon Elastic Kubernetes Service': 'compute',
  'Amazon Lightsail': 'compute',
  'Amazon Simple Storage Service': 'storage',
  'Amazon Elastic File System': 'storage',
  'Amazon Elastic Block Store': 'storage',
  'Amazon S3 Glacier': 'storage',
  'AWS Backup': 'storage',
  'Amazon Relational Database Service': 'database',
  'Amazon DynamoDB': 'database',
  'Amazon ElastiCache': 'database',
  'Amazon DocumentDB (with MongoDB compatibility)': 'database',
  'Amazon Bedrock': 'ai-ml',
  'Amazon SageMaker': 'ai-ml',
  'Amazon Rekognition': 'ai-ml',
  'Amazon Textract': 'ai-ml',
  'Amazon Comprehend': 'ai-ml',
  'Amazon CloudFront': 'network',
  'Amazon Virtual Private Cloud': 'network',
  'Amazon Route 53': 'network',
  'Elastic Load Balancing': 'network',
  'AWS Data Transfer': 'network',
  'AWS Direct Connect': 'network',
  'Amazon API Gateway': 'network',
  'Amazon Athena': 'analytics',
  'Amazon Redshift': 'analytics',
  'AWS Glue': 'analytics',
  'Amazon Kinesis': 'analytics',
  'Amazon OpenSearch Service': 'analytics',
  'Amazon QuickSight': 'analytics',
  'AWS Key Management Service': 'security',
  'AWS WAF': 'security',
  'Amazon GuardDuty': 'security',
  'AWS Secrets Manager': 'security',
  'AWS Security Hub': 'security',
  'AWS Shield': 'security',
  'Amazon CloudWatch': 'management',
  'AWS CloudTrail': 'management',
  'AWS Config': 'management',
  'AWS Systems Manager': 'management',
  'AWS Cost Explorer': 'management',
  'AWS Support (Business)': 'management',
  'AWS Support (Enterprise)': 'management',
  Tax: 'other',
};

/** Alibaba Cloud reports product codes (`ecs`) and display names (`云服务器 ECS`); both are listed. */
const ALIYUN_SERVICES: ServiceTable = {
  ecs: 'compute',
  eci: 'compute',
  fc: 'compute',
  cs: 'compute',
  '云服务器 ECS': 'compute',
  '弹性容器实例 ECI': 'compute',
  函数计算: 'compute',
  '容器服务 Kubernetes 版': 'compute',
  oss: 'storage',
  nas: 'storage',
  '对象存储 OSS': 'storage',
  '文件存储 NAS': 'storage',
  块存储: 'storage',
  rds: 'database',
  polardb: 'database',
  kvstore: 'database',
  dds: 'database',
  '云数据库 RDS 版': 'database',
  '云原生数据库 PolarDB': 'database',
  '云数据库 Redis 版': 'database',
  '云数据库 MongoDB 版': 'database',
  slb: 'network',
  cdn: 'network',
  vpc: 'network',
  eip: 'network',
  nat_gw: 'network',
  cbn: 'network',
  '负载均衡 SLB': 'network',
  CDN: 'network',
  '专有网络 VPC': 'network',
  '弹性公网 IP': 'network',
  'NAT 网关': 'network',
  '云企业网 CEN': 'network',
  pai: 'ai-ml',
  '人工智能平台 PAI': 'ai-ml',
  大模型服务平台百炼: 'ai-ml',
  odps: 'analytics',
  emr: 'analytics',
  hologram: 'analytics',
  '大数据计算服务 MaxCompute': 'analytics',
  '开源大数据平台 E-MapReduce': 'analytics',
  '实时数仓 Hologres': 'analytics',
  kms: 'security',
  waf: 'security',
  yundun: 'security',
  密钥管理服务: 'security',
  'Web 应用防火墙': 'security',
  云安全中心: 'security',
  sls: 'management',
  cms: 'management',
  actiontrail: 'management',
  日志服务: 'management',
  云监控: 'management',
  操作审计: 'management',
};

/** Tencent Cloud reports business names (`云服务器CVM`) and product codes (`p_cvm`). */
const TENCENT_SERVICES: ServiceTable = {
  云服务器CVM: 'compute',
  云服务器: 'compute',
  轻量应用服务器: 'compute',
  云函数SCF: 'compute',
  容器服务TKE: 'compute',
  p_cvm: 'compute',
  p_scf: 'compute',
  对象存储COS: 'storage',
  云硬盘CBS: 'storage',
  文件存储CFS: 'storage',
  p_cos: 'storage',
  p_cbs: 'storage',
  云数据库MySQL: 'database',
  云数据库Redis: 'database',
  云数据库MongoDB: 'database',
  'TDSQL-C MySQL版': 'database',
  p_cdb: 'database',
  p_redis: 'database',
  负载均衡CLB: 'network',
  内容分发网络CDN: 'network',
  私有网络VPC: 'network',
  弹性公网IP: 'network',
  NAT网关: 'network',
  p_clb: 'network',
  p_cdn: 'network',
  p_vpc: 'network',
  TI平台: 'ai-ml',
  'TI-ONE训练平台': 'ai-ml',
  腾讯混元大模型: 'ai-ml',
  语音识别: 'ai-ml',
  弹性MapReduce: 'analytics',
  云数据仓库: 'analytics',
  p_emr: 'analytics',
  密钥管理系统KMS: 'security',
  Web应用防火墙: 'security',
  云防火墙: 'security',
  主机安全: 'security',
  日志服务CLS: 'management',
  云监控: 'management',
  p_cls: 'management',
};

const GCP_SERVICES: ServiceTable = {
  'Compute Engine': 'compute',
  'Cloud Run': 'compute',
  'Cloud Run Functions': 'compute',
  'Cloud Functions': 'compute',
  'Kubernetes Engine': 'compute',
  'App Engine': 'compute',
  'Cloud Storage': 'storage',
  Filestore: 'storage',
  'Artifact Registry': 'storage',
  'Cloud SQL': 'database',
  'Cloud Spanner': 'database',
  'Cloud Bigtable': 'database',
  'Cloud Firestore': 'database',
  'Cloud Memorystore for Redis': 'database',
  'Vertex AI': 'ai-ml',
  'Gemini API': 'ai-ml',
  'Cloud Vision API': 'ai-ml',
  'Cloud Speech API': 'ai-ml',
  Networking: 'network',
  'Cloud DNS': 'network',
  'Cloud CDN': 'network',
  'Cloud Load Balancing': 'network',
  BigQuery: 'analytics',
  Dataflow: 'analytics',
  'Cloud Dataproc': 'analytics',
  'Cloud Pub/Sub': 'analytics',
  Looker: 'analytics',
  'Cloud Key Management Service (KMS)': 'security',
  'Secret Manager': 'security',
  'Security Command Center': 'security',
  'Cloud Armor': 'security',
  'Cloud Logging': 'management',
  'Cloud Monitoring': 'management',
  Support: 'management',
};

/** FOCUS 1.x `ServiceCategory` values. */
const FOCUS_CATEGORIES: ServiceTable = {
  'AI and Machine Learning': 'ai-ml',
  Analytics: 'analytics',
  'Business Applications': 'other',
  Compute: 'compute',
  Databases: 'database',
  'Developer Tools': 'management',
  Multicloud: 'management',
  Identity: 'security',
  Integration: 'analytics',
  'Internet of Things': 'other',
  'Management and Governance': 'management',
  Media: 'other',
  Migration: 'management',
  Mobile: 'other',
  Networking: 'network',
  Security: 'security',
  Storage: 'storage',
  Web: 'compute',
  Other: 'other',
};

/** Lookup key: case and whitespace vary between a provider's APIs and console exports. */
const lookupKey = (name: string): string => name.toLowerCase().replace(/\s+/g, '');

const keyed = (table: ServiceTable): ReadonlyMap<string, ServiceCategory> =>
  new Map(Object.entries(table).map(([name, category]) => [lookupKey(name), category]));

const PROVIDER_TABLES: Readonly<
  Record<Exclude<CloudProvider, 'focus'>, ReadonlyMap<string, ServiceCategory>>
> = {
  aws: keyed(AWS_SERVICES),
  aliyun: keyed(ALIYUN_SERVICES),
  tencent: keyed(TENCENT_SERVICES),
  gcp: keyed(GCP_SERVICES),
};

/**
 * A FOCUS file may carry a ServiceCategory or a provider's own service name, so a focus name is
 * looked up among FOCUS categories first, then among every provider's names.
 */
const FOCUS_TABLES = [keyed(FOCUS_CATEGORIES), ...Object.values(PROVIDER_TABLES)];

/**
 * Fallback for names no table lists, first match wins: the specific categories (AI, security,
 * database) come before the broad ones, so "Key Management Service" is security, not management,
 * and "Elastic Compute Cloud - Data Transfer" is network, not compute. Chinese terms have no word
 * boundaries and are matched as substrings.
 */
const KEYWORD_RULES: ReadonlyArray<readonly [RegExp, ServiceCategory]> = [
  [/\b(ai|ml|llm)\b|machine learning|bedrock|sagemaker|gemini|大模型|人工智能|机器学习/i, 'ai-ml'],
  [
    /security|firewall|\bwaf\b|\bkms\b|key management|secret|identity|certificate|ddos|安全|防火墙|密钥|证书/i,
    'security',
  ],
  [/database|\bdb\b|sql|redis|mongo|数据库|缓存/i, 'database'],
  [/analytic|bigquery|warehouse|\betl\b|stream|search|大数据|数据仓库|数仓|分析/i, 'analytics'],
  [/storage|\bs3\b|backup|archive|存储|备份|硬盘|云盘/i, 'storage'],
  [
    /network|\bcdn\b|\bvpc\b|load balanc|\bdns\b|data transfer|bandwidth|gateway|网络|带宽|负载均衡|流量|公网|网关/i,
    'network',
  ],
  [/monitor|logging|\blogs?\b|audit|trail|governance|management|support|监控|日志|审计|运维/i, 'management'],
  [
    /compute|\bvm\b|virtual machine|instance|server|container|kubernetes|function|lambda|\bgpu\b|服务器|计算|容器|函数/i,
    'compute',
  ],
];

/** The unified category of a provider's service name; names nothing recognizes are `other`. */
export const serviceCategory = (provider: CloudProvider, serviceName: string): ServiceCategory => {
  const key = lookupKey(serviceName);
  const tables = provider === 'focus' ? FOCUS_TABLES : [PROVIDER_TABLES[provider]];
  for (const table of tables) {
    const category = table.get(key);
    if (category) return category;
  }
  return KEYWORD_RULES.find(([pattern]) => pattern.test(serviceName))?.[1] ?? 'other';
};

/** Units of the reporting currency per one unit of `currency`, for the period; undefined when unknown. */
export type ExchangeRates = ((currency: string) => string | undefined) | Readonly<Record<string, string>>;

export interface NormalizeContext {
  enterpriseId: string;
  provider: CloudProvider;
  /** Id of the `cloud_accounts` row the lines were fetched for (the seed's billingAccountId). */
  cloudAccountId: string;
  periodMonth: string;
  /** ISO 4217 code every normalized amount is expressed in. */
  reportingCurrency: string;
  rates: ExchangeRates;
  /** Tag keys that carry the project / cost-center code, in order of preference; matched exactly. */
  projectTagKeys: readonly string[];
}

export interface BillItemTags {
  original: Record<string, string>;
  normalized: { project?: string };
}

/** One normalized bill line (`cloud_bill_items`). Amounts are exact decimal strings. */
export interface CloudBillItem {
  /** Deterministic from account, period and the line's sourceKey: a re-sync overwrites, never duplicates. */
  itemId: string;
  enterpriseId: string;
  provider: CloudProvider;
  cloudAccountId: string;
  periodMonth: string;
  billingDate: string;
  originalServiceName: string;
  normalizedService: ServiceCategory;
  projectCode?: string;
  region?: string;
  resourceId?: string;
  usageAccountId?: string;
  /** Currency the provider billed in. */
  currency: string;
  originalAmount: string;
  /** Units of reportingCurrency per unit of currency. */
  exchangeRate: string;
  reportingCurrency: string;
  /** originalAmount × exchangeRate, exact, in reportingCurrency. */
  normalizedAmount: string;
  /** Amortized amount as the provider reported it, in `currency`. */
  amortizedAmount?: string;
  /** amortizedAmount × exchangeRate, in reportingCurrency. */
  normalizedAmortizedAmount?: string;
  tags: BillItemTags;
  /** No project code could be derived from the tags. */
  untagged: boolean;
  rawPayload: unknown;
}

export const billItemId = (cloudAccountId: string, periodMonth: string, sourceKey: string): string =>
  hash('sha256', `${cloudAccountId}|${periodMonth}|${sourceKey}`, 'hex').slice(0, 32);

const lookupRate = (rates: ExchangeRates, currency: string): string | undefined =>
  typeof rates === 'function'
    ? rates(currency)
    : Object.hasOwn(rates, currency)
      ? rates[currency]
      : undefined;

/** The period's rate from `currency` to the reporting currency; "1" for the same currency. */
export const exchangeRate = (ctx: NormalizeContext, currency: string): string => {
  if (currency === ctx.reportingCurrency) return '1';
  const rate = lookupRate(ctx.rates, currency);
  if (rate === undefined) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `No exchange rate for ${currency}→${ctx.reportingCurrency} in ${ctx.periodMonth}`,
      { currency, reportingCurrency: ctx.reportingCurrency, periodMonth: ctx.periodMonth },
    );
  }
  if (!decimal(rate).greaterThan(0)) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `Exchange rate ${currency}→${ctx.reportingCurrency} must be positive`,
    );
  }
  return toDecimalString(decimal(rate));
};

/** The value of the first configured project tag key that has a non-blank value. */
export const projectCodeFromTags = (
  tags: Record<string, string>,
  projectTagKeys: readonly string[],
): string | undefined => {
  for (const key of projectTagKeys) {
    const value = Object.hasOwn(tags, key) ? tags[key]?.trim() : undefined;
    if (value) return value;
  }
  return undefined;
};

const blankToUndefined = (value: string | undefined): string | undefined => value?.trim() || undefined;

const assertBillingDateInPeriod = (billingDate: string, periodMonth: string): void => {
  if (!isIsoDate(billingDate) || !billingDate.startsWith(`${periodMonth}-`)) {
    throw new DomainError(
      'VALIDATION_ERROR',
      `Billing date "${billingDate}" is not a day of ${periodMonth}`,
      {
        billingDate,
        periodMonth,
      },
    );
  }
};

/**
 * The normalizer for one account-period: the period is checked and each currency's rate resolved
 * once, not per line (an import normalizes up to millions of lines with the same context).
 */
export const billNormalizer = (ctx: NormalizeContext): ((line: RawBillLine) => CloudBillItem) => {
  assertPeriodMonth(ctx.periodMonth);
  const rates = new Map<string, { text: string; value: DecimalValue }>();
  const rateTo = (currency: string) => {
    let rate = rates.get(currency);
    if (rate === undefined) {
      money(0, currency); // refuses a malformed currency code before it is looked up
      const text = exchangeRate(ctx, currency);
      rate = { text, value: decimal(text) };
      rates.set(currency, rate);
    }
    return rate;
  };

  return (line) => {
    assertBillingDateInPeriod(line.billingDate, ctx.periodMonth);
    const currency = line.currency.trim().toUpperCase();
    const rate = rateTo(currency);
    const amount = decimal(line.amount);
    const amortized = line.amortizedAmount === undefined ? undefined : decimal(line.amortizedAmount);
    const toReporting = (value: DecimalValue): string =>
      toDecimalString(rate.text === '1' ? value : value.times(rate.value));
    const projectCode = projectCodeFromTags(line.tags, ctx.projectTagKeys);

    return {
      itemId: billItemId(ctx.cloudAccountId, ctx.periodMonth, line.sourceKey),
      enterpriseId: ctx.enterpriseId,
      provider: ctx.provider,
      cloudAccountId: ctx.cloudAccountId,
      periodMonth: ctx.periodMonth,
      billingDate: line.billingDate,
      originalServiceName: line.originalServiceName,
      normalizedService: serviceCategory(ctx.provider, line.originalServiceName),
      projectCode,
      region: blankToUndefined(line.region),
      resourceId: blankToUndefined(line.resourceId),
      usageAccountId: blankToUndefined(line.usageAccountId),
      currency,
      originalAmount: toDecimalString(amount),
      exchangeRate: rate.text,
      reportingCurrency: ctx.reportingCurrency,
      normalizedAmount: toReporting(amount),
      amortizedAmount: amortized === undefined ? undefined : toDecimalString(amortized),
      normalizedAmortizedAmount: amortized === undefined ? undefined : toReporting(amortized),
      tags: { original: line.tags, normalized: projectCode === undefined ? {} : { project: projectCode } },
      untagged: projectCode === undefined,
      rawPayload: line.rawPayload,
    };
  };
};

/** One line on its own (tests, single lines); imports build one `billNormalizer` per context. */
export const normalizeBillLine = (line: RawBillLine, ctx: NormalizeContext): CloudBillItem =>
  billNormalizer(ctx)(line);
