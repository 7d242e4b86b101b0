import { describe, expect, it } from 'vitest';
import { templateReport } from '../../../../shared/domain/reports/template';
import { renderReportEmail, renderReportFile } from '../../../../shared/usecases/reports/render';
import type { RenderableReport } from '../../../../shared/usecases/reports/render';
import { reportFacts } from '../../../factories/report-facts';

const { summary, markdown } = templateReport(reportFacts());
const report: RenderableReport = { periodMonth: '2026-10', summary, markdown, writer: 'template' };

const hostile = [
  '# Report <b>bold</b>',
  '',
  '<script>alert("x")</script>',
  '',
  'Inline <img src=x onerror=alert(1)> and <script>steal()</script> text.',
  '',
  '[click](javascript:alert(1)) [docs](https://example.com/docs) ![pixel](https://tracker.example/p.png)',
  '',
].join('\n');

describe('renderReportEmail', () => {
  it('names the month, the enterprise and the total in the subject', () => {
    const mail = renderReportEmail(report, 'Acme Robotics');
    expect(mail.subject).toBe('AI cost report 2026-10, Acme Robotics: 12,000.00 USD');
  });

  it('keeps the subject on one line', () => {
    const mail = renderReportEmail(report, 'Acme\r\nBcc: someone@example.com');
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('renders the markdown as an inline-styled HTML document', () => {
    const { html } = renderReportEmail(report, 'Acme Robotics');
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<title>AI cost report 2026-10, Acme Robotics: 12,000.00 USD</title>');
    expect(html).toContain('<h1>AI cost report 2026-10: Acme Robotics</h1>');
    expect(html).toContain('<table style="border-collapse:collapse;margin:8px 0">');
    expect(html).toContain(
      '<td style="border:1px solid #d0d7de;padding:4px 8px"><strong>Total</strong></td>',
    );
    expect(html).toContain('Written by the Tollgate report template.');
  });

  it('escapes raw HTML from the markdown and drops unsafe links and images', () => {
    const { html } = renderReportEmail({ ...report, markdown: hostile, writer: 'llm' }, 'Acme');
    const body = html.slice(html.indexOf('<body'));
    expect(body).not.toMatch(/<script|<img|<b>|javascript:|tracker\.example/i);
    expect(body).toContain('<h1>Report &lt;b&gt;bold&lt;/b&gt;</h1>');
    expect(body).toContain('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&lt;script&gt;steal()&lt;/script&gt;');
    expect(body).toContain('<a href="https://example.com/docs">docs</a>');
    expect(body).toContain('click');
    expect(body).toContain('pixel');
  });

  it('escapes the enterprise name in the HTML title', () => {
    const { html } = renderReportEmail(report, '<script>x</script>');
    expect(html).toContain(
      '<title>AI cost report 2026-10, &lt;script&gt;x&lt;/script&gt;: 12,000.00 USD</title>',
    );
  });

  it('gives the markdown as text under a short header', () => {
    const { text } = renderReportEmail(report, 'Acme Robotics');
    expect(text).toBe(
      `AI cost report 2026-10, Acme Robotics: 12,000.00 USD\nWritten by the Tollgate report template.\n\n${markdown}`,
    );
  });

  it('attaches the top costs as CSV with exact amounts', () => {
    const mail = renderReportEmail(report, 'Acme Robotics');
    expect(mail.csvFilename).toBe('ai-cost-report-2026-10-top-costs.csv');
    expect(mail.csv).toBe(
      [
        'dimension,key,amount,currency',
        'account,111122223333,6234.5675,USD',
        'service,compute,5100.125,USD',
        'project,p-search,4000.00,USD',
        'account,ali-main,4000.00,USD',
        'project,(untagged),3234.5675,USD',
        'project,p-web,3000.00,USD',
        'service,storage,2000.4425,USD',
        'service,ai-ml,1500.00,USD',
        'group,Research,1200.000001,USD',
        'group,Support,565.4325,USD',
        '',
      ].join('\n'),
    );
  });

  it('quotes CSV cells and keeps formulas inert', () => {
    const mail = renderReportEmail(
      {
        ...report,
        summary: {
          ...summary,
          topCosts: [
            { dimension: 'project', key: 'a,"b"', amount: '1.00' },
            { dimension: 'group', key: '=HYPERLINK("x")', amount: '-2.50' },
          ],
        },
      },
      'Acme',
    );
    expect(mail.csv).toBe(
      [
        'dimension,key,amount,currency',
        'project,"a,""b""",1.00,USD',
        `group,"'=HYPERLINK(""x"")",-2.50,USD`,
        '',
      ].join('\n'),
    );
  });

  it('gives only a header when there are no top costs', () => {
    const mail = renderReportEmail({ ...report, summary: { ...summary, topCosts: [] } }, 'Acme');
    expect(mail.csv).toBe('dimension,key,amount,currency\n');
  });
});

describe('renderReportFile', () => {
  it('serves the markdown, the HTML and the CSV', () => {
    expect(renderReportFile('markdown', report, 'Acme Robotics')).toEqual({
      contentType: 'text/markdown; charset=utf-8',
      filename: 'ai-cost-report-2026-10.md',
      body: markdown,
    });
    const mail = renderReportEmail(report, 'Acme Robotics');
    expect(renderReportFile('html', report, 'Acme Robotics')).toEqual({
      contentType: 'text/html; charset=utf-8',
      filename: 'ai-cost-report-2026-10.html',
      body: mail.html,
    });
    expect(renderReportFile('csv', report, 'Acme Robotics')).toEqual({
      contentType: 'text/csv; charset=utf-8',
      filename: 'ai-cost-report-2026-10-top-costs.csv',
      body: mail.csv,
    });
  });
});
