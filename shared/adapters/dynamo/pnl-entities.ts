/**
 * ElectroDB entities of the virtual P&L (issue 6), in the same single table (key templates in
 * ACCESS_PATTERNS.md). A service of their own, like the bills one, so other functions do not build
 * them at cold start. Amounts are exact decimal strings.
 *
 * Free-form and nested values (cost and revenue details, budget categories, invoice lines, a
 * summary's figures) are stored as JSON text, as the bill items' tags are: they are only ever read
 * back whole, JSON text round-trips them exactly (nulls, empty strings, key order, decimal strings),
 * and no number in them passes through a DynamoDB Number. `null` fields are stored absent and read
 * back as `null` (pnl-store.ts).
 */
import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { COST_CATEGORIES, COST_SOURCES, PERIOD_TYPES, REVENUE_SOURCES } from '../../domain/pnl/types';
import { uniqueGuardEntity, withModelValidation } from './entities';

const service = 'tollgate';
const none = 'none' as const;

/** The facts' period attributes; `month` (`YYYY-MM`) is derived from them and used in the keys. */
const factPeriod = {
  recordDate: { type: 'string', required: true },
  periodYear: { type: 'number', required: true },
  periodQuarter: { type: 'number', required: true },
  periodMonth: { type: 'number', required: true },
  month: { type: 'string', required: true },
} as const;

const definePnlEntities = (client: DynamoDBDocumentClient, table: string) => {
  const config = { client, table };

  const costCenter = new Entity(
    {
      model: { entity: 'costCenter', version: '1', service },
      attributes: {
        costCenterId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        code: { type: 'string', required: true },
        name: { type: 'string', required: true },
        description: { type: 'string' },
        /** Absent for a root. */
        parentId: { type: 'string' },
        level: { type: 'number', required: true },
        path: { type: 'string', required: true },
        manager: { type: 'string' },
        department: { type: 'string' },
        hasBudgetAuthority: { type: 'boolean', required: true },
        /** Absent: no limit. */
        budgetLimit: { type: 'string' },
        currency: { type: 'string', required: true },
        isActive: { type: 'boolean', required: true },
        isPlatform: { type: 'boolean', required: true },
        groupIds: { type: 'list', items: { type: 'string' }, required: true },
        projectCodes: { type: 'list', items: { type: 'string' }, required: true },
        createdAt: { type: 'string', required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['costCenterId'], template: 'CC#${costCenterId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'COSTCENTER', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: { field: 'gsi1pk', composite: ['enterpriseId'], template: 'CCS#${enterpriseId}', casing: none },
          sk: { field: 'gsi1sk', composite: ['costCenterId'], template: '${costCenterId}', casing: none },
        },
      },
    },
    config,
  );

  const costEntry = new Entity(
    {
      model: { entity: 'costEntry', version: '1', service },
      attributes: {
        entryId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true },
        costCenterId: { type: 'string', required: true },
        ...factPeriod,
        category: { type: COST_CATEGORIES, required: true },
        costType: { type: 'string', required: true },
        costSubcategory: { type: 'string' },
        amount: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        description: { type: 'string' },
        /** JSON text. */
        costDetails: { type: 'string' },
        allocationMethod: { type: 'string' },
        allocationBasis: { type: 'string' },
        allocationPercentage: { type: 'string' },
        sourceSystem: { type: COST_SOURCES, required: true },
        sourceReference: { type: 'string', required: true },
        transactionId: { type: 'string' },
        createdAt: { type: 'string', required: true },
        createdBy: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['entryId'], template: 'COST#${entryId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'COST', casing: none },
        },
        byCenterMonth: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['costCenterId'],
            template: 'CCCOST#${costCenterId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['month', 'entryId'],
            template: '${month}#${entryId}',
            casing: none,
          },
        },
        byEnterpriseMonth: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            composite: ['enterpriseId', 'month'],
            template: 'PNLCOST#${enterpriseId}#${month}',
            casing: none,
          },
          sk: {
            field: 'gsi2sk',
            composite: ['sourceSystem', 'entryId'],
            template: '${sourceSystem}#${entryId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const revenue = new Entity(
    {
      model: { entity: 'revenue', version: '1', service },
      attributes: {
        revenueId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true },
        costCenterId: { type: 'string', required: true },
        ...factPeriod,
        revenueSource: { type: REVENUE_SOURCES, required: true },
        revenueSubcategory: { type: 'string' },
        amount: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        attributionMethod: { type: 'string', required: true },
        attributionConfidence: { type: 'string', required: true },
        contributionRatio: { type: 'string', required: true },
        customerId: { type: 'string' },
        customerTier: { type: 'string' },
        productFeature: { type: 'string' },
        description: { type: 'string' },
        /** JSON text. */
        revenueDetails: { type: 'string' },
        baselinePeriod: { type: 'string' },
        baselineAmount: { type: 'string' },
        incrementalAmount: { type: 'string' },
        origin: { type: ['manual', 'cost_savings'] as const, required: true },
        reference: { type: 'string', required: true },
        createdAt: { type: 'string', required: true },
        createdBy: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['revenueId'], template: 'REV#${revenueId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'REVENUE', casing: none },
        },
        byCenterMonth: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['costCenterId'],
            template: 'CCREV#${costCenterId}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['month', 'revenueId'],
            template: '${month}#${revenueId}',
            casing: none,
          },
        },
        byEnterpriseMonth: {
          index: 'gsi2',
          pk: {
            field: 'gsi2pk',
            composite: ['enterpriseId', 'month'],
            template: 'PNLREV#${enterpriseId}#${month}',
            casing: none,
          },
          sk: {
            field: 'gsi2sk',
            composite: ['origin', 'revenueId'],
            template: '${origin}#${revenueId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const budget = new Entity(
    {
      model: { entity: 'pnlBudget', version: '1', service },
      attributes: {
        costCenterId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        budgetYear: { type: 'number', required: true, readOnly: true },
        periodType: { type: PERIOD_TYPES, required: true, readOnly: true },
        budgetPeriod: { type: 'number', required: true, readOnly: true },
        totalBudget: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        /** JSON text of the category split. */
        categories: { type: 'string', required: true },
        revenueTarget: { type: 'string' },
        costSavingsTarget: { type: 'string' },
        roiTarget: { type: 'string' },
        status: { type: ['draft', 'approved', 'active', 'closed'] as const, required: true },
        approvalLevel: { type: 'number', required: true },
        description: { type: 'string' },
        createdAt: { type: 'string', required: true },
        createdBy: { type: 'string', required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byCenterPeriod: {
          pk: {
            field: 'pk',
            composite: ['costCenterId'],
            template: 'PNLBUDGET#${costCenterId}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['budgetYear', 'periodType', 'budgetPeriod'],
            template: '${budgetYear}#${periodType}#${budgetPeriod}',
            casing: none,
          },
        },
        byEnterpriseYear: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId', 'budgetYear'],
            template: 'PNLBUDGETS#${enterpriseId}#${budgetYear}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['costCenterId', 'periodType', 'budgetPeriod'],
            template: '${costCenterId}#${periodType}#${budgetPeriod}',
            casing: none,
          },
        },
        byStatus: {
          index: 'gsi2',
          pk: { field: 'gsi2pk', composite: ['status'], template: 'PNLBUDGETSTATUS#${status}', casing: none },
          sk: {
            field: 'gsi2sk',
            composite: ['enterpriseId', 'costCenterId', 'budgetYear', 'periodType', 'budgetPeriod'],
            template: '${enterpriseId}#${costCenterId}#${budgetYear}#${periodType}#${budgetPeriod}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const invoice = new Entity(
    {
      model: { entity: 'internalInvoice', version: '1', service },
      attributes: {
        invoiceId: { type: 'string', required: true, readOnly: true },
        billingId: { type: 'string', required: true },
        enterpriseId: { type: 'string', required: true },
        month: { type: 'string', required: true },
        billingDate: { type: 'string', required: true },
        providerCostCenterId: { type: 'string', required: true },
        consumerCostCenterId: { type: 'string', required: true },
        currency: { type: 'string', required: true },
        /** JSON text of the invoice lines. */
        lines: { type: 'string', required: true },
        allocationMethod: { type: 'string', required: true },
        baseAmount: { type: 'string', required: true },
        discountAmount: { type: 'string', required: true },
        taxAmount: { type: 'string', required: true },
        totalAmount: { type: 'string', required: true },
        status: { type: ['draft', 'issued', 'paid'] as const, required: true },
        dueDate: { type: 'string', required: true },
        paidDate: { type: 'string' },
        createdAt: { type: 'string', required: true },
        createdBy: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: { field: 'pk', composite: ['invoiceId'], template: 'INVOICE#${invoiceId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'INVOICE', casing: none },
        },
        byEnterpriseMonth: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId', 'month'],
            template: 'PNLINV#${enterpriseId}#${month}',
            casing: none,
          },
          sk: {
            field: 'gsi1sk',
            composite: ['consumerCostCenterId', 'invoiceId'],
            template: '${consumerCostCenterId}#${invoiceId}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const pnlSummary = new Entity(
    {
      model: { entity: 'pnlSummary', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        periodKey: { type: 'string', required: true, readOnly: true },
        costCenterId: { type: 'string', required: true, readOnly: true },
        currency: { type: 'string', required: true, readOnly: true },
        /** `C`: consolidated over the subtree; `O`: the center's own figures. */
        view: { type: ['C', 'O'] as const, required: true, readOnly: true },
        periodType: { type: PERIOD_TYPES, required: true },
        periodYear: { type: 'number', required: true },
        /** Absent for a year. */
        periodQuarter: { type: 'number' },
        /** Absent for a quarter or a year. */
        periodMonth: { type: 'number' },
        /** JSON text of the PnlFigures other than the currency (null ratios stay null). */
        figures: { type: 'string', required: true },
        generatedAt: { type: 'string', required: true },
        generatedBy: { type: 'string', required: true },
      },
      indexes: {
        byPeriod: {
          pk: {
            field: 'pk',
            composite: ['enterpriseId', 'periodKey'],
            template: 'PNLSUM#${enterpriseId}#${periodKey}',
            casing: none,
          },
          sk: {
            field: 'sk',
            composite: ['costCenterId', 'currency', 'view'],
            template: '${costCenterId}#${currency}#${view}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  /** An enterprise-month whose facts changed since its last rollup. */
  const dirtyMonth = new Entity(
    {
      model: { entity: 'pnlDirtyMonth', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        month: { type: 'string', required: true, readOnly: true },
        markedAt: { type: 'string', required: true },
      },
      indexes: {
        byMonth: {
          pk: { field: 'pk', composite: [], template: 'PNLDIRTY', casing: none },
          sk: {
            field: 'sk',
            composite: ['enterpriseId', 'month'],
            template: '${enterpriseId}#${month}',
            casing: none,
          },
        },
      },
    },
    config,
  );

  const pnlSettings = new Entity(
    {
      model: { entity: 'pnlSettings', version: '1', service },
      attributes: {
        enterpriseId: { type: 'string', required: true, readOnly: true },
        /** Absent: no reference price. */
        referenceCloudPricePerMillion: { type: 'string' },
        referenceCurrency: { type: 'string', required: true },
        discountPercent: { type: 'string', required: true },
        taxPercent: { type: 'string', required: true },
        paymentDays: { type: 'number', required: true },
        budgetThresholds: { type: 'list', items: { type: 'number' }, required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byEnterprise: {
          pk: { field: 'pk', composite: ['enterpriseId'], template: 'PNLSET#${enterpriseId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'SETTINGS', casing: none },
        },
      },
    },
    config,
  );

  const selfHostedModel = new Entity(
    {
      model: { entity: 'selfHostedModel', version: '1', service },
      attributes: {
        accountId: { type: 'string', required: true, readOnly: true },
        enterpriseId: { type: 'string', required: true, readOnly: true },
        currency: { type: 'string', required: true },
        gpuCount: { type: 'number', required: true },
        hardwareCostPerGpu: { type: 'string', required: true },
        amortizationMonths: { type: 'number', required: true },
        powerKwPerGpu: { type: 'string', required: true },
        pricePerKwh: { type: 'string', required: true },
        /** Absent: every hour of the month. */
        hoursPerMonth: { type: 'number' },
        maintenanceMonthly: { type: 'string', required: true },
        personnelMonthly: { type: 'string', required: true },
        createdAt: { type: 'string', required: true },
        updatedAt: { type: 'string', required: true },
      },
      indexes: {
        byAccount: {
          pk: { field: 'pk', composite: ['accountId'], template: 'SELFHOSTED#${accountId}', casing: none },
          sk: { field: 'sk', composite: [], template: 'MODEL', casing: none },
        },
        byEnterprise: {
          index: 'gsi1',
          pk: {
            field: 'gsi1pk',
            composite: ['enterpriseId'],
            template: 'SELFHOSTEDS#${enterpriseId}',
            casing: none,
          },
          sk: { field: 'gsi1sk', composite: ['accountId'], template: '${accountId}', casing: none },
        },
      },
    },
    config,
  );

  return new Service(
    {
      costCenter,
      /** Cost center codes: scope `CCCODE#<enterpriseId>`, value the code, owner the center's id. */
      uniqueGuard: uniqueGuardEntity(config),
      costEntry,
      revenue,
      budget,
      invoice,
      pnlSummary,
      dirtyMonth,
      pnlSettings,
      selfHostedModel,
    },
    config,
  );
};

export type PnlService = ReturnType<typeof definePnlEntities>;

export const buildPnlEntities = (
  client: DynamoDBDocumentClient,
  table: string,
  { validateModels = false }: { validateModels?: boolean } = {},
): PnlService => withModelValidation(validateModels, () => definePnlEntities(client, table));
