/**
 * Write-behind metering: the gateway hands records over and answers at once; they are stored in
 * merged batches by {@link DynamoUsageStore.recordBatch}, which keeps "aggregates equal the sum of
 * the records, a retried record counts once" whatever the batching or retries.
 */
import type { UsageRecord, UsageSink } from '../../ports/metering';
import type { DynamoUsageStore } from './usage-store';

/** How {@link BufferedUsageSink} batches and retries. */
export interface UsageSinkSettings {
  /** A batch is written as soon as this many records wait. Default 25. */
  maxBatch: number;
  /** Longest the first queued record waits before a batch is written anyway. Default 20 ms. */
  maxDelayMs: number;
  /** Tries per batch before it is reported through `onError` and dropped. Default 3. */
  maxAttempts: number;
  /** Wait before the first retry, doubled for each further one. Default 50 ms. */
  retryDelayMs: number;
  /**
   * Records kept waiting at most; beyond it new ones are reported and dropped, so an unreachable
   * table cannot exhaust the instance's memory. Default 10 000.
   */
  maxQueued: number;
}

export const defaultUsageSinkSettings: UsageSinkSettings = {
  maxBatch: 25,
  maxDelayMs: 20,
  maxAttempts: 3,
  retryDelayMs: 50,
  maxQueued: 10_000,
};

/** Told which records could not be stored (by request id only: records are never logged). */
export type UsageSinkErrorHandler = (err: unknown, requestIds: string[]) => void;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A {@link UsageSink} over the DynamoDB usage store. A batch is written when `maxBatch` records
 * wait, when the oldest has waited `maxDelayMs`, or on `flush()`. One batch is in flight at a time:
 * parallel batches on the same aggregates would cancel each other's transactions. The delay timer
 * is unref'd so it never keeps a process alive: whoever ends the process (or the Lambda invocation)
 * calls `flush()` first.
 */
export class BufferedUsageSink implements UsageSink {
  private readonly settings: UsageSinkSettings;
  private readonly queue: UsageRecord[] = [];
  /** Armed for the oldest waiting record; `due` once it has fired. */
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private running: Promise<void> | undefined;
  /** Records ever queued, and how many of them are settled (stored or reported); batches settle in order. */
  private queued = 0;
  private settled = 0;
  private waiters: { upTo: number; resolve: () => void }[] = [];

  constructor(
    private readonly store: Pick<DynamoUsageStore, 'recordBatch'>,
    private readonly onError: UsageSinkErrorHandler,
    settings: Partial<UsageSinkSettings> = {},
  ) {
    this.settings = { ...defaultUsageSinkSettings, ...settings };
  }

  write(record: UsageRecord): void {
    try {
      if (this.queue.length >= this.settings.maxQueued) {
        this.report(new Error('Usage queue is full'), [record.requestId]);
        return;
      }
      this.queue.push(record);
      this.queued += 1;
      if (this.due || this.queue.length >= this.settings.maxBatch) this.start();
      else if (!this.timer) {
        // The first record of a new wait sets the deadline.
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.due = true;
          this.start();
        }, this.settings.maxDelayMs);
        this.timer.unref();
      }
    } catch (err) {
      this.report(err, [record.requestId]);
    }
  }

  async flush(): Promise<void> {
    const upTo = this.queued;
    if (this.settled >= upTo) return;
    const done = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }));
    this.start();
    await done;
  }

  private start(): void {
    if (!this.running && this.queue.length > 0) this.running = this.drain();
  }

  /** Writes batches while a full one waits, the oldest record is due, or a flush waits; never rejects. */
  private async drain(): Promise<void> {
    while (
      this.queue.length > 0 &&
      (this.queue.length >= this.settings.maxBatch ||
        this.due ||
        this.waiters.some((waiter) => waiter.upTo > this.settled))
    ) {
      const batch = this.queue.splice(0, this.settings.maxBatch);
      if (this.queue.length === 0) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.due = false;
      }
      await this.writeBatch(batch);
      this.settled += batch.length;
      this.waiters = this.waiters.filter((waiter) => {
        if (waiter.upTo > this.settled) return true;
        waiter.resolve();
        return false;
      });
    }
    // Cleared in the same tick as the loop's last test, so no due record is left behind: a later
    // full batch, deadline or flush starts a new drain.
    this.running = undefined;
  }

  private async writeBatch(batch: UsageRecord[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.recordBatch(batch);
        return;
      } catch (err) {
        if (attempt >= this.settings.maxAttempts) {
          this.report(
            err,
            batch.map((r) => r.requestId),
          );
          return;
        }
        // Not unref'd: once a batch is under way, finishing it is worth keeping the process for.
        await sleep(this.settings.retryDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  private report(err: unknown, requestIds: string[]): void {
    try {
      this.onError(err, requestIds);
    } catch {
      // A failing error handler must not stop metering.
    }
  }
}
