/** A tiny JSON client for the local API, returning status, headers and the parsed body. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export const api = (baseUrl: string) => {
  const call = async <T = any>(
    method: string,
    path: string,
    options: {
      token?: string;
      apiKey?: string;
      json?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.rawBody !== undefined) {
      body = options.rawBody;
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  };
  return {
    call,
    get: <T = any>(path: string, o?: Parameters<typeof call>[2]) => call<T>('GET', path, o),
    post: <T = any>(path: string, json: unknown, o?: Parameters<typeof call>[2]) =>
      call<T>('POST', path, { ...o, json }),
    put: <T = any>(path: string, json: unknown, o?: Parameters<typeof call>[2]) =>
      call<T>('PUT', path, { ...o, json }),
    patch: <T = any>(path: string, json: unknown, o?: Parameters<typeof call>[2]) =>
      call<T>('PATCH', path, { ...o, json }),
    del: <T = any>(path: string, o?: Parameters<typeof call>[2]) => call<T>('DELETE', path, o),
  };
};
