import { readFileSync, writeFileSync } from 'node:fs';
import { ERR, vigilError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { declaredKeys, wireKey } from '../core/wire-keys.js';
import { reportHtml } from '../loadtest/report-html.js';
import { type LoadtestReport, loadtestReportSchema } from '../loadtest/report-schema.js';
import { loadReportAssets } from '../ui/assets.js';

/**
 * `vigil loadtest --report report.html`: the run as one HTML file (charts inlined, opens offline),
 * from the run just made or, with `--report-from run.json`, from a report saved with `--json`.
 */

/** Writes the HTML report; its texts are scrubbed as the printed report's are. */
export function writeHtmlReport(report: LoadtestReport, file: string): void {
  const scrubbed = JSON.parse(redact(JSON.stringify(report))) as LoadtestReport;
  writeFileSync(file, reportHtml(scrubbed, loadReportAssets()));
}

/** A report saved with `vigil loadtest --json > run.json` (snake_case keys; an older camelCase one reads too). */
export function readSavedReport(file: string): LoadtestReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_REPORT_INPUT, { detail: `${file}: ${(err as Error).message}` });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_REPORT_INPUT, { detail: `${file}: not JSON (${(err as Error).message})` });
  }
  const parsed = loadtestReportSchema.safeParse(declaredKeys(loadtestReportSchema, value));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The path in the file's own (wire) names.
    const path = issue?.path.map((p) => (typeof p === 'string' ? wireKey(p) : String(p))).join('.');
    throw vigilError(ERR.VIGIL_ERR_LOADTEST_REPORT_INPUT, {
      detail: `${file}: not a vigil loadtest --json report (${issue ? `${path || 'top level'}: ${issue.message}` : 'invalid'})`,
    });
  }
  return parsed.data;
}
