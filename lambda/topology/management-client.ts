/**
 * A minimal client for the RabbitMQ management HTTP API over global `fetch`, so the same code runs in Lambda
 * (Amazon MQ's https endpoint on 443) and locally (http://127.0.0.1:15672). No SDK exists for it.
 */

/** Where the management API lives and how to authenticate. */
export interface ManagementConnection {
  /** Base URL without `/api`, e.g. `https://b-1234.mq.eu-west-1.amazonaws.com` or `http://127.0.0.1:15672`. */
  readonly managementUrl: string;
  /** An administrator of the broker. */
  readonly username: string;
  readonly password: string;
  /** Per-request timeout in milliseconds. @default 15000 */
  readonly timeoutMs?: number;
}

/** A non-2xx answer from the management API; carries method, path, status and RabbitMQ's reason. */
export class ManagementApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string,
  ) {
    super(`RabbitMQ management API ${method} ${path} answered ${status}: ${reason}`);
    this.name = 'ManagementApiError';
  }
}

/** Builds an API path from segments, each URL-encoded (the default vhost `/` becomes `%2F`). */
export function apiPath(...segments: string[]): string {
  return `/api/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

export class ManagementClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(connection: ManagementConnection) {
    if (!/^https?:\/\/[^/]+/.test(connection.managementUrl)) {
      throw new Error(
        `managementUrl: got ${JSON.stringify(connection.managementUrl)}; expected http(s)://HOST[:PORT] of the RabbitMQ management API`,
      );
    }
    this.baseUrl = connection.managementUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
    this.timeoutMs = connection.timeoutMs ?? 15_000;
  }

  /** GET; `undefined` when the object does not exist (404). */
  async get<T>(path: string): Promise<T | undefined> {
    const response = await this.send('GET', path);
    if (response.status === 404) return undefined;
    return (await response.json()) as T;
  }

  async put(path: string, body: unknown): Promise<void> {
    await this.send('PUT', path, body);
  }

  async post(path: string, body: unknown): Promise<void> {
    await this.send('POST', path, body);
  }

  /** DELETE; `false` when the object was already gone (404). */
  async delete(path: string): Promise<boolean> {
    const response = await this.send('DELETE', path);
    return response.status !== 404;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // Network errors carry the cause (ECONNREFUSED, timeout) one level down; surface it with the target.
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new Error(`RabbitMQ management API ${method} ${this.baseUrl}${path} failed: ${cause}`);
    }
    if (response.ok || (response.status === 404 && method !== 'PUT' && method !== 'POST')) return response;
    throw new ManagementApiError(method, path, response.status, await reasonOf(response));
  }
}

async function reasonOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: string; reason?: string };
    return [parsed.error, parsed.reason].filter(Boolean).join(': ') || text;
  } catch {
    return text || response.statusText;
  }
}
