import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const OFFICER = { username: 'kubota', name: 'Kubota (security officer)', password: 'officer password 91', role: 'security_officer' };
const REPORTER = { username: 'endo', name: 'Endo (staff)', password: 'reporter password 92', role: 'reporter' };

test('the officer reads the handling metrics: charts with their tables, filters checked in place, CSV', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await createUser(page.request, OFFICER);
  await createUser(page.request, REPORTER);
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  for (const [kind, discovery] of [['targeted_email', 'external_notification'], ['malware_infection', 'user_report']]) {
    const r = await officer.request.post('/api/incidents/report', {
      form: {
        'form[title]': `Metrics sample: ${kind}`,
        'form[observed]': 'Seen in the proxy log.',
        'form[noticed_at]': '2026-11-20T09:30',
        'form[location]': 'pc-0042',
        'form[discovery]': discovery,
        'form[kind]': kind,
        'form[reporter_contact]': 'it-desk@example.jp',
        'form[notifier][organisation]': 'Partner CSIRT',
        'form[notifier][person]': 'duty officer',
        'form[notifier][contact]': 'csirt@partner.example',
        'form[notifier][their_reference]': 'P-1',
      },
    });
    expect(await r.json()).toHaveProperty('Done');
  }

  await officer.getByRole('link', { name: 'Metrics' }).click();
  await expect(officer).toHaveURL(/\/metrics$/);
  await ready(officer);
  await expect(officer.getByRole('heading', { name: 'Handling metrics' })).toBeVisible();
  const total = Number(await officer.getByTestId('mt-incidents').textContent());
  expect(total).toBeGreaterThanOrEqual(2);
  // Each chart is an image with a title, and its table has the numbers.
  const kinds = officer.locator('.breakdown[data-by="kind"]');
  await expect(kinds.getByRole('img', { name: 'Kind' })).toBeVisible();
  const targeted = Number(await kinds.locator('tr[data-value="targeted_email"] td').textContent());
  expect(targeted).toBeGreaterThanOrEqual(1);
  await expect(kinds.locator('svg g.bar').filter({ hasText: 'Targeted e-mail' })).toHaveAttribute('data-value', `${targeted}.000`);
  await expect(officer.locator('tr[data-kpi="detection_lag"]')).toContainText('report recorded');
  await expect(officer.getByTestId('mt-outside')).toContainText('94%');
  await shot(officer, '40-metrics');

  // Narrowed by kind through the form; the choice stays selected.
  await officer.locator('#f-kind').selectOption('targeted_email');
  await officer.getByRole('button', { name: 'Filter' }).click();
  await expect(officer).toHaveURL(/kind=targeted_email/);
  await expect(officer.getByTestId('mt-incidents')).toHaveText(String(targeted));
  await expect(officer.locator('#f-kind')).toHaveValue('targeted_email');

  // The CSV of a table, with the same filters.
  const download = officer.waitForEvent('download');
  await officer.locator('section[data-table="counts"] a.csv').click();
  const csv = await (await download).path();
  const text = require('fs').readFileSync(csv, 'utf8');
  expect(text).toContain(`kind,targeted_email,${targeted}`);
  expect(text).toContain('kind,malware_infection,0');

  // A filter that does not check is named in place; nothing is drawn.
  await officer.goto('/metrics?from=2026-02-30&kind=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  await ready(officer);
  await expect(officer.locator('#from-error')).toHaveText('Enter a date and time.');
  await expect(officer.locator('#kind-error')).toHaveText('Choose one of the options.');
  await expect(officer.locator('svg.chart')).toHaveCount(0);

  // Someone who only reports sees no link and gets no figures.
  const reporter = await signedInPage(browser, REPORTER.username, REPORTER.password);
  await expect(reporter.getByRole('link', { name: 'Metrics' })).toHaveCount(0);
  const refused = await reporter.request.post('/api/metrics', { form: { 'form[every]': 'month' } });
  expect(refused.status()).toBe(403);
  await reporter.goto('/metrics');
  await expect(reporter.getByText('You are not allowed to do this.')).toBeVisible();
});

test('the officer generates an incident report, downloads it, and finds the version listed', async ({ browser }) => {
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  const r = await officer.request.post('/api/incidents/report', {
    form: {
      'form[title]': 'Report sample <b>not bold</b>',
      'form[observed]': 'A mail with an attachment.\n# not a heading',
      'form[noticed_at]': '2026-11-21T10:00',
      'form[location]': 'pc-0099',
      'form[discovery]': 'user_report',
      'form[kind]': 'targeted_email',
      'form[reporter_contact]': 'it-desk@example.jp',
    },
  });
  const id = (await r.json()).Done as string;
  await officer.goto(`/incidents/${id}`);
  await ready(officer);
  const panel = officer.getByTestId('reports');
  // For whom is required: refused in place, nothing generated.
  await panel.getByRole('button', { name: 'Generate the report' }).click();
  await expect(panel.locator('#rp-audience-error')).toHaveText('This field is required.');
  await panel.getByLabel('Report', { exact: true }).selectOption('internal');
  await panel.getByLabel('Language').selectOption('ja');
  await panel.getByLabel('For whom').fill('CSIRT 運営委員会');
  await panel.getByRole('button', { name: 'Generate the report' }).click();
  // The new version is listed (the page refreshes), with its download.
  const row = panel.locator('table.report-versions tr[data-version="1"]');
  await expect(row).toContainText('CSIRT 運営委員会');
  const download = officer.waitForEvent('download');
  await row.getByRole('link', { name: 'v1' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`${id}-internal-v1.ja.md`);
  const text = require('fs').readFileSync(await file.path(), 'utf8');
  expect(text).toContain(`# インシデント報告書 ${id}: Report sample \\<b\\>not bold\\</b\\>`);
  expect(text).toContain('\\# not a heading');
  expect(text).toContain('## 検証情報');
  await shot(officer, '41-report-generated');

  // The same report as a PDF: laid out in Japanese, the hostile title as
  // text, the version's hash in its last section; its first page drawn.
  await panel.getByLabel('Language').selectOption('ja');
  await panel.getByLabel('Format').selectOption('pdf');
  await panel.getByLabel('For whom').fill('経営会議');
  await panel.getByRole('button', { name: 'Generate the report' }).click();
  const second = panel.locator('table.report-versions tr[data-version="2"]');
  await expect(second).toContainText('経営会議');
  await expect(second).toContainText('pdf');
  const pdfDownload = officer.waitForEvent('download');
  await second.getByRole('link', { name: 'v2' }).click();
  const pdf = await pdfDownload;
  expect(pdf.suggestedFilename()).toBe(`${id}-internal-v2.ja.pdf`);
  const pdfPath = await pdf.path();
  const { execFileSync } = require('child_process');
  const pdfText: string = execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
  expect(pdfText).toContain(`インシデント報告書 ${id}: Report sample <b>not bold</b>`);
  expect(pdfText).toContain('# not a heading');
  expect(pdfText).toContain('検証情報');
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfPath, 'output/screenshots/42-report-pdf-page-1']);
  expect(require('fs').statSync('output/screenshots/42-report-pdf-page-1.png').size).toBeGreaterThan(10000);
});
