import { Browser, expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const RESPONDER = { username: 'ogawa', name: 'Ogawa (IT LAN admin)', password: 'responder password 77', role: 'it_lan_admin' };
const OFFICER = { username: 'morita', name: 'Morita (security officer)', password: 'officer password 78', role: 'security_officer' };



async function reportIncident(page: Page, title: string): Promise<string> {
  const r = await page.request.post('/api/incidents/report', {
    form: {
      'form[title]': title,
      'form[observed]': 'A mail with an attachment that opened a connection.',
      'form[noticed_at]': '2026-11-20T09:30',
      'form[location]': 'pc-0042',
      'form[discovery]': 'user_report',
      'form[kind]': 'targeted_email',
      'form[reporter_contact]': 'it-desk@example.jp',
    },
  });
  return (await r.json()).Done as string;
}

test('a responder pastes IOCs, sees the other incident that shares one, and exports STIX', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await createUser(page.request, RESPONDER);
  await createUser(page.request, OFFICER);
  const responder = await signedInPage(browser, RESPONDER.username, RESPONDER.password);
  const first = await reportIncident(responder, 'Invoice mail to accounting');
  const second = await reportIncident(responder, 'Beaconing from the sales laptop');

  await responder.goto(`/incidents/${first}`);
  await ready(responder);
  const panel = responder.locator('section.observables');
  await expect(panel.getByText('No observables recorded yet.')).toBeVisible();
  const form = panel.locator('form.paste-form');
  const block = 'hxxp://update-check[.]example[.]net/gate.php\n198.51.100[.]7\nthis is not an indicator\nattacker[@]example.com';
  await form.getByLabel('Observables, one per line').fill(block);
  // The preview names each line, the bad one with why.
  await form.getByRole('button', { name: 'Preview' }).click();
  const preview = panel.locator('table.preview');
  await expect(preview.locator('tr')).toHaveCount(5);
  await expect(preview).toContainText('http://update-check.example.net/gate.php');
  await expect(preview.locator('tr.bad')).toContainText('this is not an indicator');
  // Saving refuses the block, names the line, keeps what was typed.
  await form.getByRole('button', { name: 'Save all' }).click();
  await expect(form.locator('ul.error li')).toHaveText([/^Line 3: The type could not be told/]);
  await expect(form.getByLabel('Observables, one per line')).toHaveValue(block);
  expect((await (await responder.request.post('/api/incidents/get', { form: { id: first } })).json()).observables).toEqual([]);
  await form.getByLabel('Observables, one per line').fill(block.replace('this is not an indicator\n', ''));
  await form.getByRole('button', { name: 'Save all' }).click();
  const table = panel.locator('table.observables');
  await expect(table).toContainText('198.51.100.7');
  await expect(table).toContainText('attacker@example.com');
  await expect(table).toContainText('C2 IP address');
  await shot(responder, '40-observables-pasted');

  // The second incident records the same C2 address, defanged differently.
  const add = await responder.request.post('/api/incidents/observable/add', {
    form: { id: second, 'form[kind]': 'c2_ip', 'form[value]': '198.51.100.7', 'form[tlp]': 'amber', 'form[pap]': 'amber', 'form[indicator]': 'true' },
  });
  expect(await add.json()).toEqual({ Done: null });
  await responder.goto(`/incidents/${second}`);
  await ready(responder);
  const row = responder.locator('section.observables table.observables tr', { hasText: '198.51.100.7' });
  await expect(row).toContainText('also in 1 incident(s):');
  await expect(responder.getByText('Shared observables with other incidents').first()).toBeVisible();
  await row.getByRole('link', { name: first }).click();
  await expect(responder).toHaveURL(new RegExp(`/incidents/${first}$`));
  await ready(responder);
  await expect(responder.locator('section.observables tr', { hasText: '198.51.100.7' })).toContainText(second);

  // The store's page proposes the two incidents as one campaign.
  await responder.getByRole('link', { name: 'Threat intelligence' }).click();
  await ready(responder);
  const proposal = responder.locator('ul.campaigns li.campaign');
  await expect(proposal).toHaveCount(1);
  await expect(proposal.getByRole('link', { name: first })).toBeVisible();
  await expect(proposal.getByRole('link', { name: second })).toBeVisible();
  await expect(proposal).toContainText('198.51.100.7');
  await shot(responder, '41-campaign-proposed');

  // The export is a STIX 2.1 bundle with the indicator's value.
  const stix = await responder.request.get(`/api/incidents/${first}/stix?tlp=amber`);
  expect(stix.headers()['content-type']).toBe('application/stix+json;version=2.1');
  const bundle = await stix.json();
  expect(bundle.type).toBe('bundle');
  expect(JSON.stringify(bundle)).toContain('198.51.100.7');
  await responder.goto(`/incidents/${first}`);
  await ready(responder);
  await expect(responder.locator('form.export-form')).toBeVisible();
  // A selection: only the ticked observable goes into the bundle.
  await responder.getByLabel('Select for export: 198.51.100.7').check();
  const [picked] = await Promise.all([
    responder.waitForEvent('download'),
    responder.locator('form.export-form').getByRole('button').click(),
  ]);
  const selection = await (await picked.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
  expect(selection).toContain('198.51.100.7');
  expect(selection).not.toContain('update-check.example.net');

  // The officer confirms the proposal as a campaign and names it.
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  await officer.goto('/intel');
  await ready(officer);
  const confirm = officer.locator('ul.campaigns li.campaign form.confirm-campaign');
  await confirm.getByRole('button', { name: 'Confirm as a campaign' }).click();
  await expect(confirm.getByRole('alert')).toHaveText('This field is required.');
  await confirm.getByLabel('Campaign name').fill('Operation <Kasai>');
  await confirm.getByRole('button', { name: 'Confirm as a campaign' }).click();
  await confirm.getByRole('link', { name: 'Campaign confirmed: open it' }).click();
  await ready(officer);
  await expect(officer.locator('h1')).toContainText('Operation <Kasai>');
  const members = officer.locator('table.campaign-incidents');
  await expect(members.getByRole('link', { name: first })).toBeVisible();
  await expect(members.getByRole('link', { name: second })).toBeVisible();
  await expect(officer.locator('table.shared-values')).toContainText('198.51.100.7');
  await expect(officer.locator('ol.campaign-timeline li', { hasText: 'Linked to a campaign' })).toHaveCount(2);
  // Edited: a bad TLP cannot be chosen, so the actor and techniques.
  const edit = officer.locator('form.campaign-form');
  await edit.getByLabel('Threat actor').fill('APT-Hikeshi');
  await edit.getByLabel(/^Techniques/).fill('t1566.001\nbeaconing over HTTP');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(officer.locator('dd.techniques')).toContainText('T1566.001');
  await expect(officer.locator('dl.facts')).toContainText('APT-Hikeshi');
  await shot(officer, '42-campaign-page');
  // Exported as a STIX bundle with the campaign and its actor.
  const [download] = await Promise.all([
    officer.waitForEvent('download'),
    officer.locator('form.export-form').getByRole('button').click(),
  ]);
  const exported = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8')));
  const types = exported.objects.map((o: { type: string }) => o.type);
  expect(types).toContain('campaign');
  expect(types).toContain('threat-actor');
  expect(JSON.stringify(exported)).toContain('198.51.100.7');

  // The officer shares the C2 address through TAXII from the incident page.
  await officer.goto(`/incidents/${second}`);
  await ready(officer);
  const shared = officer.locator('section.observables table.observables tr', { hasText: '198.51.100.7' });
  await shared.getByRole('button', { name: 'Share through TAXII' }).click();
  await expect(shared).toContainText('shared (TAXII)');
  await expect(shared.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
});
