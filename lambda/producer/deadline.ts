/**
 * The invocation deadline both producers keep: nothing is handed to the broker later than Lambda's deadline less the
 * longest wait for its acknowledgement and the time to report, so an invocation never ends with sends it cannot
 * account for.
 */

/** Time kept after the last acknowledgement wait to build, log and return the result before Lambda's deadline. */
export const REPORT_RESERVE_MS = 250;

/** The part of the Lambda context the producers use: its deadline. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** From `at` (epoch ms) on nothing more is sent; the messages not sent fail with `reason`. */
export interface SendCutoff {
  readonly at: number;
  readonly reason: string;
}

/**
 * The cutoff for an invocation whose context says `remaining` ms are left at `now`, when each send may wait up to
 * `waitMs` for its acknowledgement (`wait` names that timeout, `verb` what was not done); none without a context.
 */
export function sendCutoff(
  context: InvocationContext | undefined,
  waitMs: number,
  wording: { readonly verb: string; readonly wait: string },
  now: number = Date.now(),
): SendCutoff | undefined {
  const remaining = context?.getRemainingTimeInMillis();
  if (remaining === undefined) return undefined;
  return {
    at: now + remaining - waitMs - REPORT_RESERVE_MS,
    reason:
      `not ${wording.verb}: the invocation's deadline is near (${remaining} ms left when it began, less the ` +
      `${waitMs} ms ${wording.wait} and ${REPORT_RESERVE_MS} ms to report)`,
  };
}
