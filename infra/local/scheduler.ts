/**
 * EventBridge Scheduler for the local runtime: the manifest's schedule expressions, translated to
 * croner (cron) or a timer (rate), invoking the same handlers with the payload Scheduler sends.
 *
 * Supported: `rate(N minute|minutes|hour|hours|day|days)` (singular only for 1, as EventBridge
 * requires) and `cron(minutes hours day-of-month month day-of-week year)` with `, - * / ?`, month
 * and weekday names, day-of-week 1-7 = SUN-SAT, `L` (last day of month; alone in day-of-week:
 * Saturday; `nL`: last weekday n of the month), `W` (`15W`, `LW`) and `#` (`6#3`, `FRI#3`). All
 * times are UTC (Scheduler's default time zone).
 * Not supported, and rejected with an error: `at(...)` one-time schedules, `L-n` offsets,
 * `ScheduleExpressionTimezone`, flexible time windows and Scheduler's retry policy (a failed run is
 * logged, not retried).
 */
import { randomUUID } from 'node:crypto';
import { Cron } from 'croner';
import type { ScheduledEvent } from 'aws-lambda';
import type { FunctionSpec } from '../manifest';
import { errorMessage, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './lambda';

export type ScheduleTrigger =
  | { readonly kind: 'rate'; readonly everyMs: number }
  | {
      readonly kind: 'cron';
      /** croner 7-part pattern: second minute hour day-of-month month day-of-week year. */
      readonly pattern: string;
      readonly options: { readonly timezone: 'UTC'; readonly mode: '7-part'; readonly domAndDow: true };
    };

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`Unsupported schedule expression "${expression}": ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

const RATE_UNITS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

const translateRate = (expression: string, body: string): ScheduleTrigger => {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match)
    throw new ScheduleExpressionError(
      expression,
      'expected rate(<positive integer> minute|minutes|hour|hours|day|days)',
    );
  const value = Number(match[1]);
  const unit = match[2]!;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ScheduleExpressionError(expression, 'the rate must be a positive integer');
  const plural = unit.endsWith('s');
  if (value === 1 && plural)
    throw new ScheduleExpressionError(
      expression,
      `use the singular unit for 1 (rate(1 ${unit.slice(0, -1)}))`,
    );
  if (value > 1 && !plural)
    throw new ScheduleExpressionError(
      expression,
      `use the plural unit for ${value} (rate(${value} ${unit}s))`,
    );
  const singular = (plural ? unit.slice(0, -1) : unit) as keyof typeof RATE_UNITS;
  return { kind: 'rate', everyMs: value * RATE_UNITS[singular] };
};

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTHS },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  year: { name: 'year', min: 1970, max: 2199 },
} as const satisfies Record<string, FieldRule>;

/** A number or (where the field allows) a name, validated; returned as written. */
const value = (expression: string, rule: FieldRule, token: string): string => {
  const upper = token.toUpperCase();
  if (rule.names?.includes(upper)) return upper;
  if (!/^\d+$/.test(token))
    throw new ScheduleExpressionError(expression, `"${token}" is not valid in ${rule.name}`);
  const n = Number(token);
  if (n < rule.min || n > rule.max) {
    throw new ScheduleExpressionError(
      expression,
      `${rule.name} must be ${rule.min}-${rule.max}, got ${token}`,
    );
  }
  return String(n);
};

/**
 * `*`, `a`, `a-b`, `a/s`, `a-b/s`, `* /s` and lists of them. Quartz-style `a/s` (from a, every s)
 * becomes croner's `a-max/s`. `mapValue` renumbers (day-of-week).
 */
const translateList = (
  expression: string,
  rule: FieldRule,
  field: string,
  mapValue: (v: string) => string = (v) => v,
): string =>
  field
    .split(',')
    .map((part) => {
      const [range, step, extra] = part.split('/');
      if (extra !== undefined || range === undefined || range === '') {
        throw new ScheduleExpressionError(expression, `"${part}" is not valid in ${rule.name}`);
      }
      let stepText = '';
      if (step !== undefined) {
        if (!/^\d+$/.test(step) || Number(step) < 1)
          throw new ScheduleExpressionError(expression, `bad step "${step}" in ${rule.name}`);
        stepText = `/${Number(step)}`;
      }
      if (range === '*') return `*${stepText}`;
      const bounds = range.split('-');
      if (bounds.length > 2)
        throw new ScheduleExpressionError(expression, `"${range}" is not valid in ${rule.name}`);
      const [from, to] = bounds.map((b) => mapValue(value(expression, rule, b)));
      if (to !== undefined) return `${from}-${to}${stepText}`;
      // `a/s` means "from a to the end, every s"; croner only accepts that as a range.
      return step !== undefined ? `${from}-${mapValue(String(rule.max))}${stepText}` : from!;
    })
    .join(',');

const rejectChars = (expression: string, rule: FieldRule, field: string, allowed: RegExp) => {
  if (!allowed.test(field))
    throw new ScheduleExpressionError(expression, `"${field}" uses characters ${rule.name} does not allow`);
};

/** EventBridge 1-7 (SUN-SAT) → croner 0-6; names stay names. */
const weekdayToCroner = (v: string): string => (/^\d+$/.test(v) ? String(Number(v) - 1) : v);

const translateDayOfMonth = (expression: string, raw: string): string => {
  const rule = FIELDS.dayOfMonth;
  const field = raw.toUpperCase();
  if (field === 'L' || field === 'LW') return field;
  if (/^L-/.test(field)) throw new ScheduleExpressionError(expression, '"L-n" offsets are not supported');
  const nearest = /^(\d+)W$/.exec(field);
  if (nearest) return `${value(expression, rule, nearest[1]!)}W`;
  rejectChars(expression, rule, field, /^[\d,\-*/]+$/);
  return translateList(expression, rule, field);
};

const translateDayOfWeek = (expression: string, field: string): string => {
  const rule = FIELDS.dayOfWeek;
  const upper = field.toUpperCase();
  if (upper === 'L') return '6'; // alone, L is the last day of the week: Saturday
  const last = /^([A-Z]{3}|\d)L$/.exec(upper);
  if (last) return `${weekdayToCroner(value(expression, rule, last[1]!))}#L`;
  const nth = /^([A-Z]{3}|\d)#(\d)$/.exec(upper);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new ScheduleExpressionError(expression, `"#${nth[2]}" must be #1-#5`);
    return `${weekdayToCroner(value(expression, rule, nth[1]!))}#${n}`;
  }
  if (upper.includes('/')) throw new ScheduleExpressionError(expression, 'day-of-week does not allow "/"');
  rejectChars(expression, rule, upper, /^[A-Z\d,\-*]+$/);
  return translateList(expression, rule, upper, weekdayToCroner);
};

/**
 * The croner pattern for the six fields of an EventBridge `cron(...)`; exactly one of
 * day-of-month and day-of-week must be `?`, as in EventBridge.
 */
export const translateCronFields = (expression: string, body: string): string => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  }
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(expression, 'exactly one of day-of-month and day-of-week must be "?"');
  }
  for (const [rule, field] of [
    [FIELDS.minutes, minutes],
    [FIELDS.hours, hours],
    [FIELDS.month, month],
    [FIELDS.year, year],
  ] as const) {
    rejectChars(expression, rule, field, rule === FIELDS.month ? /^[A-Za-z\d,\-*/]+$/ : /^[\d,\-*/]+$/);
  }
  return [
    '0',
    translateList(expression, FIELDS.minutes, minutes),
    translateList(expression, FIELDS.hours, hours),
    dom === '?' ? '*' : translateDayOfMonth(expression, dom),
    translateList(expression, FIELDS.month, month.toUpperCase()),
    dow === '?' ? '*' : translateDayOfWeek(expression, dow),
    translateList(expression, FIELDS.year, year),
  ].join(' ');
};

/** Translates a manifest schedule expression (EventBridge syntax) for the local scheduler. */
export const translateSchedule = (expression: string): ScheduleTrigger => {
  const match = /^\s*(rate|cron|at)\((.*)\)\s*$/.exec(expression);
  if (!match) throw new ScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
  const [, kind, body] = match as unknown as [string, 'rate' | 'cron' | 'at', string];
  if (kind === 'at')
    throw new ScheduleExpressionError(expression, 'one-time at(...) schedules are not supported locally');
  if (kind === 'rate') return translateRate(expression, body);
  const pattern = translateCronFields(expression, body);
  const options = { timezone: 'UTC', mode: '7-part', domAndDow: true } as const;
  try {
    // Let croner parse it once now, so a bad pattern fails at start-up, not at the first tick.
    new Cron(pattern, { ...options, paused: true }).stop();
  } catch (err) {
    throw new ScheduleExpressionError(expression, `croner rejected "${pattern}": ${errorMessage(err)}`);
  }
  return { kind: 'cron', pattern, options };
};

// ---- running schedules ----

export const scheduleArn = (name: string): string =>
  `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:schedule/default/tollgate-local-${name}`;

/**
 * What EventBridge Scheduler delivers to a Lambda target without `input` (the jobs stack sets
 * none): an EventBridge-shaped event whose `detail` is the string "{}".
 */
export const scheduledEvent = (name: string, time: Date = new Date()): ScheduledEvent<string> => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: LOCAL_ACCOUNT_ID,
  time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: LOCAL_REGION,
  resources: [scheduleArn(name)],
  detail: '{}',
});

/** What runs on a schedule: a manifest function, or a workflow (its state machine). */
export type ScheduledSpec = Pick<FunctionSpec, 'name' | 'schedule'>;

export type InvokeScheduled = (spec: ScheduledSpec, event: ScheduledEvent<string>) => Promise<unknown>;

export interface ScheduledJob {
  readonly name: string;
  readonly expression: string;
  /** Next automatic run, if known. */
  nextRun(): Date | null;
}

export interface Schedules {
  readonly jobs: readonly ScheduledJob[];
  /** Runs a scheduled function now (CLI/API "run job"); resolves with its result. */
  runJobNow(name: string): Promise<unknown>;
  stop(): void;
}

export interface ScheduleOptions {
  log?: (line: string) => void;
}

/**
 * Starts one timer per spec with a `schedule`. A run that is still going when the next is due is
 * skipped (Lambda would run them concurrently; locally one at a time is easier to read).
 */
export function startSchedules(
  specs: readonly ScheduledSpec[],
  invoke: InvokeScheduled,
  options: ScheduleOptions = {},
): Schedules {
  const log = options.log ?? (() => undefined);
  const stops: (() => void)[] = [];
  const jobs: ScheduledJob[] = [];
  const byName = new Map<string, ScheduledSpec>();
  const busy = new Set<string>();

  const run = async (spec: ScheduledSpec, manual: boolean): Promise<unknown> => {
    const started = Date.now();
    try {
      const result = await invoke(spec, scheduledEvent(spec.name));
      log(`[schedule] ${spec.name}${manual ? ' (run now)' : ''} ok in ${Date.now() - started} ms`);
      return result;
    } catch (err) {
      log(`[schedule] ${spec.name}${manual ? ' (run now)' : ''} failed: ${errorMessage(err)}`);
      throw err;
    }
  };

  const tick = (spec: ScheduledSpec) => {
    if (busy.has(spec.name)) {
      log(`[schedule] ${spec.name}: previous run still going, skipped`);
      return;
    }
    busy.add(spec.name);
    run(spec, false)
      .catch(() => undefined)
      .finally(() => busy.delete(spec.name));
  };

  for (const spec of specs) {
    if (!spec.schedule) continue;
    const trigger = translateSchedule(spec.schedule);
    byName.set(spec.name, spec);
    if (trigger.kind === 'rate') {
      let next = Date.now() + trigger.everyMs;
      const timer = setInterval(() => {
        next = Date.now() + trigger.everyMs;
        tick(spec);
      }, trigger.everyMs);
      timer.unref();
      stops.push(() => clearInterval(timer));
      jobs.push({ name: spec.name, expression: spec.schedule, nextRun: () => new Date(next) });
    } else {
      const cron = new Cron(trigger.pattern, { ...trigger.options, unref: true }, () => tick(spec));
      stops.push(() => cron.stop());
      jobs.push({ name: spec.name, expression: spec.schedule, nextRun: () => cron.nextRun() });
    }
  }

  return {
    jobs,
    runJobNow: async (name) => {
      const spec = byName.get(name);
      if (!spec) {
        throw new Error(`No scheduled job "${name}". Jobs: ${[...byName.keys()].join(', ') || '(none)'}`);
      }
      return run(spec, true);
    },
    stop: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
