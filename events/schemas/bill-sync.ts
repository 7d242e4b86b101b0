import * as z from 'zod';

/** Message on the `bill-sync` queue: a sync job to run. Bump `version` (and accept both) when it changes. */
export const billSyncMessage = z.object({ version: z.literal(1), jobId: z.string().min(1).max(64) });
export type BillSyncMessage = z.infer<typeof billSyncMessage>;

/**
 * What S3 puts on the same queue when a FOCUS file lands under `focus/<cloudAccountId>/<YYYY-MM>/`
 * (an S3 event notification; only the fields the worker reads).
 */
export const s3FileDropMessage = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        s3: z.object({ object: z.object({ key: z.string() }) }),
      }),
    )
    .min(1),
});
