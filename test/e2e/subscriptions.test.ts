/**
 * Subscription renewals through the local stack: the API (CRUD, validation, tenancy, upcoming totals)
 * and the daily reminder job. The job runs in-process with a fixed clock to walk through renewals in
 * 2031-2034, one test after the other (monthly on the 31st with overlapping runs, a paused
 * subscription resumed, reminders 7/3/1 days ahead sent once each with two runs a day, a missed
 * reminder day caught up, one failing subscription), and once through the scheduler.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renewalJobDeps, subscriptionDeps } from '../../shared/composition/subscriptions';
import { advanceRenewal, utcDay } from '../../shared/domain/balance/subscriptions';
import type { Clock } from '../../shared/ports/clock';
import {
  runRenewalReminders,
  updateSubscription,
  type RenewalJobDeps,
  type SubscriptionDeps,
} from '../../shared/usecases/balance/subscriptions';
import type { RequestContext } from '../../shared/usecases/tenancy';
import { scanTable } from '../factories/dynamo-table';
import { api } from '../factories/http';
import { startTestRuntime, type TestRuntime } from '../factories/local-runtime';

let rt: TestRuntime;
let http: ReturnType<typeof api>;
let platform: string;
let token: string;
let enterpriseId: string;
/** In-process, to set the clock: the job's deps and the API's. */
let jobDeps: RenewalJobDeps;
let apiDeps: SubscriptionDeps;
/** Subscriptions of the running test, disabled after it so the next test's job runs do not see them. */
const mine: string[] = [];

const base = {
  name: 'Copilot Business',
  provider: 'GitHub Copilot',
  amount: '19.00',
  currency: 'USD',
  cycle: 'monthly',
  nextRenewalDate: '2040-01-15',
};

const create = async (body: Record<string, unknown>) => {
  const res = await http.post(`/api/enterprises/${enterpriseId}/subscriptions`, body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  mine.push(res.body.data.id);
  return res.body.data;
};
const get = async (id: string) => (await http.get(`/api/subscriptions/${id}`, { token })).body.data;
const history = async (id: string) =>
  (await http.get(`/api/subscriptions/${id}/history`, { token })).body.data as any[];
const list = async () =>
  (await http.get(`/api/enterprises/${enterpriseId}/subscriptions`, { token })).body.data as any[];

const clockAt = (iso: string): Clock => ({ now: () => new Date(iso) });
/** The daily job as it runs at `iso` (UTC). */
const runAt = (iso: string) => runRenewalReminders({ ...jobDeps, clock: clockAt(iso) });

const reminders = async (subscriptionId: string) =>
  (await scanTable(rt.dynamoEndpoint, rt.tableName)).filter(
    (i) =>
      i.__edb_e__ === 'alert' &&
      i.kind === 'subscription.renewal' &&
      i.subject === `subscription:${subscriptionId}`,
  );

const daysFromToday = (days: number) => utcDay(new Date(Date.now() + days * 86_400_000));

beforeAll(async () => {
  rt = await startTestRuntime();
  http = api(rt.apiUrl);
  platform = await rt.mintToken({ subject: 'platform', roles: ['platform-admin'] });
  enterpriseId = (await http.post('/api/enterprises', { name: 'Subscriber Co' }, { token: platform })).body
    .data.id;
  token = await rt.mintToken({ subject: 'finance', roles: ['finance'], enterpriseId });
  jobDeps = renewalJobDeps();
  apiDeps = subscriptionDeps();
}, 120_000);

afterEach(async () => {
  for (const id of mine.splice(0)) {
    const res = await http.patch(`/api/subscriptions/${id}`, { enabled: false }, { token: platform });
    expect([200, 404]).toContain(res.status);
  }
});

afterAll(async () => {
  await rt?.stop();
});

describe('subscriptions API', () => {
  it('creates, reads, changes and deletes a subscription, with its history', async () => {
    const created = await create({ ...base, notes: 'seats for the platform team' });
    expect(created).toEqual({
      id: expect.any(String),
      enterpriseId,
      name: 'Copilot Business',
      provider: 'GitHub Copilot',
      amount: '19',
      currency: 'USD',
      cycle: 'monthly',
      customDays: null,
      anchorDay: 15,
      nextRenewalDate: '2040-01-15',
      reminderDays: [7, 3, 1],
      enabled: true,
      notes: 'seats for the platform team',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Object.keys(created)).not.toContain('reminderState');
    expect(await get(created.id)).toEqual(created);
    expect((await list()).map((s) => s.id)).toContain(created.id);

    const custom = await http.patch(
      `/api/subscriptions/${created.id}`,
      { cycle: 'custom', customDays: 45, amount: '21.50', reminderDays: [1, 14], notes: null },
      { token },
    );
    expect(custom.status, JSON.stringify(custom.body)).toBe(200);
    expect(custom.body.data).toMatchObject({
      cycle: 'custom',
      customDays: 45,
      amount: '21.5',
      reminderDays: [14, 1],
      notes: null,
    });
    // Back to a calendar cycle: the custom length goes with it.
    const yearly = await http.patch(
      `/api/subscriptions/${created.id}`,
      { cycle: 'yearly', nextRenewalDate: '2040-02-29' },
      { token },
    );
    expect(yearly.body.data).toMatchObject({
      cycle: 'yearly',
      customDays: null,
      anchorDay: 29,
      nextRenewalDate: '2040-02-29',
    });
    expect((await history(created.id)).map((e) => [e.type, e.renewalDate])).toEqual([
      ['created', '2040-01-15'],
      ['updated', '2040-01-15'],
      ['updated', '2040-02-29'],
    ]);

    const deleted = await http.del(`/api/subscriptions/${created.id}`, { token });
    expect(deleted.body).toMatchObject({ success: true, data: { deleted: true } });
    expect((await http.get(`/api/subscriptions/${created.id}`, { token })).status).toBe(404);
    expect((await http.get(`/api/subscriptions/${created.id}/history`, { token })).status).toBe(404);
    expect(
      (await scanTable(rt.dynamoEndpoint, rt.tableName)).filter((i) => i.pk === `SUB#${created.id}`),
    ).toEqual([]);
  });

  it('moves a first renewal given in the past to the next one, without renewal history', async () => {
    const today = utcDay(new Date());
    const created = await create({ ...base, nextRenewalDate: '2024-01-31' });
    expect(created.anchorDay).toBe(31);
    expect(created.nextRenewalDate).toBe(
      advanceRenewal('2024-01-31', { cycle: 'monthly' }, 31, today).nextRenewalDate,
    );
    expect((await history(created.id)).map((e) => e.type)).toEqual(['created']);
  });

  it('refuses invalid subscriptions with 400 and writes nothing', async () => {
    const before = (await list()).length;
    const cases = [
      { ...base, cycle: 'custom' },
      { ...base, customDays: 30 },
      { ...base, cycle: 'custom', customDays: 0 },
      { ...base, nextRenewalDate: '2031-02-30' },
      { ...base, nextRenewalDate: '2031-2-3' },
      { ...base, reminderDays: [3, 3] },
      { ...base, reminderDays: [366] },
      { ...base, reminderDays: [1.5] },
      { ...base, currency: 'usd' },
      { ...base, amount: '-5' },
      { ...base, amount: 19.5 },
      { ...base, name: '  ' },
      { ...base, internal: true },
    ];
    for (const body of cases) {
      const res = await http.post(`/api/enterprises/${enterpriseId}/subscriptions`, body, { token });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    }
    expect((await list()).length).toBe(before);

    const monthly = await create(base);
    const patches = [{}, { cycle: 'custom' }, { customDays: 10 }, { nextRenewalDate: '2040-04-31' }];
    for (const patch of patches) {
      const res = await http.patch(`/api/subscriptions/${monthly.id}`, patch, { token });
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await get(monthly.id)).toEqual(monthly);
    expect((await history(monthly.id)).map((e) => e.type)).toEqual(['created']);
  });

  it('keeps other enterprises out and viewers read-only', async () => {
    const subscription = await create(base);
    const other = (await http.post('/api/enterprises', { name: 'Other' }, { token: platform })).body.data.id;
    const outsider = await rt.mintToken({ subject: 'o', roles: ['enterprise-admin'], enterpriseId: other });
    const asOutsider = { token: outsider };
    expect((await http.get(`/api/subscriptions/${subscription.id}`, asOutsider)).status).toBe(404);
    expect((await http.get(`/api/subscriptions/${subscription.id}/history`, asOutsider)).status).toBe(404);
    expect(
      (await http.patch(`/api/subscriptions/${subscription.id}`, { name: 'x' }, asOutsider)).status,
    ).toBe(404);
    expect((await http.del(`/api/subscriptions/${subscription.id}`, asOutsider)).status).toBe(404);
    expect((await http.get(`/api/enterprises/${enterpriseId}/subscriptions`, asOutsider)).status).toBe(403);
    expect((await http.post(`/api/enterprises/${enterpriseId}/subscriptions`, base, asOutsider)).status).toBe(
      403,
    );
    expect(
      (await http.get(`/api/enterprises/${enterpriseId}/subscriptions/upcoming`, asOutsider)).status,
    ).toBe(403);

    const viewer = { token: await rt.mintToken({ subject: 'v', roles: ['viewer'], enterpriseId }) };
    expect((await http.get(`/api/enterprises/${enterpriseId}/subscriptions`, viewer)).status).toBe(200);
    expect((await http.get(`/api/subscriptions/${subscription.id}`, viewer)).status).toBe(200);
    expect((await http.get(`/api/subscriptions/${subscription.id}/history`, viewer)).status).toBe(200);
    expect((await http.get(`/api/enterprises/${enterpriseId}/subscriptions/upcoming`, viewer)).status).toBe(
      200,
    );
    expect((await http.post(`/api/enterprises/${enterpriseId}/subscriptions`, base, viewer)).status).toBe(
      403,
    );
    expect((await http.patch(`/api/subscriptions/${subscription.id}`, { name: 'x' }, viewer)).status).toBe(
      403,
    );
    expect((await http.del(`/api/subscriptions/${subscription.id}`, viewer)).status).toBe(403);
    expect(await get(subscription.id)).toEqual(subscription);
  });

  it('adds up the renewals due in the next N days exactly, per currency', async () => {
    // Its own enterprise, so the other tests' subscriptions are not in its list.
    const ent = (await http.post('/api/enterprises', { name: 'Upcoming Co' }, { token: platform })).body.data
      .id;
    const finance = { token: await rt.mintToken({ subject: 'f2', roles: ['finance'], enterpriseId: ent }) };
    const add = async (body: Record<string, unknown>) => {
      const res = await http.post(`/api/enterprises/${ent}/subscriptions`, { ...base, ...body }, finance);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      mine.push(res.body.data.id);
      return res.body.data;
    };
    await add({ name: 'a', amount: '0.1', nextRenewalDate: daysFromToday(3) });
    await add({ name: 'b', amount: '0.2', nextRenewalDate: daysFromToday(10) });
    await add({ name: 'c', amount: '19.99', currency: 'EUR', nextRenewalDate: daysFromToday(5) });
    await add({ name: 'd', amount: '100', nextRenewalDate: daysFromToday(40) });
    await add({ name: 'e', amount: '7', nextRenewalDate: daysFromToday(4), enabled: false });
    // Weekly: five renewals in 30 days (from day 2 to day 30, or day 1 to 29 past midnight).
    const weekly = await add({
      name: 'weekly',
      amount: '1.05',
      cycle: 'custom',
      customDays: 7,
      nextRenewalDate: daysFromToday(2),
    });

    const res = await http.get(`/api/enterprises/${ent}/subscriptions/upcoming?days=30`, finance);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const upcoming = res.body.data;
    expect(upcoming.days).toBe(30);
    expect(upcoming.renewals.map((r: any) => r.name)).toEqual([
      'weekly',
      'a',
      'c',
      'weekly',
      'b',
      'weekly',
      'weekly',
      'weekly',
    ]);
    expect(upcoming.renewals[0]).toEqual({
      subscriptionId: weekly.id,
      name: 'weekly',
      provider: 'GitHub Copilot',
      renewalDate: weekly.nextRenewalDate,
      daysLeft: Math.round((Date.parse(weekly.nextRenewalDate) - Date.parse(upcoming.asOf)) / 86_400_000),
      amount: '1.05',
      currency: 'USD',
    });
    // 0.1 + 0.2 + 5 × 1.05: a float sum would not be 5.55.
    expect(upcoming.totals).toEqual({ USD: '5.55', EUR: '19.99' });

    const all = (await http.get(`/api/enterprises/${ent}/subscriptions/upcoming?days=60`, finance)).body.data;
    // Monthly ones renew twice in 60 days, the weekly one nine times.
    expect(all.totals).toEqual({ USD: '110.05', EUR: '39.98' });
    expect((await http.get(`/api/enterprises/${ent}/subscriptions/upcoming?days=400`, finance)).status).toBe(
      400,
    );
  });
});

describe('daily renewal job', () => {
  it('renews monthly on the 31st through the short months, recording each renewal once', async () => {
    const s = await create({ ...base, nextRenewalDate: '2031-01-31', reminderDays: [] });

    expect(await runAt('2031-02-01T01:00:00Z')).toEqual({ checked: 1, renewed: 1, reminders: 0 });
    expect((await get(s.id)).nextRenewalDate).toBe('2031-02-28');
    expect(await runAt('2031-03-01T01:00:00Z')).toMatchObject({ renewed: 1 });
    expect((await get(s.id)).nextRenewalDate).toBe('2031-03-31');
    // Two renewals passed while the job did not run; two overlapping runs record them once.
    const overlapping = await Promise.all([runAt('2031-05-02T01:00:00Z'), runAt('2031-05-02T01:00:00Z')]);
    expect(overlapping.map((run) => run.renewed).sort()).toEqual([0, 2]);
    expect(await runAt('2031-05-02T13:00:00Z')).toMatchObject({ renewed: 0 });
    expect((await get(s.id)).nextRenewalDate).toBe('2031-05-31');
    expect((await history(s.id)).map((e) => [e.type, e.renewalDate])).toEqual([
      ['created', '2031-01-31'],
      ['renewed', '2031-01-31'],
      ['renewed', '2031-02-28'],
      ['renewed', '2031-03-31'],
      ['renewed', '2031-04-30'],
    ]);
  });

  it('resumes a paused subscription at its next renewal, recording none while it was off', async () => {
    const s = await create({ ...base, nextRenewalDate: '2031-06-10', reminderDays: [] });
    await http.patch(`/api/subscriptions/${s.id}`, { enabled: false }, { token });
    expect(await runAt('2031-09-01T01:00:00Z')).toEqual({ checked: 0, renewed: 0, reminders: 0 });
    // Resumed on 1 September 2031: the API's clock is today's, so the use case runs in-process.
    const ctx: RequestContext = {
      caller: { subject: 'finance', kind: 'user', enterpriseId, roles: ['finance'] },
      requestId: 'resume',
    };
    const resumed = await updateSubscription(
      { ...apiDeps, clock: clockAt('2031-09-01T09:00:00Z') },
      ctx,
      s.id,
      {
        enabled: true,
      },
    );
    expect(resumed.nextRenewalDate).toBe('2031-09-10');
    expect(await runAt('2031-09-02T01:00:00Z')).toEqual({ checked: 1, renewed: 0, reminders: 0 });
    expect((await history(s.id)).map((e) => [e.type, e.renewalDate])).toEqual([
      ['created', '2031-06-10'],
      ['updated', '2031-06-10'],
      ['updated', '2031-09-10'],
    ]);
  });

  it('reminds 7, 3 and 1 days ahead, once each, with the job running twice a day', async () => {
    const s = await create({ ...base, amount: '39', nextRenewalDate: '2032-03-10' });
    const sent: number[] = [];
    for (let day = 1; day <= 11; day++) {
      const date = `2032-03-${String(day).padStart(2, '0')}`;
      for (const time of ['01:00', '13:00']) sent.push((await runAt(`${date}T${time}:00Z`)).reminders);
    }
    // Days 3 (7 ahead), 7 (3 ahead) and 9 (1 ahead), the morning run only.
    expect(sent).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
    const alerts = await reminders(s.id);
    expect(alerts.map((a) => a.message).sort()).toEqual([
      'Subscription "Copilot Business" (GitHub Copilot) renews in 3 days, on 2032-03-10: 39 USD.',
      'Subscription "Copilot Business" (GitHub Copilot) renews in 7 days, on 2032-03-10: 39 USD.',
      'Subscription "Copilot Business" (GitHub Copilot) renews tomorrow, on 2032-03-10: 39 USD.',
    ]);
    expect(alerts.every((a) => a.enterpriseId === enterpriseId && a.severity === 'warning')).toBe(true);
    expect(
      (await history(s.id)).map(({ type, renewalDate, leadDays, daysLeft }) => ({
        type,
        renewalDate,
        leadDays,
        daysLeft,
      })),
    ).toEqual([
      { type: 'created', renewalDate: '2032-03-10', leadDays: null, daysLeft: null },
      { type: 'reminded', renewalDate: '2032-03-10', leadDays: 7, daysLeft: 7 },
      { type: 'reminded', renewalDate: '2032-03-10', leadDays: 3, daysLeft: 3 },
      { type: 'reminded', renewalDate: '2032-03-10', leadDays: 1, daysLeft: 1 },
      { type: 'renewed', renewalDate: '2032-03-10', leadDays: null, daysLeft: null },
    ]);
    expect((await get(s.id)).nextRenewalDate).toBe('2032-04-10');
  });

  it('catches up a reminder whose day the job missed', async () => {
    const s = await create({ ...base, nextRenewalDate: '2033-06-20' });
    // No run on the 13th (7 days ahead) nor the 17th (3 days ahead).
    expect(await runAt('2033-06-15T01:00:00Z')).toMatchObject({ reminders: 1 });
    expect(await runAt('2033-06-16T01:00:00Z')).toMatchObject({ reminders: 0 });
    expect(await runAt('2033-06-18T01:00:00Z')).toMatchObject({ reminders: 1 });
    expect(
      (await history(s.id)).filter((e) => e.type === 'reminded').map((e) => [e.leadDays, e.daysLeft]),
    ).toEqual([
      [7, 5],
      [3, 2],
    ]);
    expect(await reminders(s.id)).toHaveLength(2);
  });

  it('finishes the other subscriptions when one fails, then fails the run so it is retried', async () => {
    const broken = await create({ ...base, nextRenewalDate: '2034-01-10', reminderDays: [] });
    const fine = await create({ ...base, nextRenewalDate: '2034-01-10', reminderDays: [] });
    const real = jobDeps.store;
    const store = Object.create(real, {
      advance: {
        value: (id: string, ...rest: [string, string, string]) =>
          id === broken.id ? Promise.reject(new Error('throttled')) : real.advance(id, ...rest),
      },
    }) as typeof real;
    await expect(
      runRenewalReminders({ ...jobDeps, store, clock: clockAt('2034-01-11T01:00:00Z') }),
    ).rejects.toThrow('1 of 2 subscriptions failed');
    expect((await get(fine.id)).nextRenewalDate).toBe('2034-02-10');
    expect((await get(broken.id)).nextRenewalDate).toBe('2034-01-10');
    // The retry finishes the failed one and repeats nothing of the other.
    expect(await runAt('2034-01-11T02:00:00Z')).toEqual({ checked: 2, renewed: 1, reminders: 0 });
  });

  it('runs on its schedule through the local runtime', async () => {
    expect(rt.jobs()).toContain('subscription-reminders');
    const s = await create({ ...base, nextRenewalDate: daysFromToday(1) });
    const summary = await rt.runJobNow('subscription-reminders');
    expect(summary).toEqual({ checked: 1, renewed: 0, reminders: 1 });
    expect(await reminders(s.id)).toHaveLength(1);
    expect(await rt.runJobNow('subscription-reminders')).toEqual({ checked: 1, renewed: 0, reminders: 0 });
  });
});
