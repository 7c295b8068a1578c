import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './proc';

/** One scenario's outcome: printed as a table row, written to bench-results.json as is. */
export interface Row {
  scenario: string;
  /** human-readable figures */
  ours: string;
  baseline: string;
  /** oriented so that 1.0 = as good as the baseline and higher is better; null if not measured */
  ratio: number | null;
  goal: string;
  /** goals missed (empty = all met) */
  goalMisses: string[];
  /** a fast wrong answer is a failure: every reason it was wrong */
  failures: string[];
  /** diagnostics printed under the table: where the time and the CPU went */
  notes: string[];
  /** the raw measurements behind the figures, for comparing runs */
  details: Record<string, unknown>;
}

function cells(row: Row): string[] {
  const goal = `${row.goal}: ${row.goalMisses.length ? `MISSED (${row.goalMisses.join('; ')})` : 'met'}`;
  const correctness = row.failures.length ? `FAIL: ${row.failures.join('; ')}` : 'PASS';
  return [
    row.scenario,
    row.ours,
    row.baseline,
    row.ratio === null ? '—' : row.ratio.toFixed(2),
    goal,
    correctness,
  ];
}

/** The one table, as Markdown so it can be pasted into a PR as it is. */
export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'our figure', 'baseline', 'ratio', 'goal', 'correctness'];
  const body = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)];
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario.split(' (')[0]}: ${n}`));
  return [...table, ...(notes.length ? ['', 'notes (medians over rounds):', ...notes] : [])].join('\n');
}

export function writeResults(rows: Row[], meta: Record<string, unknown>): string {
  const file = join(ROOT, 'bench-results.json');
  const doc = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    ...meta,
    rows,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  return file;
}
