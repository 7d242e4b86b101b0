/**
 * E-mail through Amazon SES (API v2 `SendEmail`, @aws-sdk/client-sesv2): a plain-text and an HTML
 * body rendered from the message, the fields as a table.
 *
 * Wire format followed: the SESv2 API reference for SendEmail (docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html)
 * and its SDK model (node_modules/@aws-sdk/client-sesv2/dist-types/commands/SendEmailCommand.d.ts):
 * - `FromEmailAddress` (a verified identity), `Destination.ToAddresses` (at most 50 recipients per
 *   message), `Content.Simple` with `Subject` and `Body.Text` / `Body.Html` (`{Data, Charset}`);
 *   the answer carries `MessageId`.
 * - Errors: MessageRejected, MailFromDomainNotVerifiedException, AccountSuspendedException,
 *   SendingPausedException, BadRequestException, NotFoundException, LimitExceededException (client
 *   faults: retrying will not help); TooManyRequestsException (HTTP 429; the v1 API's name is
 *   "Throttling"); server faults and HTTP 5xx are transient.
 * - One call per message: give the sender an SESv2Client built with `maxAttempts: 1`, since the
 *   dispatcher owns retries.
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import type { ChannelMessage, MessageTone } from '../../domain/notifications/types';
import type { ChannelSender, ChannelTarget, DeliveryReceipt } from '../../ports/notifications';
import { DeliveryError } from '../../ports/notifications';
import { configProblems, detail, requiredText } from './webhook';
import { escapeHtml } from '../../domain/html';

const MAX_RECIPIENTS = 50;

const recipientList = requiredText().superRefine((value, ctx) => {
  const addresses = splitAddresses(value);
  if (addresses.length > MAX_RECIPIENTS) {
    ctx.addIssue({ code: 'custom', message: `lists more than ${MAX_RECIPIENTS} addresses` });
  }
  if (addresses.some((address) => !z.email().safeParse(address).success)) {
    ctx.addIssue({ code: 'custom', message: 'has an address that is not an e-mail address' });
  }
});

export const emailSchemas = () => ({
  settings: z.object({ to: recipientList }).strict(),
  /** E-mail needs no secret: SES credentials belong to the deployment, not to the channel. */
  secret: z.object({}).strict(),
});

const splitAddresses = (to: string): string[] =>
  to
    .split(',')
    .map((address) => address.trim())
    .filter(Boolean);

const THROTTLING = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException']);

const TONE_COLOUR: Record<MessageTone, string> = {
  alert: '#d93025',
  reminder: '#e37400',
  recovery: '#188038',
  info: '#1a73e8',
};

export function emailText(message: ChannelMessage): string {
  const parts = [message.title];
  if (message.text) parts.push(message.text);
  if (message.fields.length > 0) {
    parts.push(message.fields.map(([label, value]) => `${label}: ${value}`).join('\n'));
  }
  parts.push(`${message.kind} · ${message.occurredAt}`);
  return `${parts.join('\n\n')}\n`;
}

export function emailHtml(message: ChannelMessage): string {
  const cell = 'padding:4px 12px 4px 0;text-align:left;vertical-align:top';
  const rows = message.fields
    .map(
      ([label, value]) =>
        `<tr><th style="${cell}">${escapeHtml(label)}</th><td style="${cell}">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return [
    '<!DOCTYPE html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#202124">',
    `<h2 style="color:${TONE_COLOUR[message.tone]};margin:0 0 12px">${escapeHtml(message.title)}</h2>`,
    message.text ? `<p>${escapeHtml(message.text).replace(/\r?\n/g, '<br>')}</p>` : '',
    rows ? `<table style="border-collapse:collapse">${rows}</table>` : '',
    `<p style="color:#5f6368;font-size:12px">${escapeHtml(`${message.kind} · ${message.occurredAt}`)}</p>`,
    '</body></html>',
  ].join('');
}

function sesFailure(err: unknown, signal: AbortSignal): DeliveryError {
  if (signal.aborted) {
    return new DeliveryError('timeout', 'SES did not answer before the deadline', { cause: err });
  }
  const e = err as {
    name?: string;
    message?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = e.$metadata?.httpStatusCode;
  const why = `SES ${e.name ?? 'error'}${e.message ? `: ${detail(e.message, [])}` : ''}`;
  if (status === 429 || THROTTLING.has(e.name ?? '')) {
    return new DeliveryError('rate_limited', why, { status, cause: err });
  }
  if (status === undefined || status >= 500 || e.$fault === 'server') {
    return new DeliveryError('unavailable', why, { status, cause: err });
  }
  return new DeliveryError('rejected', why, { status, cause: err });
}

export class SesEmailSender implements ChannelSender {
  constructor(private readonly ses: { client: SESv2Client; from: string }) {}

  async send(target: ChannelTarget, message: ChannelMessage, signal: AbortSignal): Promise<DeliveryReceipt> {
    const settings = emailSchemas().settings.safeParse(target.settings);
    if (!settings.success) {
      const problems = configProblems('settings', settings.error).join(', ');
      throw new DeliveryError('rejected', `E-mail channel is misconfigured: ${problems}`);
    }
    const command = new SendEmailCommand({
      FromEmailAddress: this.ses.from,
      Destination: { ToAddresses: splitAddresses(settings.data.to) },
      Content: {
        Simple: {
          Subject: { Data: message.title, Charset: 'UTF-8' },
          Body: {
            Text: { Data: emailText(message), Charset: 'UTF-8' },
            Html: { Data: emailHtml(message), Charset: 'UTF-8' },
          },
        },
      },
    });
    try {
      const out = await this.ses.client.send(command, { abortSignal: signal });
      return { status: 200, providerMessageId: out.MessageId };
    } catch (err) {
      throw sesFailure(err, signal);
    }
  }
}
