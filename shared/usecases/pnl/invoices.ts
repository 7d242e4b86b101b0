/**
 * Internal billing (seed 000 InternalBilling): each month the platform cost center invoices every
 * consuming center for the AI platform cost the feeds attributed to it from real usage — cloud API
 * usage at its metered cost and self-hosted tokens at their share of the accounts' cost. The
 * reconciliation report proves the invoices equal that allocated cost, center by center.
 */
import { requireEnterpriseAccess, requireFinanceManager } from '../../domain/access';
import { invalid, notFound } from '../../domain/errors';
import { decimal, type DecimalValue } from '../../domain/money';
import { moneyString, rounded, sumOf } from '../../domain/pnl/amounts';
import { factId } from '../../domain/pnl/facts';
import { lastDayOfMonth } from '../../domain/pnl/periods';
import type { CostCenterRecord, CostEntryRecord, InvoiceLine, InvoiceRecord } from '../../ports/pnl';
import type { RequestContext } from '../tenancy';
import { settingsOf, type PnlDeps } from './deps';

/** The feeds whose costs are the platform's service to the consuming centers. */
const PLATFORM_SOURCES = new Set(['gateway', 'self_hosted']);

const platformOf = (centers: CostCenterRecord[]): CostCenterRecord => {
  const platform = centers.find((center) => center.isPlatform);
  if (!platform)
    throw invalid(
      'No cost center is marked as the AI platform (isPlatform): there is no one to invoice from',
    );
  return platform;
};

/** Platform costs attributed to the consuming centers (the platform's own use is not invoiced). */
const allocatedCosts = (entries: CostEntryRecord[], platform: CostCenterRecord) =>
  entries.filter((e) => PLATFORM_SOURCES.has(e.sourceSystem) && e.costCenterId !== platform.id);

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const tokensOf = (e: CostEntryRecord): number => Number(e.costDetails?.tokens ?? 0);

/** One line per account: cloud usage by metered cost, self-hosted by tokens at their cost per token. */
const invoiceLines = (entries: CostEntryRecord[]): InvoiceLine[] => {
  const byAccount = new Map<string, CostEntryRecord[]>();
  for (const e of entries) {
    const key = `${e.sourceSystem}#${String(e.costDetails?.accountId ?? '')}`;
    byAccount.set(key, [...(byAccount.get(key) ?? []), e]);
  }
  return [...byAccount]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, group]) => {
      const [source, accountId] = key.split('#') as [string, string];
      const base = sumOf(group.map((e) => e.amount));
      const selfHosted = source === 'self_hosted';
      // Self-hosted entries repeat the center's tokens on each category; cloud entries split them by group.
      const tokens = selfHosted ? tokensOf(group[0]!) : group.reduce((sum, e) => sum + tokensOf(e), 0);
      return {
        serviceType: 'ai_inference',
        serviceCategory: selfHosted ? 'self_hosted' : 'cloud_api',
        description: selfHosted
          ? `Self-hosted inference on account ${accountId} (hardware, power, maintenance, personnel)`
          : `Cloud AI usage through the gateway on account ${accountId}`,
        usageMetric: 'tokens' as const,
        usageQuantity: String(tokens),
        unitRate: tokens === 0 ? '0' : rounded(base.dividedBy(tokens), 10),
        baseAmount: moneyString(base),
      };
    });
};

/** Regenerates the month's drafts; issued and paid invoices are never changed. */
export const generateInvoices = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  month: string,
) => {
  requireFinanceManager(ctx.caller, enterpriseId);
  const [centers, entries, settings] = await Promise.all([
    deps.store.listCostCenters(enterpriseId),
    deps.store.costEntriesOfEnterprise(enterpriseId, month),
    settingsOf(deps, enterpriseId),
  ]);
  const platform = platformOf(centers);
  const codes = new Map(centers.map((center) => [center.id, center.code]));
  const byConsumer = new Map<string, CostEntryRecord[]>();
  for (const e of allocatedCosts(entries, platform)) {
    const key = `${e.costCenterId}#${e.currency}`;
    byConsumer.set(key, [...(byConsumer.get(key) ?? []), e]);
  }
  const billingDate = lastDayOfMonth(month);
  const now = deps.clock.now().toISOString();
  const drafts: InvoiceRecord[] = [...byConsumer].map(([key, group]) => {
    const [consumer, currency] = key.split('#') as [string, string];
    const lines = invoiceLines(group);
    const base = sumOf(lines.map((l) => l.baseAmount));
    const discount = roundCents(base.times(decimal(settings.discountPercent)).dividedBy(100));
    const tax = roundCents(base.minus(discount).times(decimal(settings.taxPercent)).dividedBy(100));
    return {
      id: factId(enterpriseId, 'invoice', `${month}#${consumer}#${currency}`),
      billingId: `IB-${month}-${codes.get(consumer) ?? consumer}-${currency}`,
      enterpriseId,
      month,
      billingDate,
      providerCostCenterId: platform.id,
      consumerCostCenterId: consumer,
      currency,
      lines,
      allocationMethod: 'direct',
      baseAmount: moneyString(base),
      discountAmount: moneyString(discount),
      taxAmount: moneyString(tax),
      totalAmount: moneyString(base.minus(discount).plus(tax)),
      status: 'draft',
      dueDate: addDays(billingDate, settings.paymentDays),
      createdAt: now,
      createdBy: ctx.caller.subject,
    };
  });
  await deps.store.replaceDraftInvoices(enterpriseId, month, drafts);
  return listInvoices(deps, ctx, enterpriseId, month);
};

const roundCents = (value: DecimalValue): DecimalValue => decimal(rounded(value, 2));

const invoiceView = (i: InvoiceRecord) => ({ ...i, paidDate: i.paidDate ?? null });

export const listInvoices = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  month: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const invoices = await deps.store.invoicesOf(enterpriseId, month);
  return { items: invoices.sort((a, b) => a.billingId.localeCompare(b.billingId)).map(invoiceView) };
};

const visibleInvoice = async (deps: PnlDeps, ctx: RequestContext, invoiceId: string) => {
  const invoice = await deps.store.getInvoice(invoiceId);
  if (!invoice) throw notFound('Invoice', invoiceId);
  requireFinanceManager(ctx.caller, invoice.enterpriseId);
  return invoice;
};

export const issueInvoice = async (deps: PnlDeps, ctx: RequestContext, invoiceId: string) => {
  await visibleInvoice(deps, ctx, invoiceId);
  return invoiceView(await deps.store.setInvoiceStatus(invoiceId, 'draft', 'issued'));
};

export const payInvoice = async (deps: PnlDeps, ctx: RequestContext, invoiceId: string, paidDate: string) => {
  const invoice = await visibleInvoice(deps, ctx, invoiceId);
  if (paidDate < invoice.billingDate)
    throw invalid(`An invoice cannot be paid (${paidDate}) before it was billed (${invoice.billingDate})`);
  return invoiceView(await deps.store.setInvoiceStatus(invoiceId, 'issued', 'paid', paidDate));
};

/**
 * Per currency: the platform cost the feeds attributed to each consuming center against the base
 * of its invoice. Balanced when every difference is zero; usage metered after an invoice was
 * issued shows up here as a difference on that center.
 */
export const invoiceReconciliation = async (
  deps: PnlDeps,
  ctx: RequestContext,
  enterpriseId: string,
  month: string,
) => {
  requireEnterpriseAccess(ctx.caller, enterpriseId);
  const [centers, entries, invoices] = await Promise.all([
    deps.store.listCostCenters(enterpriseId),
    deps.store.costEntriesOfEnterprise(enterpriseId, month),
    deps.store.invoicesOf(enterpriseId, month),
  ]);
  const platform = platformOf(centers);
  const allocated = allocatedCosts(entries, platform);
  const currencies = [
    ...new Set([...allocated.map((e) => e.currency), ...invoices.map((i) => i.currency)]),
  ].sort();
  return {
    items: currencies.map((currency) => {
      const consumers = [
        ...new Set([
          ...allocated.filter((e) => e.currency === currency).map((e) => e.costCenterId),
          ...invoices.filter((i) => i.currency === currency).map((i) => i.consumerCostCenterId),
        ]),
      ]
        .sort()
        .map((costCenterId) => {
          const cost = sumOf(
            allocated
              .filter((e) => e.currency === currency && e.costCenterId === costCenterId)
              .map((e) => e.amount),
          );
          const invoice = invoices.find(
            (i) => i.currency === currency && i.consumerCostCenterId === costCenterId,
          );
          const invoiced = decimal(invoice?.baseAmount ?? '0');
          return {
            costCenterId,
            allocated: moneyString(cost),
            invoiced: moneyString(invoiced),
            difference: moneyString(cost.minus(invoiced)),
            invoiceStatus: invoice?.status ?? null,
          };
        });
      const allocatedPlatformCost = sumOf(consumers.map((row) => row.allocated));
      const invoicedBase = sumOf(consumers.map((row) => row.invoiced));
      return {
        month,
        currency,
        allocatedPlatformCost: moneyString(allocatedPlatformCost),
        invoicedBase: moneyString(invoicedBase),
        difference: moneyString(allocatedPlatformCost.minus(invoicedBase)),
        balanced: consumers.every((row) => decimal(row.difference).isZero()),
        consumers,
      };
    }),
  };
};
