import { APIRequestContext, Browser, BrowserContext, expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn } from './helpers';

// Text that leaves an attribute, the page title or a textarea and runs
// script three ways: an inline handler, and an inline script. Every
// free-text field gets it; no page that shows it may run any of it.
const X = `"><img src=x onerror="window.__xss=1"></title></textarea><script>window.__xss=1</script>`;

const OFFICER = { username: 'xss.officer', name: `Officer ${X}`, password: 'officer password xss 1', role: 'security_officer' };
const RESPONDER = { username: 'xss.responder', name: `Responder ${X}`, password: 'responder password xss 2', role: 'it_lan_admin' };
const VENDOR = { username: 'xss.vendor', name: `Vendor ${X}`, password: 'vendor password xss 3', role: 'external_specialist' };

/** What a page did that it must not: dialogs, CSP reports, script errors. */
type Watch = { dialogs: string[]; console: string[] };

/** A browser context that records every CSP violation and dialog. */
async function watchedContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo' });
  // Init scripts come in through the DevTools protocol, outside the page's CSP.
  await context.addInitScript(() => {
    (window as any).__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as any).__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return context;
}

function watch(page: Page): Watch {
  const w: Watch = { dialogs: [], console: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (/content.security.policy/i.test(m.text())) w.console.push(m.text());
  });
  return w;
}

async function signedIn(browser: Browser, u: { username: string; password: string }): Promise<[Page, Watch]> {
  const page = await (await watchedContext(browser)).newPage();
  const w = watch(page);
  await signIn(page, u.username, u.password);
  return [page, w];
}

/** Loads a page and holds it to: hydrated, nothing of X ran, no CSP report. */
async function visit(page: Page, w: Watch, path: string) {
  await page.goto(path);
  await ready(page);
  // A handler or script that the parser met would have run by now; give a
  // failed image load its moment too.
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  await clean(page, w, path);
}

async function clean(page: Page, w: Watch, where: string) {
  expect(await page.evaluate(() => (window as any).__xss), `script ran on ${where}`).toBeUndefined();
  expect(await page.evaluate(() => (window as any).__csp), `CSP violations on ${where}`).toEqual([]);
  expect(w.console, `CSP messages on ${where}`).toEqual([]);
  expect(w.dialogs, `dialogs on ${where}`).toEqual([]);
  // Markup from X never became elements.
  expect(await page.locator('img[src="x"]').count(), `an <img> from X on ${where}`).toBe(0);
  expect(await page.locator('script:not([nonce])').count(), `a script without nonce on ${where}`).toBe(0);
}

async function done(r: Promise<import('@playwright/test').APIResponse>) {
  const res = await r;
  expect(await res.json()).toEqual({ Done: null });
}


test('hostile text in every free-text field stays text on every page that shows it, under a CSP that lets only our scripts run', async ({ browser }) => {
  test.setTimeout(240_000);

  // The administrator records an organisation through its form, and the users.
  const [admin, adminWatch] = await signedIn(browser, { username: 'admin', password: ADMIN_PASSWORD });
  await visit(admin, adminWatch, '/admin/organisations');
  await admin.getByLabel('Name (Japanese)').fill(X);
  await admin.getByLabel('Name (English)').fill(`Vendor ${X}`);
  await admin.getByLabel('Kind').selectOption('forensics_vendor');
  await admin.getByLabel('Contract or terms of service').fill(X);
  await admin.getByLabel('Contact').fill(X);
  await admin.getByRole('button', { name: 'Record organisation' }).click();
  await expect(admin.locator('table.organisations')).toContainText(`Vendor ${X}`);
  const orgs = await (await admin.request.post('/api/organisations/list')).json();
  const org = orgs.find((o: any) => o.name_en === `Vendor ${X}`).id as string;
  await createUser(admin.request, OFFICER);
  await createUser(admin.request, RESPONDER);
  await createUser(admin.request, VENDOR, org);
  await done(admin.request.post('/api/log-sources/save', { form: { source: 'proxy', system: X, retention_days: '90', note: X } }));

  // The responder reports through the report form, every text field hostile.
  const [responder, responderWatch] = await signedIn(browser, RESPONDER);
  await visit(responder, responderWatch, '/incidents/new');
  await responder.getByLabel('Title', { exact: true }).fill(X);
  await responder.getByLabel('What was observed').fill(X);
  await responder.getByLabel('When it was noticed').fill('2026-11-20T09:30');
  await responder.getByLabel('Where (host, account, segment or service)').fill(X);
  await responder.getByLabel('How it was discovered').selectOption('internal_detection');
  await responder.getByLabel('Kind of incident').selectOption('malware_infection');
  await responder.getByLabel('Your contact (mail, phone)').fill(X);
  await responder.getByRole('button', { name: 'Submit report' }).click();
  await expect(responder).toHaveURL(/\/incidents\/INC-\d{4}-\d{4}$/);
  const id = responder.url().split('/').pop() as string;
  await ready(responder);
  await clean(responder, responderWatch, 'the page after reporting');
  await expect(responder).toHaveTitle(`${id} ${X}`);

  // Through triage and the decision, every text on the way hostile.
  const [officer, officerWatch] = await signedIn(browser, OFFICER);
  const api = officer.request;
  let inc = await (await api.post('/api/incidents/get', { form: { id } })).json();
  for (const t of inc.tasks.filter((t: any) => t.phase === 'A' && t.required && t.status !== 'done')) {
    await done(api.post('/api/incidents/task', { form: { id, task: t.id, status: 'done', note: X } }));
  }
  await done(responder.request.post('/api/incidents/command', { form: { id, command: 'take_into_triage' } }));
  await done(api.post('/api/incidents/command', { form: { id, command: 'decide', decision: 'respond_now', severity: 'high', reason: X } }));
  await done(responder.request.post('/api/incidents/asset/add', { form: { id, asset_type: 'host', identifier: X, note: X } }));
  inc = await (await api.post('/api/incidents/get', { form: { id } })).json();
  const optional = inc.tasks.find((t: any) => t.phase === inc.phase && !t.required && t.status !== 'done');
  if (optional) await done(api.post('/api/incidents/task/waive', { form: { id, task: optional.id, reason: X } }));
  const openItem = inc.checklist.find((c: any) => c.status === 'open');
  if (openItem) await done(api.post('/api/incidents/checklist/waive', { form: { id, item: openItem.id, reason: X } }));
  await done(responder.request.post('/api/incidents/prevention', { form: { id, technical: X, operational: X } }));

  // Evidence, its custody, and a containment measure.
  const uploaded = await responder.request.post(`/api/incidents/${id}/evidence`, {
    multipart: {
      kind: 'log', description: X, source_host: X, acquired_how: X, acquired_by: X,
      acquired_at: '2026-11-21T09:00', tz_offset: '-540', checklist_item: '',
      file: { name: 'proxy.log', mimeType: 'text/plain', buffer: Buffer.from('GET http://c2.example/\n') },
    },
    maxRedirects: 0,
  });
  expect(uploaded.status()).toBeLessThan(400);
  inc = await (await api.post('/api/incidents/get', { form: { id } })).json();
  const evidence = inc.evidence[0].id as string;
  await done(api.post('/api/incidents/evidence/custody', { form: { id, evidence, kind: 'transferred', from: X, to: X, reason: X } }));
  const asset = inc.assets[0].id as string;
  await done(responder.request.post('/api/incidents/containment/propose', {
    form: { id, measure: 'host.move_network', asset, reason: X, expected_effect: X },
  }));
  inc = await (await api.post('/api/incidents/get', { form: { id } })).json();
  await done(api.post('/api/incidents/containment/step', { form: { id, measure: inc.measures[0].id, step: 'approve', note: X } }));

  // The vendor, engaged on the incident, writes its report through the form.
  await done(api.post('/api/incidents/engage', {
    form: {
      id, 'form[organisation]': org, 'form[phases][]': 'E', 'form[evidence]': 'on', 'form[timeline]': 'on',
      'form[expires_at]': new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString().slice(0, 16), 'form[tz_offset]': '0',
    },
  }));
  const [vendor, vendorWatch] = await signedIn(browser, VENDOR);
  await visit(vendor, vendorWatch, `/incidents/${id}`);
  const report = vendor.locator('form.report-form');
  await report.getByLabel('Intrusion path').fill(X);
  await report.getByLabel('Spread: from where to where').fill(X);
  await report.getByLabel('Exfiltration path and data taken').fill(X);
  await report.getByLabel('What recovery needs').fill(X);
  await report.getByRole('button', { name: 'Submit report' }).click();
  await expect(vendor.getByText('Report submitted.')).toBeVisible();
  // Shown again to the vendor in the textareas, as text.
  await visit(vendor, vendorWatch, `/incidents/${id}`);
  for (const label of ['Intrusion path', 'Spread: from where to where', 'Exfiltration path and data taken', 'What recovery needs']) {
    await expect(vendor.locator('form.report-form').getByLabel(label)).toHaveValue(X);
  }
  await visit(vendor, vendorWatch, '/incidents');

  // A second incident closed as not an incident and reopened, both reasons hostile.
  const second = (await (await responder.request.post('/api/incidents/report', {
    form: {
      'form[title]': X, 'form[observed]': X, 'form[noticed_at]': '2026-11-20T10:00', 'form[location]': X,
      'form[discovery]': 'user_report', 'form[kind]': 'other', 'form[reporter_contact]': X,
    },
  })).json()).Done as string;
  let other = await (await api.post('/api/incidents/get', { form: { id: second } })).json();
  for (const t of other.tasks.filter((t: any) => t.phase === 'A' && t.required && t.status !== 'done')) {
    await done(api.post('/api/incidents/task', { form: { id: second, task: t.id, status: 'done', note: X } }));
  }
  await done(responder.request.post('/api/incidents/command', { form: { id: second, command: 'take_into_triage' } }));
  await done(api.post('/api/incidents/command', { form: { id: second, command: 'decide', decision: 'not_an_incident', severity: 'low', reason: X } }));
  await done(api.post('/api/incidents/command', { form: { id: second, command: 'reopen', reason: X } }));

  // The officer reads it all: the incident page, with a comment posted through its form.
  await visit(officer, officerWatch, `/incidents/${id}`);
  await expect(officer).toHaveTitle(`${id} ${X}`);
  await expect(officer.getByRole('heading', { level: 1 })).toHaveText(X);
  await expect(officer.locator('#p-technical')).toHaveValue(X);
  await expect(officer.locator('#p-operational')).toHaveValue(X);
  await expect(officer.locator('article.investigation-report')).toContainText(X);
  const timeline = officer.locator('ol.timeline');
  const comments = await timeline.locator('li.ev-comment').count();
  await officer.getByLabel('Comment', { exact: true }).fill(X);
  await officer.getByRole('button', { name: 'Post comment' }).click();
  // Posted by the hydrated form: the page stays and the new entry appears.
  await expect(timeline.locator('li.ev-comment')).toHaveCount(comments + 1);
  await expect(timeline.locator('li.ev-comment').first()).toContainText(X);
  await expect(officer).toHaveURL(new RegExp(`/incidents/${id}$`));
  await clean(officer, officerWatch, 'the incident page after commenting');
  await shot(officer, '50-hostile-text-as-text');
  // The officer revokes the vendor with a hostile reason and reads it back.
  const engagement = officer.locator('li.engagement').first();
  await engagement.getByLabel('Reason').fill(X);
  await engagement.getByRole('button', { name: 'Revoke now' }).click();
  await expect(engagement.locator('span.state')).toHaveText('Revoked');
  await visit(officer, officerWatch, `/incidents/${id}`);
  await expect(officer.locator('li.engagement').first()).toContainText(X);

  await visit(officer, officerWatch, '/admin/organisations');
  await expect(officer.locator('table.organisations')).toContainText(`Vendor ${X}`);
  for (const path of [`/incidents/${second}`, '/incidents', '/tasks', '/notifications', '/account']) {
    await visit(officer, officerWatch, path);
  }
  await expect(officer.getByRole('heading', { level: 1 })).not.toHaveCount(0);

  // The responder's page still works: a control that only hydrated code drives.
  await visit(responder, responderWatch, `/incidents/${id}`);
  const propose = responder.locator('section.containment form.propose-form');
  await propose.getByLabel('Measure').selectOption('host.move_network');
  await expect(propose.locator('dl.measure-facts')).toBeVisible();
  await clean(responder, responderWatch, 'the responder after choosing a measure');

  // The administrator's pages with the names, systems and notes.
  await visit(admin, adminWatch, '/admin/users');
  await expect(admin.getByText(`Responder ${X}`).first()).toBeVisible();
  await visit(admin, adminWatch, '/admin/log-sources');
  const systems = admin.locator('table.log-sources input[name="system"]');
  expect(await systems.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toContain(X);
  for (const path of ['/admin/organisations', '/admin/mail', '/incidents']) {
    await visit(admin, adminWatch, path);
  }
});
