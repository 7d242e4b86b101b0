/**
 * Monthly cost of a self-hosted model (e.g. gpt-oss on vLLM): amortized GPUs, power, maintenance
 * and personnel. The category amounts are what the monthly feed books as cost entries, so they
 * are rounded to cents once, here, and the total is the sum of the booked amounts.
 */
import { daysInMonth } from '../bills/periods';
import { invalid } from '../errors';
import { decimal } from '../money';
import { moneyString, ratio, rounded, sumOf } from './amounts';
import { parseMonthKey } from './periods';

/** The cost-model fields of a self-hosted model record (SelfHostedModelRecord in the P&L port). */
export interface SelfHostedCostModel {
  currency: string;
  gpuCount: number;
  hardwareCostPerGpu: string;
  amortizationMonths: number;
  powerKwPerGpu: string;
  pricePerKwh: string;
  /** Powered hours a month; null: every hour of the month. */
  hoursPerMonth: number | null;
  maintenanceMonthly: string;
  personnelMonthly: string;
}

export interface SelfHostedMonthlyCost {
  currency: string;
  /** Booked amounts, 2 places (half-even); total is their sum. */
  hardware: string;
  power: string;
  maintenance: string;
  personnel: string;
  total: string;
  gpuHours: number;
  /** Derived rates from the booked total, 12 places (half-even). */
  costPerGpuHour: string;
  tokensPerGpuHour: string;
  costPerToken: string | null;
  costPerMillionTokens: string | null;
}

const RATE_PLACES = 12;

/** Hours in a `YYYY-MM` month: UTC calendar days × 24. */
export const hoursInMonth = (month: string): number => {
  parseMonthKey(month);
  return daysInMonth(month) * 24;
};

const nonNegative = (field: string, value: string): void => {
  if (decimal(value).lessThan(0))
    throw invalid(`${field} must not be negative, got ${value}`, { field, value });
};

/**
 * Checks a cost model: at least one GPU, amortization over at least one month, powered hours (when
 * set) a positive number, and no negative prices. Without GPUs or hours there are no GPU-hours to
 * price, so those are refused rather than producing a division by zero in the monthly rollup.
 */
export const checkSelfHostedModel = (model: SelfHostedCostModel): void => {
  if (!/^[A-Z]{3}$/.test(model.currency)) {
    throw invalid(`"${model.currency}" is not a currency code`, { field: 'currency' });
  }
  if (!Number.isSafeInteger(model.gpuCount) || model.gpuCount < 1) {
    throw invalid(`gpuCount must be a whole number of at least 1, got ${model.gpuCount}`, {
      field: 'gpuCount',
    });
  }
  if (!Number.isSafeInteger(model.amortizationMonths) || model.amortizationMonths < 1) {
    throw invalid(
      `amortizationMonths must be a whole number of at least 1, got ${model.amortizationMonths}`,
      {
        field: 'amortizationMonths',
      },
    );
  }
  if (model.hoursPerMonth !== null && !(Number.isFinite(model.hoursPerMonth) && model.hoursPerMonth > 0)) {
    throw invalid(`hoursPerMonth must be more than 0, got ${model.hoursPerMonth}`, {
      field: 'hoursPerMonth',
    });
  }
  nonNegative('hardwareCostPerGpu', model.hardwareCostPerGpu);
  nonNegative('powerKwPerGpu', model.powerKwPerGpu);
  nonNegative('pricePerKwh', model.pricePerKwh);
  nonNegative('maintenanceMonthly', model.maintenanceMonthly);
  nonNegative('personnelMonthly', model.personnelMonthly);
};

/**
 * The model's cost for `month` and its unit rates for `tokensServed`:
 * hardware = gpuCount × hardwareCostPerGpu / amortizationMonths,
 * power = gpuCount × powerKwPerGpu × hours × pricePerKwh (hours = hoursPerMonth ?? hoursInMonth(month)),
 * maintenance and personnel as given; rates are computed from the booked total.
 */
export const monthlySelfHostedCost = (
  model: SelfHostedCostModel,
  month: string,
  tokensServed: number,
): SelfHostedMonthlyCost => {
  checkSelfHostedModel(model);
  parseMonthKey(month);
  if (!Number.isSafeInteger(tokensServed) || tokensServed < 0) {
    throw invalid(`tokensServed must be a non-negative integer, got ${tokensServed}`, { tokensServed });
  }
  // Powered hours may be fractional (e.g. 730.5); the shortest float repr is the figure as entered.
  const hours = decimal(model.hoursPerMonth === null ? hoursInMonth(month) : String(model.hoursPerMonth));
  const gpus = decimal(model.gpuCount);

  const hardware = rounded(gpus.times(model.hardwareCostPerGpu).dividedBy(model.amortizationMonths), 2);
  const power = rounded(gpus.times(model.powerKwPerGpu).times(hours).times(model.pricePerKwh), 2);
  const maintenance = rounded(model.maintenanceMonthly, 2);
  const personnel = rounded(model.personnelMonthly, 2);
  const total = sumOf([hardware, power, maintenance, personnel]);
  const gpuHours = gpus.times(hours);
  const tokens = decimal(tokensServed);

  return {
    currency: model.currency,
    hardware,
    power,
    maintenance,
    personnel,
    total: moneyString(total),
    gpuHours: gpuHours.toNumber(),
    costPerGpuHour: ratio(total, gpuHours, RATE_PLACES)!,
    tokensPerGpuHour: ratio(tokens, gpuHours, RATE_PLACES)!,
    costPerToken: ratio(total, tokens, RATE_PLACES),
    costPerMillionTokens: ratio(total.times(1_000_000), tokens, RATE_PLACES),
  };
};
