/**
 * Any balance API that answers JSON: one GET (or POST) to a configured URL, the balance and the
 * currency picked out of the body with RFC 9535 JSONPath expressions.
 *
 * Wire format followed:
 * - RFC 9535 (JSONPath: Query Expressions for JSON) through jsonpath-rfc9535 1.3.0 (its parser for
 *   syntax at create time; `paths` for the normalized paths a query selects). Each expression must
 *   select exactly one value: none or several is an 'invalid_response', never a guess.
 * - Filters compare per RFC 9535 on the body as JSON.parse reads it; the selected value is then read
 *   at its normalized path from the same body parsed with lossless-json, so a number keeps its
 *   literal digits (1234.5678901234567 stays exact). The balance must be a JSON number or a numeric
 *   string; the currency a 3-letter code (upper-cased), or the fixed `currency` setting.
 * - Credentials: `headers`, the JSON text of an object of header names to values (an
 *   `Authorization: Bearer …` or an API-key header), sent as given. Redirects are not followed, so
 *   they never reach another origin.
 */
import type { JsonValue } from 'jsonpath-rfc9535';
import { paths, query } from 'jsonpath-rfc9535';
import parseJsonPath from 'jsonpath-rfc9535/parser';
import { z } from 'zod';
import type { BalanceQuote } from '../../domain/balance/types';
import type { BalanceFetchRequest, BalanceSource } from '../../ports/balance';
import { BalanceFetchError } from '../../ports/balance';
import { exactAmount, httpText, httpUrl, parseConfig, parseExactJson, required } from './support';

const PROVIDER = 'http-json';

const jsonPath = () =>
  z
    .string()
    .trim()
    .refine(
      (expression) => {
        try {
          parseJsonPath(expression);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'is not an RFC 9535 JSONPath expression' },
    );

const isJsonText = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** RFC 9110 field-name token; values may not break the header line. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;
const headersSchema = z.record(z.string().regex(HEADER_NAME), z.string().regex(HEADER_VALUE));

const parseHeaders = (text: string): Record<string, string> | undefined => {
  if (!isJsonText(text)) return undefined;
  const headers = headersSchema.safeParse(JSON.parse(text));
  return headers.success ? headers.data : undefined;
};

export const httpJsonConfig = {
  settings: z
    .strictObject({
      url: httpUrl(),
      method: z.enum(['GET', 'POST']).optional(),
      balancePath: jsonPath(),
      currencyPath: jsonPath().optional(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/)
        .optional(),
      body: z.string().refine(isJsonText, { error: 'must be JSON text' }).optional(),
    })
    .superRefine((settings, ctx) => {
      if (settings.currency === undefined && settings.currencyPath === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['currency'],
          message: 'missing: set currency or currencyPath',
        });
      }
      if (settings.currency !== undefined && settings.currencyPath !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['currency'], message: 'cannot be set with currencyPath' });
      }
      if (settings.body !== undefined && settings.method !== 'POST') {
        ctx.addIssue({ code: 'custom', path: ['body'], message: 'needs method POST' });
      }
    }),
  credentials: z.object({
    headers: required().refine((text) => parseHeaders(text) !== undefined, {
      error: 'must be the JSON text of an object of header names to string values',
    }),
  }),
};

export class HttpJsonBalanceSource implements BalanceSource {
  async fetchBalance(request: BalanceFetchRequest): Promise<BalanceQuote> {
    const { settings, credentials } = parseConfig(PROVIDER, httpJsonConfig, request);
    const headers = parseHeaders(credentials.headers) ?? {};
    const named = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    const text = await httpText({
      provider: PROVIDER,
      url: settings.url,
      method: settings.method ?? 'GET',
      headers: {
        ...(named.has('accept') ? {} : { accept: 'application/json' }),
        ...(settings.body !== undefined && !named.has('content-type')
          ? { 'content-type': 'application/json' }
          : {}),
        ...headers,
      },
      body: settings.body,
      signal: request.signal,
    });
    const exact = parseExactJson(PROVIDER, text) as JsonValue;
    const plain = JSON.parse(text) as JsonValue;

    const balance = selectOne(plain, exact, settings.balancePath, 'balancePath');
    const amount =
      typeof balance.value === 'number' || typeof balance.value === 'string'
        ? exactAmount(String(balance.literal))
        : undefined;
    if (amount === undefined) {
      throw new BalanceFetchError('invalid_response', `${PROVIDER}: balancePath did not select a number`);
    }

    let currency = settings.currency;
    if (settings.currencyPath !== undefined) {
      const selected = selectOne(plain, exact, settings.currencyPath, 'currencyPath').value;
      if (typeof selected !== 'string' || !/^[A-Za-z]{3}$/.test(selected)) {
        throw new BalanceFetchError(
          'invalid_response',
          `${PROVIDER}: currencyPath did not select a currency code`,
        );
      }
      currency = selected.toUpperCase();
    }
    return { balance: amount, currency: currency as string };
  }
}

/** The one value `expression` selects: as JSON.parse read it, and its lossless literal. */
function selectOne(
  plain: JsonValue,
  exact: JsonValue,
  expression: string,
  setting: string,
): { value: JsonValue; literal: JsonValue } {
  const found = paths(plain, expression);
  if (found.length !== 1) {
    throw new BalanceFetchError(
      'invalid_response',
      `${PROVIDER}: ${setting} selected ${found.length} values; exactly one is needed`,
    );
  }
  const [path] = found as [string];
  return { value: query(plain, path)[0] as JsonValue, literal: query(exact, path)[0] as JsonValue };
}
