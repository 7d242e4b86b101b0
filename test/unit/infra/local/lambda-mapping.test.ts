/** The pure parts of the local Lambda emulation: SQS batch results and API Gateway results. */
import { describe, expect, it } from 'vitest';
import { toReply } from '../../../../infra/local/http-server';
import { failedMessageIds, toSqsEvent } from '../../../../infra/local/sqs';

describe("failedMessageIds (Lambda's ReportBatchItemFailures rules)", () => {
  const ids = ['m1', 'm2', 'm3'];
  it.each([
    ['no response', undefined, []],
    ['null', null, []],
    ['an empty object', {}, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['a null list', { batchItemFailures: null }, []],
    ['one failure', { batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m2']],
    ['an unknown id (whole batch)', { batchItemFailures: [{ itemIdentifier: 'zz' }] }, ids],
    ['an empty id (whole batch)', { batchItemFailures: [{ itemIdentifier: '' }] }, ids],
    ['a missing id (whole batch)', { batchItemFailures: [{ id: 'm1' }] }, ids],
    ['a non-list (whole batch)', { batchItemFailures: 'm1' }, ids],
    ['a non-object (whole batch)', 'ok', ids],
  ])('%s', (_, result, expected) => {
    expect([...failedMessageIds(result, ids)].sort()).toEqual(expected);
  });
});

describe('toSqsEvent', () => {
  it('shapes records like the Lambda SQS event source', () => {
    const event = toSqsEvent(
      [
        {
          MessageId: 'm1',
          ReceiptHandle: 'rh',
          Body: 'hello',
          MD5OfBody: 'md5',
          Attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1' },
          MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) } },
        },
      ],
      'arn:aws:sqs:us-east-1:000000000000:q',
    );
    expect(event.Records).toEqual([
      {
        messageId: 'm1',
        receiptHandle: 'rh',
        body: 'hello',
        attributes: { ApproximateReceiveCount: '3', SentTimestamp: '1' },
        messageAttributes: {
          bin: { dataType: 'Binary', binaryValue: 'AQI=', stringListValues: [], binaryListValues: [] },
        },
        md5OfBody: 'md5',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
        awsRegion: 'us-east-1',
      },
    ]);
  });
});

describe('toReply (API Gateway payload 2.0 results)', () => {
  it('treats anything without statusCode as a 200 JSON body', () => {
    expect(toReply({ a: 1 })).toMatchObject({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
    });
    expect(toReply({ a: 1 }).body.toString()).toBe('{"a":1}');
    expect(toReply('Hello').body.toString()).toBe('Hello');
    expect(toReply(undefined).body.toString()).toBe('');
  });

  it('writes structured results with cookies, multi-value headers and base64 bodies', () => {
    const reply = toReply({
      statusCode: 302,
      headers: { Location: '/x', 'X-N': 1 },
      multiValueHeaders: { 'x-multi': ['a', 'b'] },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from([0, 1]).toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply.statusCode).toBe(302);
    expect(reply.headers).toEqual({
      location: '/x',
      'x-n': '1',
      'x-multi': ['a', 'b'],
      'set-cookie': ['a=1', 'b=2'],
    });
    expect([...reply.body]).toEqual([0, 1]);
  });

  it('answers 502 for an impossible status code, as API Gateway does for a malformed response', () => {
    expect(toReply({ statusCode: 'teapot' }).statusCode).toBe(502);
  });
});
