/**
 * A stored monthly report as an e-mail (subject, HTML, plain text, CSV attachment) and as a
 * download (markdown, HTML or CSV).
 *
 * The markdown may have been written by an LLM, so the HTML is built defensively: raw HTML in the
 * markdown is shown as text, never passed through; links keep only http(s) and mailto targets; and
 * images are replaced by their alt text (a finance e-mail loads nothing remote).
 */
import { stringify } from 'csv-stringify/sync';
import { Marked, Renderer } from 'marked';
import type { Tokens } from 'marked';
import type { ReportSummaryData } from '../../domain/reports/summary';
import { displayMoney } from '../../domain/reports/template';
import { escapeHtml } from '../../domain/html';

/** What rendering reads of a report (a stored ReportRecord is one). */
export interface RenderableReport {
  periodMonth: string;
  summary: ReportSummaryData;
  markdown: string;
  writer: 'llm' | 'template';
}

export interface RenderedReportEmail {
  subject: string;
  html: string;
  text: string;
  csv: string;
  csvFilename: string;
}

export type ReportFileFormat = 'markdown' | 'html' | 'csv';

export interface ReportFile {
  contentType: string;
  filename: string;
  body: string;
}

const SAFE_HREF = /^(https?:|mailto:)/i;

const CELL_STYLE = 'border:1px solid #d0d7de;padding:4px 8px';

/** marked's HTML renderer minus everything a report's markdown must not bring into an e-mail. */
class SafeRenderer extends Renderer {
  override html(token: Tokens.HTML | Tokens.Tag): string {
    const text = escapeHtml(token.text);
    return token.block ? `<p>${text.trim()}</p>\n` : text;
  }

  override link(token: Tokens.Link): string {
    const href = token.href.trim();
    return SAFE_HREF.test(href) ? super.link(token) : this.parser.parseInline(token.tokens);
  }

  override image(token: Tokens.Image): string {
    return escapeHtml(token.text);
  }

  override table(token: Tokens.Table): string {
    return super.table(token).replace(/^<table>/, '<table style="border-collapse:collapse;margin:8px 0">');
  }

  override tablecell(token: Tokens.TableCell): string {
    return super
      .tablecell(token)
      .replace(/^<(th|td)/, (start, tag: string) =>
        tag === 'th' ? `${start} style="${CELL_STYLE};background:#f6f8fa"` : `${start} style="${CELL_STYLE}"`,
      );
  }
}

// An instance in the options, not in `use()`: `use()` copies only a renderer's own enumerable
// properties, so a subclass's methods would be silently ignored there.
const marked = new Marked().setOptions({ gfm: true, async: false, renderer: new SafeRenderer() });

const markdownToHtml = (markdown: string): string => marked.parse(markdown, { async: false });

/** Text for a header line: one line (an enterprise name must not break a subject into headers). */
const oneLine = (text: string): string => text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim();

const writerLine = (writer: RenderableReport['writer']): string =>
  writer === 'llm'
    ? 'Written by an AI model through the Tollgate gateway; its totals are checked against the bills.'
    : 'Written by the Tollgate report template.';

const subjectOf = (report: RenderableReport, enterpriseName: string): string =>
  `AI cost report ${report.periodMonth}, ${oneLine(enterpriseName)}: ${displayMoney(report.summary.totalCost)} ${report.summary.currency}`;

const htmlDocument = (title: string, body: string, footer: string): string =>
  [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '</head>',
    '<body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5">',
    '<div style="max-width:860px;margin:0 auto">',
    body.trimEnd(),
    `<p style="color:#656d76;font-size:12px;margin-top:24px">${escapeHtml(footer)}</p>`,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');

/** A spreadsheet must not run a key as a formula (CSV injection): such text cells start with `'`. */
const inert = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

const csvOf = (summary: ReportSummaryData): string =>
  stringify(
    summary.topCosts.map((c) => [inert(c.dimension), inert(c.key), c.amount, summary.currency]),
    { header: true, columns: ['dimension', 'key', 'amount', 'currency'], record_delimiter: 'unix' },
  );

/** File names carry only the month (and stay safe in a Content-Disposition header). */
const baseName = (periodMonth: string): string =>
  `ai-cost-report-${periodMonth.replace(/[^A-Za-z0-9-]/g, '_')}`;

/**
 * The report as an e-mail: the subject names the month, the enterprise and the total; the HTML is
 * the markdown rendered safely in a minimal inline-styled document; the text is the markdown under
 * a short header; the CSV attachment holds the top costs with exact amounts.
 */
export const renderReportEmail = (report: RenderableReport, enterpriseName: string): RenderedReportEmail => {
  const subject = subjectOf(report, enterpriseName);
  const footer = writerLine(report.writer);
  return {
    subject,
    html: htmlDocument(subject, markdownToHtml(report.markdown), footer),
    text: `${subject}\n${footer}\n\n${report.markdown.trimEnd()}\n`,
    csv: csvOf(report.summary),
    csvFilename: `${baseName(report.periodMonth)}-top-costs.csv`,
  };
};

/** The report as a downloadable file in `format`. */
export const renderReportFile = (
  format: ReportFileFormat,
  report: RenderableReport,
  enterpriseName: string,
): ReportFile => {
  switch (format) {
    case 'markdown':
      return {
        contentType: 'text/markdown; charset=utf-8',
        filename: `${baseName(report.periodMonth)}.md`,
        body: report.markdown,
      };
    case 'html':
      return {
        contentType: 'text/html; charset=utf-8',
        filename: `${baseName(report.periodMonth)}.html`,
        body: renderReportEmail(report, enterpriseName).html,
      };
    case 'csv':
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: `${baseName(report.periodMonth)}-top-costs.csv`,
        body: csvOf(report.summary),
      };
  }
};
