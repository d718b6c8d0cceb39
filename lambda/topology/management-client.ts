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
  /** How transient failures are retried. @default DEFAULT_RETRY */
  readonly retry?: RetryPolicy;
  /**
   * Epoch milliseconds by which every call must have ended (the Lambda deadline less a margin): no attempt starts,
   * and no attempt waits, past it.
   * @default - no deadline; only `retry.attempts` bounds a call
   */
  readonly deadline?: number;
}

/**
 * Bounded retries with exponential backoff and full jitter for what a broker that just reached RUNNING, or a network
 * blip, gives: connection errors, timeouts, 5xx and 429. Any other 4xx is an answer (bad request, wrong credentials,
 * a forbidden change) and is never retried.
 */
export interface RetryPolicy {
  /** Attempts per call, the first included (1 = no retry). */
  readonly attempts: number;
  /** Upper bound of the first backoff in milliseconds; it doubles per attempt. */
  readonly baseDelayMs: number;
  /** Upper bound of any one backoff in milliseconds. */
  readonly maxDelayMs: number;
}

/** Six attempts over about 15 s of backoff at most: rides out a broker restarting its management listener. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 8_000 };

/** A failure worth another attempt; carries the last cause. */
class TransientFailure extends Error {}

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
  private readonly retry: RetryPolicy;
  private readonly deadline: number;

  constructor(connection: ManagementConnection) {
    if (!/^https?:\/\/[^/]+/.test(connection.managementUrl)) {
      throw new Error(
        `managementUrl: got ${JSON.stringify(connection.managementUrl)}; expected http(s)://HOST[:PORT] of the RabbitMQ management API`,
      );
    }
    this.baseUrl = connection.managementUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password}`).toString('base64')}`;
    this.timeoutMs = connection.timeoutMs ?? 15_000;
    this.retry = connection.retry ?? DEFAULT_RETRY;
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) {
      throw new Error(`retry.attempts: got ${this.retry.attempts}; allowed: a whole number of at least 1`);
    }
    this.deadline = connection.deadline ?? Number.POSITIVE_INFINITY;
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

  /** One call with its retries; throws the last failure once attempts or the deadline run out. */
  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(method, path, body);
      } catch (error) {
        if (!(error instanceof TransientFailure)) throw error;
        const backoff = Math.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
        const outOfTime = Date.now() + backoff >= this.deadline;
        if (attempt >= this.retry.attempts || outOfTime) {
          const note = ` (gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}${outOfTime ? ': the deadline left no time for another' : ''})`;
          if (error.cause instanceof ManagementApiError) {
            error.cause.message += note;
            throw error.cause;
          }
          throw new Error(`${error.message}${note}`, { cause: error.cause });
        }
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  private async attempt(method: string, path: string, body?: unknown): Promise<Response> {
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw new Error(`RabbitMQ management API ${method} ${path}: the deadline has passed`);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(Math.min(this.timeoutMs, remaining)),
      });
    } catch (error) {
      // Network errors carry the cause (ECONNREFUSED, timeout) one level down; surface it with the target.
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new TransientFailure(`RabbitMQ management API ${method} ${this.baseUrl}${path} failed: ${cause}`, {
        cause: error,
      });
    }
    if (response.ok || (response.status === 404 && method !== 'PUT' && method !== 'POST')) return response;
    const failure = new ManagementApiError(method, path, response.status, await reasonOf(response));
    if (response.status >= 500 || response.status === 429) {
      throw new TransientFailure(failure.message, { cause: failure });
    }
    throw failure;
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
