// Progress of one `bulk-delete` run (possibly several jobs): the totals, a one-line bar for a
// terminal, and the final summary.
import type { Job, JobCounts } from '@dnc/client';
import { activeJobStatuses } from '@dnc/shared/vocabulary';

export interface Totals {
  total: number;
  /** Items that are no longer pending (executed or cancelled). */
  done: number;
  counts: JobCounts;
  /** Latest estimatedCompletionAt of the jobs still running, if the service gave one. */
  estimatedCompletionAt: string | null;
}

const countKeys = ['pending', 'deleted', 'notFound', 'forbidden', 'failed', 'cancelled'] as const;

export function aggregate(jobs: Iterable<Job>): Totals {
  const counts: JobCounts = { pending: 0, deleted: 0, notFound: 0, forbidden: 0, failed: 0, cancelled: 0 };
  let total = 0;
  let eta: number | null = null;
  for (const job of jobs) {
    total += job.total;
    for (const key of countKeys) counts[key] += job.counts[key];
    if (job.estimatedCompletionAt && activeJobStatuses.includes(job.status)) {
      eta = Math.max(eta ?? 0, Date.parse(job.estimatedCompletionAt));
    }
  }
  return {
    total,
    done: total - counts.pending,
    counts,
    estimatedCompletionAt: eta === null ? null : new Date(eta).toISOString(),
  };
}

const number = new Intl.NumberFormat('en-US');
export const formatCount = (value: number) => number.format(value);

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function describeCounts(counts: JobCounts): string {
  return [
    `deleted ${formatCount(counts.deleted)}`,
    `not found ${formatCount(counts.notFound)}`,
    `forbidden ${formatCount(counts.forbidden)}`,
    `failed ${formatCount(counts.failed)}`,
    `cancelled ${formatCount(counts.cancelled)}`,
  ].join(' · ');
}

/** `[#######-------]  52.1%  5,210/10,000  ETA 1m 05s  deleted … · cancelled 0` (what matters most first: a narrow terminal cuts the end). */
export function progressLine(totals: Totals, now = Date.now(), barWidth = 24): string {
  const fraction = totals.total === 0 ? 1 : totals.done / totals.total;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
  const left = totals.estimatedCompletionAt ? Date.parse(totals.estimatedCompletionAt) - now : undefined;
  const eta = left === undefined ? '' : `  ETA ${left < 1_000 ? '<1s' : formatDuration(left)}`;
  return `${bar} ${percent}  ${formatCount(totals.done)}/${formatCount(totals.total)}${eta}  ${describeCounts(totals.counts)}`;
}

export interface ProgressDisplay {
  update(jobs: Iterable<Job>): void;
  /** Removes the bar (TTY) so the summary starts on a clean line. */
  stop(): void;
}

/**
 * On a terminal: one line redrawn in place (and every second, so the ETA counts down).
 * Elsewhere (a log file, CI): a plain line when the progress changes, at most every 5 s.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream): ProgressDisplay {
  let totals: Totals | undefined;
  if (stream.isTTY) {
    const draw = () => {
      if (!totals) return;
      const width = Math.max(20, (stream.columns || 100) - 1);
      stream.write(`\r\x1b[2K${progressLine(totals).slice(0, width)}`);
    };
    const ticker = setInterval(draw, 1_000);
    ticker.unref();
    return {
      update(jobs) {
        totals = aggregate(jobs);
        draw();
      },
      stop() {
        clearInterval(ticker);
        if (totals) stream.write('\r\x1b[2K');
      },
    };
  }
  let lastDone = -1;
  let lastWrite = 0;
  return {
    update(jobs) {
      totals = aggregate(jobs);
      const now = Date.now();
      if (totals.done === lastDone || (now - lastWrite < 5_000 && totals.done < totals.total)) return;
      lastDone = totals.done;
      lastWrite = now;
      stream.write(`${progressLine(totals, now)}\n`);
    },
    stop() {},
  };
}
