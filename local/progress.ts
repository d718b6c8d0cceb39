/**
 * A progress bar on stderr while messages are in flight: redrawn in place on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes), so output stays readable either way.
 */

export interface ProgressSink {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  /** Redraw interval on a terminal. @default 100 */
  readonly ttyIntervalMs?: number;
  /** Shortest interval between lines without a terminal. @default 2000 */
  readonly lineIntervalMs?: number;
  /** Without a terminal, an unchanged state is repeated only this often (a heartbeat). @default 30000 */
  readonly heartbeatMs?: number;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

const BAR_WIDTH = 30;

/** `[##########--------------------]  667/2000  33%  delivered 650 · dead-lettered 17  4.1s` */
export function renderProgress(done: number, total: number, detail: string, elapsedMs: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  const width = String(total).length;
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(done).padStart(width)}/${total} ` +
    `${String(Math.floor(ratio * 100)).padStart(3)}%  ${detail}  ${(elapsedMs / 1000).toFixed(1)}s`
  );
}

export class ProgressBar {
  private readonly started: number;
  private lastDraw = -Infinity;
  private lastState = '';
  private finished = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
    private readonly options: ProgressOptions = {},
  ) {
    this.started = this.now();
  }

  /** Reports progress; draws only when the interval has passed (or `force`). */
  update(done: number, detail: string, force = false): void {
    if (this.finished) return;
    const now = this.now();
    const interval = this.sink.isTTY ? (this.options.ttyIntervalMs ?? 100) : (this.options.lineIntervalMs ?? 2_000);
    if (!force && now - this.lastDraw < interval) return;
    const state = `${done} ${detail}`;
    // Logs get a line when something moved, and a heartbeat while waiting (e.g. on a visibility timeout).
    if (
      !this.sink.isTTY &&
      !force &&
      state === this.lastState &&
      now - this.lastDraw < (this.options.heartbeatMs ?? 30_000)
    ) {
      return;
    }
    this.lastDraw = now;
    this.lastState = state;
    const line = renderProgress(done, this.total, detail, now - this.started);
    this.sink.write(this.sink.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  /** Draws the final state and ends the line. */
  finish(done: number, detail: string): void {
    this.update(done, detail, true);
    if (this.sink.isTTY) this.sink.write('\n');
    this.finished = true;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
