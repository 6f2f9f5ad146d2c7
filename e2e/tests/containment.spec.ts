import { APIRequestContext, Browser, expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const RESPONDER = { username: 'nakamura', name: 'Nakamura (IT LAN admin)', password: 'responder password 2', role: 'it_lan_admin' };
const OFFICER = { username: 'kimura', name: 'Kimura (security officer)', password: 'officer password 34', role: 'security_officer' };



async function done(r: Promise<import('@playwright/test').APIResponse>) {
  const res = await r;
  expect(await res.json()).toEqual({ Done: null });
}

/** Reports an incident and brings it to phase B, decided "respond now", with pc-0042 as an asset. */
async function triaged(responder: APIRequestContext, officer: APIRequestContext): Promise<string> {
  const r = await responder.post('/api/incidents/report', {
    form: {
      'form[title]': 'C2 beaconing from pc-0042',
      'form[observed]': 'Proxy log: POST every 60 s to 203.0.113.7.',
      'form[noticed_at]': '2026-11-20T09:30',
      'form[location]': 'pc-0042',
      'form[discovery]': 'internal_detection',
      'form[kind]': 'malware_infection',
      'form[reporter_contact]': 'it-desk@example.jp',
    },
  });
  const id = (await r.json()).Done as string;
  const incident = await (await officer.post('/api/incidents/get', { form: { id } })).json();
  for (const t of incident.tasks.filter((t: any) => t.phase === 'A' && t.required && t.status !== 'done')) {
    await done(officer.post('/api/incidents/task', { form: { id, task: t.id, status: 'done', note: 'ok' } }));
  }
  await done(responder.post('/api/incidents/command', { form: { id, command: 'take_into_triage' } }));
  await done(officer.post('/api/incidents/command', {
    form: { id, command: 'decide', decision: 'respond_now', severity: 'high', reason: 'beaconing confirmed' },
  }));
  await done(responder.post('/api/incidents/asset/add', { form: { id, asset_type: 'host', identifier: 'pc-0042' } }));
  return id;
}

test('a responder proposes isolating an endpoint, the officer approves, the page shows it isolated', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await createUser(page.request, RESPONDER);
  await createUser(page.request, OFFICER);
  const responder = await signedInPage(browser, RESPONDER.username, RESPONDER.password);
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  const id = await triaged(responder.request, officer.request);

  // The responder proposes moving the host to the isolation network.
  await responder.goto(`/incidents/${id}`);
  await ready(responder);
  const panel = responder.locator('section.containment');
  await expect(panel.getByText('No containment measure is in force.')).toBeVisible();
  const form = panel.locator('form.propose-form');
  // Nothing chosen: the errors appear in place and nothing is lost.
  await form.getByLabel('Reason').fill('Beaconing every 60 s to a known C2 address');
  await form.getByRole('button', { name: 'Propose a measure' }).click();
  await expect(form.getByText('This field is required.').first()).toBeVisible();
  await expect(form.getByLabel('Reason')).toHaveValue('Beaconing every 60 s to a known C2 address');
  await form.getByLabel('Target').selectOption({ label: 'Host — pc-0042' });
  await form.getByLabel('Measure').selectOption('host.move_network');
  // The catalogue entry's C/I/A impact shows before proposing.
  await expect(form.locator('dl.measure-facts')).toContainText('C ▲');
  await form.getByLabel('Expected effect').fill('No more traffic from pc-0042 to the C2 server; memory kept for forensics');
  await shot(responder, '20-containment-proposal');
  await form.getByRole('button', { name: 'Propose a measure' }).click();
  const card = panel.locator('li.measure[data-measure="host.move_network"]');
  await expect(card.locator('span.ms').first()).toHaveText('Proposed');
  // The accepted form is cleared for the next proposal.
  await expect(form.getByLabel('Reason')).toHaveValue('');
  // The proposer cannot approve their own proposal.
  await expect(card.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  // The officer is told, opens the incident from the notification and approves.
  await officer.goto('/incidents');
  await ready(officer);
  await expect(officer.locator('header .count')).toHaveText('1');
  await officer.getByRole('link', { name: /Notifications/ }).click();
  await expect(officer.getByText('A containment measure awaits your approval')).toBeVisible();
  await officer.getByRole('link', { name: id }).click();
  await ready(officer);
  const ocard = officer.locator('li.measure[data-measure="host.move_network"]');
  await ocard.getByLabel('Rationale / note').fill('Isolate but keep it running: memory is needed');
  await ocard.getByRole('button', { name: 'Approve' }).click();
  await expect(ocard.locator('span.ms').first()).toHaveText('Approved');
  await expect(ocard.getByLabel('Rationale / note')).toHaveValue('');
  await shot(officer, '21-containment-approved');

  // The responder records the execution; the host shows as isolated, in force.
  await responder.reload();
  await ready(responder);
  await card.getByLabel('Rationale / note').fill('Switch port moved to VLAN 999 (quarantine)');
  await card.getByRole('button', { name: 'Record execution' }).click();
  const row = panel.locator('table.in-force tr[data-target="pc-0042"]');
  await expect(row).toBeVisible();
  await expect(row).toContainText('Executed');
  await expect(row).toContainText(RESPONDER.name);
  await expect(panel.locator('table.cia-summary')).toContainText('protects');
  await expect(responder.getByText('Containment executed').first()).toBeVisible();
  await shot(responder, '22-containment-in-force');
});
