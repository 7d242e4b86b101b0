/**
 * What a monthly AI cost report is written from: one enterprise's month, gathered once by the report
 * workflow and then handed, unchanged, to the template and to the LLM. Plain JSON-serializable data
 * (it travels through the workflow's state), so both writers see exactly the same numbers and the
 * LLM's answer can be checked against the template's totals.
 *
 * Money: every amount is an exact decimal string (no exponent, no rounding; at most 14 decimal
 * places, the API's DecimalString) in `currency`, except balances, which carry their own currency.
 */
import type { Severity } from '../bills/anomalies';

export interface ReportFacts {
  /** The reported month, `YYYY-MM`. */
  periodMonth: string;
  /** Display name of the enterprise, used in the title and the e-mail subject. */
  enterpriseName: string;
  /** ISO 4217 reporting currency of every amount below (the snapshot's reporting currency). */
  currency: string;
  /** Version of the published bill snapshot the facts were read from (the report's `sourceSnapshotVersion`). */
  snapshotVersion: number;

  /** Cloud bills, from the period's monthly cost snapshots under provider `all`. */
  cloud: {
    /** Grand total of the month's cloud bills. */
    total: string;
    /** The previous month's grand total; null when there is none to compare with. */
    previousTotal: string | null;
    /** Each provider's total. */
    byProvider: { provider: string; amount: string }[];
    /** The largest normalized services (`service` dimension keys), largest first. */
    topServices: { key: string; amount: string }[];
    /** The largest projects (`project` dimension; untagged items under `(untagged)`), largest first. */
    topProjects: { key: string; amount: string }[];
    /** The largest cloud accounts (`account` dimension keys), largest first. */
    topAccounts: { key: string; amount: string }[];
  };

  /** Tollgate's own AI gateway: the month's metered usage, in `currency`. */
  gateway: {
    /** Cost of every request the gateway served this month. */
    cost: string;
    /**
     * The previous month's gateway cost, when known. Absent or null: unknown, and the report's
     * previous total then covers the cloud only (see templateReport).
     */
    previousCost?: string | null;
    /** Prompt + completion tokens. */
    tokens: number;
    requests: number;
    /** The groups that cost most, largest first. */
    topGroups: { groupId: string; name: string; cost: string; tokens: number }[];
    /** The models that cost most, largest first. */
    topModels: { model: string; cost: string; tokens: number }[];
  };

  /** The month's open cost anomalies. */
  anomalies: {
    /** `spike`, `budget_overrun`, `untagged_cost`, ... */
    kind: string;
    /** What it is about, e.g. `service:compute` or `project:(untagged)`. */
    scope: string;
    severity: Severity;
    /** The amount it rests on (e.g. the month's cost of the scope); null when it has none. */
    amount: string | null;
    /** One human-readable sentence (the anomaly's title). */
    message: string;
  }[];

  /** Cloud budgets of the month with their actual spend. */
  budgets: {
    name: string;
    /** e.g. `all:all`, `provider:aws`, `project:p-1`. */
    scope: string;
    /** The monthly budget. */
    amount: string;
    /** What the scope spent this month. */
    actual: string;
    /** actual / amount in percent (a decimal string such as "85.5000"); null when not computable. */
    utilizationPercent: string | null;
  }[];

  /** The consolidated virtual P&L of the month; null when there is none in `currency`. */
  pnl: {
    totalCosts: string;
    totalRevenues: string;
    /** totalRevenues − totalCosts. */
    netProfit: string;
    /** netProfit / totalCosts as a ratio (e.g. "0.250000" is 25 %); null when there are no costs. */
    roi: string | null;
  } | null;

  /** Monitored provider balances, lowest runway first. */
  balances: {
    name: string;
    /** Balance provider, e.g. `openai`, `deepseek`. */
    provider: string;
    /** Last read balance, exact, in the balance's own `currency`. */
    balance: string;
    currency: string;
    /** Whole days until the balance reaches zero at the recent burn rate; null when it does not fall. */
    daysUntilZero: number | null;
  }[];
}
