import { Browser, expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const OFFICER = { username: 'mori', name: 'Mori (security officer)', password: 'officer password 78', role: 'security_officer' };
const RESPONDER = { username: 'fujita', name: 'Fujita (IT LAN admin)', password: 'responder password 9', role: 'it_lan_admin' };
const VENDOR = { username: 'dfir.aoki', name: 'Aoki (DFIR Labs)', password: 'vendor password 1234', role: 'external_specialist' };



async function report(page: Page, title: string): Promise<string> {
  const r = await page.request.post('/api/incidents/report', {
    form: {
      'form[title]': title,
      'form[observed]': 'Outbound HTTPS to an unknown host at night',
      'form[noticed_at]': '2026-11-21T02:10',
      'form[location]': 'fs01',
      'form[discovery]': 'internal_detection',
      'form[kind]': 'information_leak',
      'form[reporter_contact]': 'it-desk@example.jp',
    },
  });
  return (await r.json()).Done as string;
}

test('the officer engages a vendor; the vendor sees exactly that incident, downloads evidence, submits the report; after revocation the next click is refused', async ({ page, browser }) => {
  // The administrator records the vendor and its user.
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.goto('/admin/organisations');
  await ready(page);
  await page.getByLabel('Name (Japanese)').fill('DFIRラボ株式会社');
  await page.getByLabel('Name (English)').fill('DFIR Labs');
  await page.getByLabel('Kind').selectOption('forensics_vendor');
  await page.getByLabel('Contract or terms of service').fill('Retainer contract 2026-031');
  await page.getByLabel('Contact').fill('soc@dfir-labs.example');
  await page.getByRole('button', { name: 'Record organisation' }).click();
  await expect(page.locator('table.organisations tr[data-org="DFIR Labs"]')).toBeVisible();
  const orgs = await (await page.request.post('/api/organisations/list')).json();
  const org = orgs.find((o: any) => o.name_en === 'DFIR Labs').id as string;
  await createUser(page.request, OFFICER);
  await createUser(page.request, RESPONDER);
  await createUser(page.request, VENDOR, org);
  await expect(page.locator('table.organisations')).toContainText('DFIR Labs');

  // An incident in phase B with a log in the registry, and one the vendor is not engaged on.
  const responder = await signedInPage(browser, RESPONDER.username, RESPONDER.password);
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  const id = await report(responder, 'Data leaving fs01 at night');
  const other = await report(responder, 'Unrelated phishing mail');
  const inc = await (await officer.request.post('/api/incidents/get', { form: { id } })).json();
  for (const t of inc.tasks.filter((t: any) => t.phase === 'A' && t.required && t.status !== 'done')) {
    await officer.request.post('/api/incidents/task', { form: { id, task: t.id, status: 'done', note: 'ok' } });
  }
  expect(await (await responder.request.post('/api/incidents/command', { form: { id, command: 'take_into_triage' } })).json()).toEqual({ Done: null });
  const uploaded = await responder.request.post(`/api/incidents/${id}/evidence`, {
    multipart: {
      kind: 'log', description: 'Firewall log, 20-21 November', source_host: 'fw01', acquired_how: 'export from the console',
      acquired_by: 'Fujita', acquired_at: '2026-11-21T09:00', tz_offset: '-540', checklist_item: '',
      file: { name: 'fw01.log', mimeType: 'text/plain', buffer: Buffer.from('2026-11-21T02:10 ALLOW 10.0.5.11 -> 198.51.100.9:443 1.2GB\n') },
    },
    maxRedirects: 0,
  });
  expect(uploaded.status()).toBeLessThan(400);

  // The officer engages the vendor on phase E with the evidence, for a week.
  await officer.goto(`/incidents/${id}`);
  await ready(officer);
  const panel = officer.locator('section.external');
  await panel.locator('details.engage summary').click();
  await panel.getByLabel('Organisation').selectOption({ label: 'DFIR Labs (Forensics vendor)' });
  const week = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  const local = new Date(week.getTime() + 9 * 3600 * 1000).toISOString().slice(0, 16);
  await panel.getByLabel('Expires').fill(local);
  await panel.getByRole('button', { name: 'Engage an organisation' }).click();
  const item = panel.locator('li.engagement[data-org="DFIR Labs"]');
  await expect(item.locator('span.state')).toHaveText('Active');
  await shot(officer, '40-engagement-granted');

  // The vendor sees exactly that incident.
  const vendor = await signedInPage(browser, VENDOR.username, VENDOR.password);
  const rows = vendor.locator('table.incidents tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(id);
  await expect(vendor.locator('table.incidents')).not.toContainText(other);
  await vendor.getByRole('link', { name: id }).click();
  await ready(vendor);
  await expect(vendor.getByRole('heading', { name: 'Your engagement' })).toBeVisible();
  await expect(vendor.locator('section.panel.external')).toHaveCount(0);
  const [download] = await Promise.all([
    vendor.waitForEvent('download'),
    vendor.locator('ul.registry li[data-file="fw01.log"] a.download').click(),
  ]);
  expect(download.suggestedFilename()).toBe('fw01.log');

  // The four parts of the report.
  const form = vendor.locator('form.report-form');
  await form.getByLabel('Intrusion path').fill('VPN account of a contractor, brute-forced on 19 November');
  await form.getByLabel('Spread: from where to where').fill('VPN gateway to fs01 over SMB');
  await form.getByLabel('Exfiltration path and data taken').fill('HTTPS to 198.51.100.9: design documents, 1.2 GB');
  await form.getByRole('button', { name: 'Submit report' }).click();
  await expect(form.locator('.field.has-error')).toHaveCount(1);
  await expect(form.getByLabel('Spread: from where to where')).toHaveValue('VPN gateway to fs01 over SMB');
  await form.getByLabel('What recovery needs').fill('Rebuild fs01; rotate the VPN accounts; block 198.51.100.9');
  await form.getByRole('button', { name: 'Submit report' }).click();
  await expect(vendor.getByText('Report submitted.')).toBeVisible();
  await shot(vendor, '41-vendor-report');

  // The officer sees the report with phase F's inputs, then revokes.
  await officer.reload();
  await ready(officer);
  await expect(officer.locator('article.investigation-report')).toContainText('VPN gateway to fs01 over SMB');
  await item.getByLabel('Reason').fill('Investigation delivered');
  await item.getByRole('button', { name: 'Revoke now' }).click();
  await expect(item.locator('span.state')).toHaveText('Revoked');

  // The vendor's next click is refused: its session is still there, the access is not.
  await vendor.locator('form.report-form').getByRole('button', { name: 'Submit report' }).click();
  await expect(vendor.locator('form.report-form p.error')).toHaveText('Not found.');
  await vendor.getByRole('link', { name: 'Incidents' }).first().click();
  await expect(vendor.locator('table.incidents tbody tr')).toHaveCount(0);
  const page404 = await vendor.goto(`/incidents/${id}`);
  expect(page404?.status()).toBe(404);
});
