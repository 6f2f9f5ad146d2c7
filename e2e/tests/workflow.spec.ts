import { Browser, expect, Page, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const RESPONDER = { username: 'kobayashi', name: 'Kobayashi (IT LAN admin)', password: 'responder password 1', role: 'it_lan_admin' };
const OFFICER = { username: 'watanabe', name: 'Watanabe (CISO office)', password: 'officer password 12', role: 'security_officer' };



/** Marks every required task of the current phase that this user may work as done. */
async function completeRequired(page: Page) {
  for (;;) {
    const open = page.locator('ul.tasks li.task:not(.task-done):not(.task-waived)', {
      has: page.locator('.badge.required'),
    }).filter({ has: page.getByRole('button', { name: 'Save' }) });
    if ((await open.count()) === 0) return;
    const task = open.first();
    const action = await task.getAttribute('data-action');
    await task.getByLabel('Status').selectOption('done');
    await task.getByLabel('Note').fill('done');
    await task.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator(`li.task[data-action="${action}"]`)).toHaveClass(/task-done/);
  }
}

async function advance(page: Page, to: string) {
  await completeRequired(page);
  await page.getByRole('button', { name: 'Complete phase and advance' }).click();
  await expect(page.locator('ol.stepper li.current .letter')).toHaveText(to);
}

test('a responder and a security officer take an incident from report to closure', async ({ page, browser }) => {
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await createUser(page.request, RESPONDER);
  await createUser(page.request, OFFICER);

  // The responder reports what the proxy showed and takes it into triage.
  const responder = await signedInPage(browser, RESPONDER.username, RESPONDER.password);
  await responder.getByRole('link', { name: 'Report an event' }).click();
  await ready(responder);
  await responder.getByLabel('Title', { exact: true }).fill('Beaconing from pc-0042 to an unknown host');
  await responder.getByLabel('What was observed').fill('Proxy log: POST every 60 s to 203.0.113.7 with an unusual User-Agent.');
  await responder.getByLabel('When it was noticed').fill('2026-11-20T09:30');
  await responder.getByLabel('Where (host, account, segment or service)').fill('pc-0042');
  await responder.getByLabel('How it was discovered').selectOption('internal_detection');
  await responder.getByLabel('Kind of incident').selectOption('malware_infection');
  await responder.getByLabel('Your contact (mail, phone)').fill('it-desk@example.jp');
  await responder.getByRole('button', { name: 'Submit report' }).click();
  await expect(responder).toHaveURL(/\/incidents\/INC-\d{4}-\d{4}$/);
  const url = responder.url();
  await ready(responder);
  await expect(responder.locator('ol.stepper li.current .letter')).toHaveText('A');
  // Only the commands this user may use are offered: no sign-off, no decision.
  await expect(responder.getByRole('button', { name: 'Complete phase and advance' })).toHaveCount(0);
  await completeRequired(responder);
  await responder.getByRole('button', { name: 'Take into triage' }).click();
  await expect(responder.locator('ol.stepper li.current .letter')).toHaveText('B');
  await expect(responder.getByRole('button', { name: 'Record decision' })).toHaveCount(0);

  // The officer decides to respond now, with severity and reason.
  const officer = await signedInPage(browser, OFFICER.username, OFFICER.password);
  await officer.goto(url);
  await ready(officer);
  await expect(officer.locator('ol.stepper li.current .letter')).toHaveText('B');
  await shot(officer, '10-stepper-at-B');
  const decide = officer.getByRole('form', { name: 'First-response decision' });
  await decide.getByRole('button', { name: 'Record decision' }).click();
  await expect(decide.getByText('This field is required.').first()).toBeVisible();
  await decide.getByLabel('Respond now').check();
  await decide.getByLabel('Severity').selectOption('high');
  await decide.getByLabel('Reason').fill('C2 beaconing confirmed in the proxy log');
  await decide.getByRole('button', { name: 'Record decision' }).click();
  await expect(officer.getByText('First-response decision').first()).toBeVisible();
  await expect(officer.locator('ul.targets li')).toHaveCount(2);

  await advance(officer, 'C');
  await shot(officer, '11-stepper-at-C');
  for (const next of ['D', 'E', 'F', 'G']) {
    await advance(officer, next);
  }
  await shot(officer, '12-stepper-at-G');

  // Closing needs recurrence prevention; the responder records it.
  await completeRequired(officer);
  // The button says why it cannot be used yet.
  await expect(officer.getByRole('button', { name: 'Close incident' })).toBeDisabled();
  await expect(officer.getByText('Record technical and operational recurrence-prevention measures first.')).toBeVisible();
  await responder.goto(url);
  await ready(responder);
  await responder.getByLabel('Technical measures').fill('Block 203.0.113.7 at the proxy; EDR rule for the dropper.');
  await responder.getByLabel('Operational measures').fill('Quarterly phishing drill; report suspicious mail to the desk.');
  await responder.getByRole('button', { name: 'Save' }).last().click();
  await expect(responder.getByText('Recurrence prevention recorded').first()).toBeVisible();

  // And every measure of the recurrence-prevention checklist decided
  // (seed 003's (1)–(8) and exit measures, seed 000, seed 004).
  await officer.reload();
  await ready(officer);
  await expect(officer.getByText(/recurrence-prevention measure\(s\) are neither accepted, rejected nor scheduled/)).toBeVisible();
  const checklist = officer.getByTestId('prevention-checklist');
  await expect(checklist.getByRole('heading', { name: 'Recurrence prevention checklist' })).toBeVisible();
  const first = checklist.locator('ol.prevention > li').first();
  // A rejection without its reason is refused beside that measure, and what was chosen stays.
  await first.locator('details.pv-decide > summary').click();
  await first.getByLabel('Decision').selectOption('rejected');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first.getByText('This field is required.')).toBeVisible();
  await expect(first.getByLabel('Decision')).toHaveValue('rejected');
  // Scheduled, with an owner and a due date.
  await first.getByLabel('Decision').selectOption('scheduled');
  await first.getByLabel('Owner').selectOption({ label: RESPONDER.name });
  await first.getByLabel('Due').fill('2027-03-31');
  await first.getByLabel('Note or reason').fill('Budget request in Q1');
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(checklist.locator('ol.prevention > li').first().locator('.badge')).toHaveText('scheduled');
  await expect(checklist.getByTestId('prevention-progress')).toContainText('1 of');
  await shot(officer, '13a-prevention-checklist');
  // The rest are already in place: accepted at once, with a note.
  const rest = checklist.getByTestId('prevention-rest');
  await rest.locator('summary').click();
  await rest.getByLabel('Decision').selectOption('accepted');
  await rest.getByLabel('Note or reason').fill('Already in place since 2025');
  await rest.getByRole('button', { name: 'Decide the rest' }).click();
  await expect(checklist.locator('li.pv.undecided')).toHaveCount(0);
  await expect(checklist.locator('ol.prevention > li').first().locator('.badge')).toHaveText('scheduled');
  await officer.getByRole('button', { name: 'Close incident' }).click();
  await expect(officer.getByRole('status').filter({ hasText: 'Closed' })).toBeVisible();
  await expect(officer.getByText('resolved').first()).toBeVisible();
  await shot(officer, '13-closed');
});
