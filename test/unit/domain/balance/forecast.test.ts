import { describe, expect, it } from 'vitest';
import { forecastDepletion } from '../../../../shared/domain/balance/forecast';

const day = (n: number, hours = 0) => new Date(Date.UTC(2026, 10, 1 + n, hours)).toISOString();

describe('forecastDepletion', () => {
  it('linear drain: 10 a day from 100 over 5 days leaves 50, which lasts 5 more days', () => {
    const readings = [0, 1, 2, 3, 4, 5].map((n) => ({ at: day(n), balance: String(100 - 10 * n) }));
    expect(forecastDepletion(readings)).toEqual({
      balance: '50',
      consumed: '50',
      dailyConsumption: '10.000000',
      daysUntilZero: '5.0',
      depletesAt: day(10),
      points: 6,
    });
  });

  it('flat: no consumption, no depletion date', () => {
    const readings = [0, 1, 2].map((n) => ({ at: day(n), balance: '42.50' }));
    expect(forecastDepletion(readings)).toMatchObject({
      balance: '42.5',
      consumed: '0',
      dailyConsumption: '0',
      daysUntilZero: null,
      depletesAt: null,
    });
  });

  it('top-up in the middle: only the drops count as consumption', () => {
    // 100 → 80 → 60, top-up to 160, → 140 → 120: 80 spent over 5 days, 16 a day, 120 left = 7.5 days.
    const balances = ['100', '80', '60', '160', '140', '120'];
    const readings = balances.map((balance, n) => ({ at: day(n), balance }));
    const forecast = forecastDepletion(readings)!;
    expect(forecast.consumed).toBe('80');
    expect(forecast.dailyConsumption).toBe('16.000000');
    expect(forecast.daysUntilZero).toBe('7.5');
    expect(forecast.depletesAt).toBe(day(12, 12));
  });

  it('keeps decimals exact and rounds the days down', () => {
    // 0.1 + 0.2 drops in 1 day, 0.7 left: 0.7 / 0.3 = 2.333… days → 2.3.
    const readings = [
      { at: day(0), balance: '1.0' },
      { at: day(0, 12), balance: '0.9' },
      { at: day(1), balance: '0.7' },
    ];
    const forecast = forecastDepletion(readings)!;
    expect(forecast.consumed).toBe('0.3');
    expect(forecast.daysUntilZero).toBe('2.3');
  });

  it('sorts readings and handles one reading, none, and an exhausted balance', () => {
    expect(forecastDepletion([])).toBeNull();
    expect(forecastDepletion([{ at: day(0), balance: '5' }])).toMatchObject({
      daysUntilZero: null,
      points: 1,
    });
    const exhausted = [
      { at: day(1), balance: '-2' },
      { at: day(0), balance: '8' },
    ];
    expect(forecastDepletion(exhausted)).toMatchObject({
      balance: '-2',
      consumed: '10',
      daysUntilZero: '0.0',
      depletesAt: day(1),
    });
  });
});
