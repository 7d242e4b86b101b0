import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../shared/domain/errors';
import { hoursInMonth, monthlySelfHostedCost } from '../../../../shared/domain/pnl/self-hosted';

const model = {
  currency: 'USD',
  gpuCount: 2,
  hardwareCostPerGpu: '30000',
  amortizationMonths: 36,
  powerKwPerGpu: '0.7',
  pricePerKwh: '0.15',
  hoursPerMonth: null,
  maintenanceMonthly: '500',
  personnelMonthly: '4000.005',
};

describe('hoursInMonth', () => {
  it('is days × 24, leap years included', () => {
    expect(hoursInMonth('2026-02')).toBe(672);
    expect(hoursInMonth('2028-02')).toBe(696);
    expect(hoursInMonth('2026-11')).toBe(720);
    expect(hoursInMonth('2026-12')).toBe(744);
    expect(() => hoursInMonth('2026-13')).toThrow(DomainError);
  });
});

describe('monthlySelfHostedCost', () => {
  it('books hardware, power, maintenance and personnel rounded to cents, and derives rates', () => {
    // hardware 2 × 30000 / 36 = 1666.666… → 1666.67; power 2 × 0.7 kW × 720 h × 0.15 = 151.20;
    // personnel 4000.005 → 4000.00 (half-even); total 6317.87 over 1440 GPU-hours and 500M tokens.
    expect(monthlySelfHostedCost(model, '2026-11', 500_000_000)).toEqual({
      currency: 'USD',
      hardware: '1666.67',
      power: '151.20',
      maintenance: '500.00',
      personnel: '4000.00',
      total: '6317.87',
      gpuHours: 1440,
      costPerGpuHour: '4.387409722222',
      tokensPerGpuHour: '347222.222222222222',
      costPerToken: '0.000012635740',
      costPerMillionTokens: '12.635740000000',
    });
  });

  it('uses the calendar hours of the month when hoursPerMonth is null', () => {
    // December: 744 h → power 2 × 0.7 × 744 × 0.15 = 156.24.
    const december = monthlySelfHostedCost(model, '2026-12', 0);
    expect(december.power).toBe('156.24');
    expect(december.gpuHours).toBe(1488);
    expect(december.total).toBe('6322.91');
  });

  it('uses fixed powered hours when set; no tokens → no per-token cost', () => {
    // hardware 10000 / 24 = 416.666… → 416.67; power 0.35 × 600 × 0.2 = 42.00; total 458.67 / 600 h.
    const cost = monthlySelfHostedCost(
      {
        ...model,
        gpuCount: 1,
        hardwareCostPerGpu: '10000',
        amortizationMonths: 24,
        powerKwPerGpu: '0.35',
        pricePerKwh: '0.2',
        hoursPerMonth: 600,
        maintenanceMonthly: '0',
        personnelMonthly: '0',
      },
      '2026-02',
      0,
    );
    expect(cost).toMatchObject({
      hardware: '416.67',
      power: '42.00',
      maintenance: '0.00',
      personnel: '0.00',
      total: '458.67',
      gpuHours: 600,
      costPerGpuHour: '0.764450000000',
      tokensPerGpuHour: '0.000000000000',
      costPerToken: null,
      costPerMillionTokens: null,
    });
  });

  it('rounds each booked part half-even, and the total is the sum of the rounded parts', () => {
    // hardware 1 × 0.25 / 2 = 0.125 → 0.12; power 1 × 1 × 0.5 × 0.05 = 0.025 → 0.02;
    // maintenance 0.015 → 0.02; personnel 0.005 → 0.00. Unrounded sum 0.165 would round to 0.16.
    const cost = monthlySelfHostedCost(
      {
        ...model,
        gpuCount: 1,
        hardwareCostPerGpu: '0.25',
        amortizationMonths: 2,
        powerKwPerGpu: '1',
        pricePerKwh: '0.05',
        hoursPerMonth: 0.5,
        maintenanceMonthly: '0.015',
        personnelMonthly: '0.005',
      },
      '2026-01',
      1,
    );
    expect([cost.hardware, cost.power, cost.maintenance, cost.personnel, cost.total]).toEqual([
      '0.12',
      '0.02',
      '0.02',
      '0.00',
      '0.16',
    ]);
    expect(cost.gpuHours).toBe(0.5);
    expect(cost.costPerToken).toBe('0.160000000000');
    expect(cost.costPerMillionTokens).toBe('160000.000000000000');
  });

  it('refuses models that cannot be priced', () => {
    expect(() => monthlySelfHostedCost({ ...model, gpuCount: 0 }, '2026-11', 1)).toThrow(
      'gpuCount must be a whole number of at least 1, got 0',
    );
    expect(() => monthlySelfHostedCost({ ...model, amortizationMonths: 0 }, '2026-11', 1)).toThrow(
      /amortizationMonths must be a whole number/,
    );
    expect(() => monthlySelfHostedCost({ ...model, hoursPerMonth: 0 }, '2026-11', 1)).toThrow(
      'hoursPerMonth must be more than 0, got 0',
    );
    expect(() => monthlySelfHostedCost({ ...model, pricePerKwh: '-0.1' }, '2026-11', 1)).toThrow(
      'pricePerKwh must not be negative, got -0.1',
    );
    expect(() => monthlySelfHostedCost(model, '2026-11', -1)).toThrow(/tokensServed/);
    expect(() => monthlySelfHostedCost(model, '2026-11', 1.5)).toThrow(/tokensServed/);
    expect(() => monthlySelfHostedCost(model, 'November', 1)).toThrow(DomainError);
  });
});
