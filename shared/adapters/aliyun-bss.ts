/**
 * Alibaba Cloud BSS OpenAPI (2017-12-14) through the official SDK, shared by the bill and balance
 * adapters: the client (ACS3-HMAC-SHA256 signing, see billing/aliyun.ts for the sources) and one
 * RPC call whose answer comes back as raw text. The SDK's own methods parse JSON numbers into
 * floats; the callers parse the text with lossless-json instead and keep every amount's digits.
 */
import BssOpenApiModule from '@alicloud/bssopenapi20171214';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';

// A CommonJS `exports.default`: Node's ESM loader hands back module.exports, bundlers the class.
const BssOpenApi =
  (BssOpenApiModule as unknown as { default?: typeof BssOpenApiModule }).default ?? BssOpenApiModule;
export type BssClient = InstanceType<typeof BssOpenApiModule>;

/** `endpoint`: a host (`business.aliyuncs.com`) or a URL (`http://127.0.0.1:port` for fakes). */
export const bssClient = (
  credentials: { accessKeyId: string; accessKeySecret: string },
  endpoint: string,
  readTimeoutMs: number,
): BssClient => {
  const url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`);
  return new BssOpenApi(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      endpoint: url.host,
      protocol: url.protocol === 'http:' ? 'HTTP' : 'HTTPS',
      connectTimeout: 10_000,
      readTimeout: readTimeoutMs,
    }),
  );
};

/**
 * One BSS action with the same params as the SDK's `<action>WithOptions`, except the raw text
 * response. SDK errors (AlibabaCloudError, transport errors) propagate for the caller to map.
 */
export const callBssRaw = async (
  client: BssClient,
  action: string,
  query: Record<string, string> = {},
): Promise<string> => {
  const params = new $OpenApiUtil.Params({
    action,
    version: '2017-12-14',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'string',
  });
  const response = await client.callApi(
    params,
    new $OpenApiUtil.OpenApiRequest(Object.keys(query).length > 0 ? { query: OpenApiUtil.query(query) } : {}),
    // callApi reads only optional runtime overrides; the SDK's own methods pass an empty one.
    {} as Parameters<BssClient['callApi']>[2],
  );
  return String(response.body ?? '');
};
