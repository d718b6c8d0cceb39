/** Small async helpers shared by the local event sources and drivers. */

/** Rejects with `<what> timed out after N ms` if `promise` has not settled in time; no timeout when undefined. */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number | undefined,
  what = 'function',
): Promise<T> {
  if (timeoutMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
