import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, ready, shot, signIn } from './helpers';

const RESPONDER = { username: 'hayashi', name: 'Hayashi (IT LAN admin)', password: 'responder password 3', role: 'it_lan_admin' };

test('a responder uploads a proxy log against its checklist item; the item is done and custody shows the upload', async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin', ADMIN_PASSWORD);
  const created = await page.request.post('/api/users/create', {
    form: { 'form[username]': RESPONDER.username, 'form[display_name]': RESPONDER.name, 'form[password]': RESPONDER.password, 'form[roles][]': RESPONDER.role },
  });
  expect(await created.json()).toHaveProperty('Done');
  const officerCreated = await page.request.post('/api/users/create', {
    form: { 'form[username]': 'ono', 'form[display_name]': 'Ono (officer)', 'form[password]': 'officer password 56', 'form[roles][]': 'security_officer' },
  });
  expect(await officerCreated.json()).toHaveProperty('Done');
  // The administrator declares the proxy with its actual retention.
  await page.goto('/admin/log-sources');
  await ready(page);
  await page.getByLabel('Kind of source').selectOption('proxy');
  await page.getByLabel('System', { exact: true }).fill('squid01.example.jp');
  await page.getByLabel('Retention (days)').fill('400');
  await page.getByRole('button', { name: 'Declare a log source' }).click();
  await expect(page.locator('table.log-sources input[value="squid01.example.jp"]')).toBeVisible();
  // What the detectors need to know: a mistake is refused with its line and
  // the text stays as typed; the playbook's detectors are listed beside it.
  const detection = page.getByTestId('detection-settings');
  const settings = detection.getByLabel('Declarations (TOML)');
  await settings.fill('proxies = ["10.0.0.8"]\nallowed_conect_ports = [8443]');
  await detection.getByRole('button', { name: 'Save the settings' }).click();
  await expect(detection.locator('#det-text-error')).toContainText('Line 2:');
  await expect(settings).toHaveValue('proxies = ["10.0.0.8"]\nallowed_conect_ports = [8443]');
  await settings.fill('proxies = ["10.0.0.8"]\nbusiness_hours = [9, 18]');
  await detection.getByRole('button', { name: 'Save the settings' }).click();
  await expect(detection.getByRole('status')).toContainText('Saved.');
  await expect(detection.locator('tr[data-detector="proxy.beaconing"]')).toContainText('Periodic requests (beaconing)');
  await shot(page, '29-detection-settings');

  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo' });
  const responder = await context.newPage();
  await signIn(responder, RESPONDER.username, RESPONDER.password);
  const r = await responder.request.post('/api/incidents/report', {
    form: {
      'form[title]': 'Beaconing seen in the proxy log',
      'form[observed]': 'POST every 60 s to 203.0.113.7',
      'form[noticed_at]': '2026-11-20T09:30',
      'form[location]': 'pc-0077',
      'form[discovery]': 'internal_detection',
      'form[kind]': 'malware_infection',
      'form[reporter_contact]': 'it-desk@example.jp',
    },
  });
  const id = (await r.json()).Done as string;
  const officerContext = await browser.newContext({ locale: 'en-US' });
  const officer = await officerContext.newPage();
  await signIn(officer, 'ono', 'officer password 56');
  const inc = await (await officer.request.post('/api/incidents/get', { form: { id } })).json();
  for (const t of inc.tasks.filter((t: any) => t.phase === 'A' && t.required && t.status !== 'done')) {
    await officer.request.post('/api/incidents/task', { form: { id, task: t.id, status: 'done', note: 'ok' } });
  }
  expect(await (await responder.request.post('/api/incidents/command', { form: { id, command: 'take_into_triage' } })).json()).toEqual({ Done: null });

  await responder.goto(`/incidents/${id}`);
  await ready(responder);
  const panel = responder.locator('section.evidence');
  const item = panel.locator('ul.checklist li[data-source="proxy"]');
  await expect(item).toHaveAttribute('data-status', 'open');
  await expect(item).toContainText('squid01.example.jp');
  await shot(responder, '30-evidence-checklist');

  const form = panel.locator('form.upload-form');
  await form.getByLabel('Fulfils checklist item').selectOption({ label: 'Web proxy — squid01.example.jp' });
  await form.getByLabel('What it is').selectOption('log');
  await form.getByLabel('Description').fill('Squid access log, 13–20 November');
  await form.getByLabel('Source host').fill('squid01.example.jp');
  await form.getByLabel('How it was acquired').fill('scp of /var/log/squid/access.log*');
  await form.getByLabel('When it was acquired').fill('2026-11-20T11:00');
  await form.getByLabel('File').setInputFiles({
    name: 'access.log',
    mimeType: 'text/plain',
    buffer: Buffer.from(
      '1763601000.123 200 10.0.0.77 TCP_MISS/200 512 POST http://203.0.113.7/b - HIER_DIRECT/203.0.113.7 -\n' +
      '1763601060.456 3000 10.0.0.77 TCP_TUNNEL/200 40960 CONNECT evil.example:8443 - HIER_DIRECT/198.51.100.66 -\n'),
  });
  await form.getByRole('button', { name: 'Upload evidence' }).click();
  await ready(responder);
  await expect(responder.getByText('Evidence stored.')).toBeVisible();
  await expect(item).toHaveAttribute('data-status', 'fulfilled');
  await expect(item).toContainText('access.log');
  const entry = panel.locator('ul.registry li[data-file="access.log"]');
  await expect(entry.locator('ol.custody li[data-kind="uploaded"]')).toContainText(RESPONDER.name);
  await expect(entry.locator('ol.custody li[data-kind="acquired"]')).toBeVisible();
  await expect(entry).toContainText('SHA-256');
  await shot(responder, '31-evidence-uploaded');

  // Log triage (seed 001): the stored log is analysed in the background;
  // the run shows its progress, the finding cites its line, and the value
  // it implicates is recorded as an observable.
  const triage = responder.getByTestId('triage');
  await triage.getByLabel('Evidence item').selectOption({ label: 'access.log' });
  await triage.getByRole('button', { name: 'Analyse' }).click();
  const run = triage.locator('[data-testid="triage-runs"] tr').filter({ hasText: 'access.log' });
  await expect(run).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
  await expect(run.locator('progress')).toHaveAttribute('value', '100');
  await expect(run).toContainText('2 lines: 2 read, 0 not understood');
  const finding = triage.locator('li.finding[data-detector="proxy.connect_port"]');
  await expect(finding).toContainText('8443');
  await expect(finding).toContainText('2@');
  // Grouped by detector, then host; the filters narrow the list.
  await expect(triage.locator('section.finding-group[data-group="proxy.connect_port"] h4')).toContainText('CONNECT to ports other than 80 and 443');
  await expect(triage.locator('section.finding-group[data-group="proxy.connect_port"] h5')).toContainText('10.0.0.77');
  await triage.getByLabel('Contains').fill('no-such-host');
  await expect(triage.getByText('No finding matches the filters.')).toBeVisible();
  await triage.getByLabel('Contains').fill('8443');
  await expect(finding).toBeVisible();
  await shot(responder, '32-triage-findings');
  // The client becomes an asset of the incident; the finding a task of the phase.
  await finding.locator('ul.implicated li').filter({ hasText: '10.0.0.77' }).getByRole('button', { name: 'Add as asset' }).click();
  const assets = async () => (await (await responder.request.post('/api/incidents/get', { form: { id } })).json()).assets.length;
  await expect.poll(assets).toBeGreaterThan(0);
  await ready(responder);
  await finding.getByRole('button', { name: 'Open a task' }).click();
  await expect(triage.locator('li.finding[data-detector="proxy.connect_port"] .task-opened')).toBeVisible();
  const after = await (await responder.request.post('/api/incidents/get', { form: { id } })).json();
  expect(after.assets.map((a: any) => a.identifier)).toContain('10.0.0.77');
  const followUp = after.tasks.find((t: any) => t.action_id.startsWith('finding.'));
  expect(followUp.name.en).toMatch(/^Investigate: /);
  expect(followUp.role).toBe('it_lan_admin');
  await expect(responder.getByText(followUp.name.en).first()).toBeVisible();
  await finding.locator('ul.implicated li').filter({ hasText: 'evil.example' }).getByRole('button', { name: 'Record as observable' }).click();
  await expect(triage.locator('li.finding[data-detector="proxy.connect_port"]')).toContainText('recorded as observable');
  await expect(responder.locator('section.observables')).toContainText('evil.example');
  // Analysing is in the item's chain of custody.
  await expect(entry.locator('ol.custody li[data-kind="analysed"]')).toBeVisible();

  // A longer log (the test server reads evidence at 400 KB/s,
  // HIKESHI_TRIAGE_READ_LIMIT): the run's progress moves on the page while
  // it works, and a second run of the same item can be cancelled, keeping
  // nothing.
  const lines: string[] = [];
  for (let i = 0; lines.join('').length < 2_000_000; i++) {
    const t = 1763600000 + i;
    lines.push(`${t}.${String(i % 1000).padStart(3, '0')} ${100 + (i % 50)} 10.0.${i % 7}.${20 + (i % 30)} TCP_MISS/200 ${1000 + (i % 900)} GET http://www${i % 40}.example.com/page/${i} - HIER_DIRECT/198.51.100.${i % 200} text/html\n`);
  }
  await form.getByLabel('What it is').selectOption('log');
  await form.getByLabel('Description').fill('Squid access log, whole week');
  await form.getByLabel('Source host').fill('squid01.example.jp');
  await form.getByLabel('How it was acquired').fill('scp of /var/log/squid/access.log.1');
  await form.getByLabel('When it was acquired').fill('2026-11-20T11:30');
  await form.getByLabel('File').setInputFiles({ name: 'proxy-week.log', mimeType: 'text/plain', buffer: Buffer.from(lines.join('')) });
  await form.getByRole('button', { name: 'Upload evidence' }).click();
  await expect(panel.locator('ul.registry li[data-file="proxy-week.log"]')).toBeVisible();
  await triage.getByLabel('Evidence item').selectOption({ label: 'proxy-week.log' });
  await triage.getByRole('button', { name: 'Analyse' }).click();
  const week = triage.locator('[data-testid="triage-runs"] tr').filter({ hasText: 'proxy-week.log' });
  await expect(week).toHaveCount(1);
  const percent = async () => Number(await week.locator('progress').getAttribute('value'));
  await expect.poll(percent, { timeout: 15_000 }).toBeGreaterThan(0);
  expect(await percent()).toBeLessThan(100);
  await expect(week).toHaveAttribute('data-status', 'running');
  await shot(responder, '33-triage-progress');
  await expect(week).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  await expect(week.locator('progress')).toHaveAttribute('value', '100');
  const stored = async () => (await (await responder.request.post('/api/incidents/get', { form: { id } })).json());
  const findingsAfterFirst = (await stored()).findings.length;

  await triage.getByLabel('Evidence item').selectOption({ label: 'proxy-week.log' });
  await triage.getByRole('button', { name: 'Analyse' }).click();
  await expect(week).toHaveCount(2);
  await expect(week.first()).toHaveAttribute('data-status', /queued|running/);
  await week.first().getByRole('button', { name: 'Cancel' }).click();
  await expect(week.first()).toHaveAttribute('data-status', 'cancelled', { timeout: 10_000 });
  const after2 = await stored();
  expect(after2.findings.length).toBe(findingsAfterFirst);
  expect(after2.triage_runs.filter((r: any) => r.status === 'cancelled')).toHaveLength(1);
});
