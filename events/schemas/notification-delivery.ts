import * as z from 'zod';

/**
 * Message on the `notifications` queue: one delivery (an alert to one channel) to send. Bump
 * `version` (and accept both) when it changes.
 */
export const notificationDeliveryMessage = z.object({
  version: z.literal(1),
  deliveryId: z.string().min(1).max(64),
});
export type NotificationDeliveryMessage = z.infer<typeof notificationDeliveryMessage>;
