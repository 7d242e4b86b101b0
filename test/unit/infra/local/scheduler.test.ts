import { Cron } from 'croner';
import { describe, expect, it, vi } from 'vitest';
import { functions } from '../../../../infra/manifest';
import {
  ScheduleExpressionError,
  scheduledEvent,
  startSchedules,
  translateSchedule,
  type ScheduleTrigger,
} from '../../../../infra/local/scheduler';

const cronPattern = (expression: string): string => {
  const trigger = translateSchedule(expression);
  if (trigger.kind !== 'cron') throw new Error('expected a cron trigger');
  return trigger.pattern;
};

/** The next runs after 2025-01-01T00:00Z (a Wednesday), as ISO strings. */
const nextRuns = (expression: string, count = 3): string[] => {
  const trigger = translateSchedule(expression) as Extract<ScheduleTrigger, { kind: 'cron' }>;
  const cron = new Cron(trigger.pattern, { ...trigger.options, paused: true });
  const runs = cron.nextRuns(count, new Date('2025-01-01T00:00:00Z')).map((d) => d.toISOString());
  cron.stop();
  return runs;
};

describe('translateSchedule: rate()', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(12 hours)', 43_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(7 days)', 604_800_000],
    ['  rate( 2 hours )  ', 7_200_000],
  ])('%s', (expression, everyMs) => {
    expect(translateSchedule(expression)).toEqual({ kind: 'rate', everyMs });
  });

  it.each([
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(0 minutes)', /positive/],
    ['rate(-1 minutes)', /positive integer/],
    ['rate(1.5 hours)', /positive integer/],
    ['rate(1 week)', /minute\|minutes/],
    ['rate(10 seconds)', /minute\|minutes/],
    ['rate()', /positive integer/],
  ])('rejects %s', (expression, message) => {
    expect(() => translateSchedule(expression)).toThrow(ScheduleExpressionError);
    expect(() => translateSchedule(expression)).toThrow(message);
  });
});

describe('translateSchedule: cron()', () => {
  it.each([
    // EventBridge: minutes hours day-of-month month day-of-week year → croner: 0 + the six fields.
    ['cron(0 12 * * ? *)', '0 0 12 * * * *'],
    ['cron(15 10 ? * 6L 2025-2030)', '0 15 10 * * 5#L 2025-2030'],
    ['cron(0/15 * * * ? *)', '0 0-59/15 * * * * *'],
    ['cron(*/10 8-17 ? * MON-FRI *)', '0 */10 8-17 * * MON-FRI *'],
    ['cron(0 18 ? * 2-6 *)', '0 0 18 * * 1-5 *'],
    ['cron(0 8 1 * ? *)', '0 0 8 1 * * *'],
    ['cron(0 9 ? * 1,7 *)', '0 0 9 * * 0,6 *'],
    ['cron(0 9 ? * 6#3 *)', '0 0 9 * * 5#3 *'],
    ['cron(0 9 ? * fri#1 *)', '0 0 9 * * FRI#1 *'],
    ['cron(0 9 ? * L *)', '0 0 9 * * 6 *'],
    ['cron(0 0 L * ? *)', '0 0 0 L * * *'],
    ['cron(0 0 LW * ? *)', '0 0 0 LW * * *'],
    ['cron(0 0 15W * ? *)', '0 0 0 15W * * *'],
    ['cron(30 6 ? jan-mar,DEC MON *)', '0 30 6 * JAN-MAR,DEC MON *'],
    ['cron(0 0 1/5 * ? *)', '0 0 0 1-31/5 * * *'],
  ])('%s → %s', (expression, pattern) => {
    expect(cronPattern(expression)).toBe(pattern);
  });

  it('runs when EventBridge would (UTC, 1-7 = SUN-SAT, ? in either day field)', () => {
    expect(nextRuns('cron(0 12 * * ? *)')).toEqual([
      '2025-01-01T12:00:00.000Z',
      '2025-01-02T12:00:00.000Z',
      '2025-01-03T12:00:00.000Z',
    ]);
    // 2 = MON in EventBridge.
    expect(nextRuns('cron(0 10 ? * 2 *)', 2)).toEqual([
      '2025-01-06T10:00:00.000Z',
      '2025-01-13T10:00:00.000Z',
    ]);
    expect(nextRuns('cron(0 10 ? * MON *)', 2)).toEqual([
      '2025-01-06T10:00:00.000Z',
      '2025-01-13T10:00:00.000Z',
    ]);
    // 6L = last Friday of the month.
    expect(nextRuns('cron(0 10 ? * 6L *)', 2)).toEqual([
      '2025-01-31T10:00:00.000Z',
      '2025-02-28T10:00:00.000Z',
    ]);
    expect(nextRuns('cron(0 10 ? * 6#3 *)', 1)).toEqual(['2025-01-17T10:00:00.000Z']);
    expect(nextRuns('cron(0 0 L * ? *)', 2)).toEqual([
      '2025-01-31T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
    ]);
    // 15 Feb 2025 is a Saturday: the nearest weekday is Friday the 14th.
    expect(nextRuns('cron(0 0 15W 2 ? 2025)', 1)).toEqual(['2025-02-14T00:00:00.000Z']);
    expect(nextRuns('cron(0 0 1 1 ? 2027)', 1)).toEqual(['2027-01-01T00:00:00.000Z']);
  });

  it.each([
    ['cron(0 12 * * *)', /6 fields/],
    ['cron(0 12 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 12 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 12 * * ? *)', /minutes must be 0-59/],
    ['cron(0 24 * * ? *)', /hours must be 0-23/],
    ['cron(0 12 32 * ? *)', /day-of-month must be 1-31/],
    ['cron(0 12 * 13 ? *)', /month must be 1-12/],
    ['cron(0 12 ? * 0 *)', /day-of-week must be 1-7/],
    ['cron(0 12 ? * 8 *)', /day-of-week must be 1-7/],
    ['cron(0 12 ? * 2/2 *)', /does not allow "\/"/],
    ['cron(0 12 ? * MON#6 *)', /#1-#5/],
    ['cron(0 12 * * ? 1969)', /year must be 1970-2199/],
    ['cron(0 12 L-3 * ? *)', /L-n/],
    ['cron(0 12 * FOO ? *)', /not valid in month/],
    ['cron(0 12 * * ? *) extra', /expected rate\(\.\.\.\) or cron\(\.\.\.\)/],
    ['at(2025-01-01T00:00:00)', /one-time/],
    ['every 5 minutes', /expected rate/],
    ['cron(0 1,,2 * * ? *)', /not valid in hours/],
  ])('rejects %s', (expression, message) => {
    expect(() => translateSchedule(expression)).toThrow(ScheduleExpressionError);
    expect(() => translateSchedule(expression)).toThrow(message);
  });

  it('accepts every schedule in the manifest', () => {
    for (const spec of functions) {
      if ('schedule' in spec && spec.schedule) expect(() => translateSchedule(spec.schedule)).not.toThrow();
    }
  });
});

describe('startSchedules', () => {
  const spec = {
    name: 'tick',
    entry: 'test-only',
    description: 'test',
    schedule: 'rate(1 hour)',
    memoryMb: 128,
    timeoutSeconds: 5,
    needs: {},
  };

  it('runs a job now with the payload EventBridge Scheduler sends', async () => {
    const events: unknown[] = [];
    const schedules = startSchedules(
      [spec, { ...spec, name: 'no-schedule', schedule: undefined }],
      async (s, event) => {
        events.push({ name: s.name, event });
        return 'done';
      },
    );
    try {
      expect(schedules.jobs.map((j) => j.name)).toEqual(['tick']);
      expect(schedules.jobs[0]!.nextRun()!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
      await expect(schedules.runJobNow('tick')).resolves.toBe('done');
      expect(events).toEqual([
        {
          name: 'tick',
          event: {
            version: '0',
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            'detail-type': 'Scheduled Event',
            source: 'aws.scheduler',
            account: '000000000000',
            time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            region: 'us-east-1',
            resources: ['arn:aws:scheduler:us-east-1:000000000000:schedule/default/tollgate-local-tick'],
            detail: '{}',
          },
        },
      ]);
      await expect(schedules.runJobNow('nope')).rejects.toThrow(/No scheduled job "nope".*tick/);
    } finally {
      schedules.stop();
    }
  });

  it('fires rate schedules on their interval', async () => {
    vi.useFakeTimers();
    try {
      let runs = 0;
      const schedules = startSchedules([{ ...spec, schedule: 'rate(5 minutes)' }], async () => {
        runs++;
      });
      await vi.advanceTimersByTimeAsync(5 * 60_000 * 3 + 1);
      schedules.stop();
      await vi.advanceTimersByTimeAsync(5 * 60_000 * 3);
      expect(runs).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('builds a fresh event per run', () => {
    expect(scheduledEvent('a').id).not.toBe(scheduledEvent('a').id);
  });
});
