/**
 * The report mailer over Amazon SES API v2 `SendEmail` with `Content.Simple` (subject, text and
 * HTML bodies) and `Attachments` (base64 `RawContent`, file name, content type), per the SESv2 API
 * reference and @aws-sdk/client-sesv2's SendEmailCommand model. Locally the same call goes to
 * aws-ses-v2-local, whose viewer shows the mail and its attachment.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer } from '../../ports/reports';

export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly fromAddress: string,
  ) {}

  async send({
    to,
    subject,
    html,
    text,
    attachment,
  }: Parameters<Mailer['send']>[0]): Promise<{ messageId: string }> {
    const result = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.fromAddress,
        Destination: { ToAddresses: to },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Text: { Data: text, Charset: 'UTF-8' }, Html: { Data: html, Charset: 'UTF-8' } },
            Attachments: [
              {
                FileName: attachment.filename,
                ContentType: attachment.contentType,
                RawContent: new TextEncoder().encode(attachment.content),
              },
            ],
          },
        },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
