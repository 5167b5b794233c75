import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { HAS_TASKSET } from './pinning.js';

/** One line of the table: a figure beside its limit. `limit` undefined = informational. */
export interface Row {
  row: string;
  figure: number;
  unit: string;
  /** `min`: figure ≥ limit passes; `max`: figure ≤ limit passes. */
  kind?: 'min' | 'max';
  limit?: number;
  /** How the limit was derived, e.g. "0.6 × crypto ceiling". */
  limitText?: string;
  detail?: string;
}

export function verdict(row: Row): 'PASS' | 'FAIL' | '' {
  if (row.limit === undefined || row.kind === undefined) return '';
  if (!Number.isFinite(row.figure)) return 'FAIL';
  return (row.kind === 'min' ? row.figure >= row.limit : row.figure <= row.limit) ? 'PASS' : 'FAIL';
}

/** figure ÷ limit: ≥ 1 passes a `min` limit, ≤ 1 passes a `max` limit. */
export function ratio(row: Row): string {
  if (row.limit === undefined || row.limit === 0) return '';
  return (row.figure / row.limit).toFixed(2);
}

const fmt = (n: number) =>
  !Number.isFinite(n)
    ? String(n)
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : String(Math.round(n * 100) / 100);

function cells(row: Row): string[] {
  const limit =
    row.limit === undefined
      ? '—'
      : `${row.kind === 'min' ? '≥' : '≤'} ${fmt(row.limit)} ${row.unit}${row.limitText ? ` (${row.limitText})` : ''}`;
  return [row.row, `${fmt(row.figure)} ${row.unit}`, limit, ratio(row), verdict(row), row.detail ?? ''];
}

const HEADER = ['row', 'figure', 'limit', 'ratio', 'verdict', 'detail'];

/** A plain-text table for the terminal. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A Markdown table (bench-results/summary.md, pasted into docs/performance.md). */
export function markdownTable(rows: readonly Row[]): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}

export interface Machine {
  cpuModel: string;
  nproc: number;
  node: string;
  commit: string;
  date: string;
  taskset: boolean;
}

export function machine(): Machine {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    nproc: cpus().length,
    node: process.version,
    commit,
    date: new Date().toISOString(),
    taskset: HAS_TASKSET,
  };
}
