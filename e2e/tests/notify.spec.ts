import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, createUser, ready, shot, signIn, signedInPage } from './helpers';

const TRIAGE = { username: 'ishikawa', name: 'Ishikawa (CSIRT)', password: 'triage password 123', role: 'security_officer' };

// Seed 001 §5: most intrusions are first noticed outside. An outsider with no
// account tells the security team through /notify; it becomes a phase-A report.
test('an outsider notifies the security team without an account', async ({ page: admin, browser }) => {
  let page = admin;
  const outside = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await outside.goto('/login');
  await ready(outside);
  await outside.getByRole('link', { name: /Notify our security team/ }).click();
  await expect(outside).toHaveURL(/\/notify$/);
  await ready(outside);
  await expect(outside.getByRole('heading', { name: 'Notify our security team' })).toBeVisible();

  // Bad input: the errors are in place and what was typed stays.
  await outside.getByLabel('Your organisation').fill('Example ISP abuse desk');
  await outside.getByLabel('Subject').fill('Your host <b>192.0.2.10</b> sends spam');
  await outside.getByRole('button', { name: 'Send the notice' }).click();
  await expect(outside.getByText('This field is required.').first()).toBeVisible();
  await expect(outside.getByLabel('Your organisation')).toHaveValue('Example ISP abuse desk');
  await expect(outside.getByLabel('Subject')).toHaveValue('Your host <b>192.0.2.10</b> sends spam');
  await shot(outside, '40-notify-errors');

  await outside.getByLabel('How we can reach you (e-mail or phone)').fill('abuse@isp.example');
  await outside.getByLabel('What you saw, when, and how you know').fill('Our spam trap received 4,000 messages from 192.0.2.10 since 09:00 JST.');
  await outside.getByLabel('Your reference for this (optional)').fill('ABUSE-2026-77');
  await outside.getByRole('button', { name: 'Send the notice' }).click();
  const reference = outside.getByTestId('notice-reference');
  await expect(reference).toHaveText(/^N-[2-9A-Z]{5}-[2-9A-Z]{5}$/);
  // Nothing of what was sent is shown back.
  await expect(outside.getByText('192.0.2.10')).toHaveCount(0);
  await shot(outside, '41-notify-received');
  const ref = (await reference.textContent()) ?? '';

  // The handlers find it as a new report with who sent it.
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await createUser(page.request, TRIAGE);
  page = await signedInPage(browser, TRIAGE.username, TRIAGE.password);
  await page.getByRole('link', { name: 'Your host <b>192.0.2.10</b> sends spam' }).click();
  await ready(page);
  await expect(page.locator('ol.stepper li.current .letter')).toHaveText('A');
  const notice = page.getByTestId('outside-notice');
  await expect(notice).toContainText('Example ISP abuse desk');
  await expect(notice).toContainText('ABUSE-2026-77');
  await expect(notice).toContainText(ref);
  await expect(page.locator('h1')).toHaveText('Your host <b>192.0.2.10</b> sends spam');
  await shot(page, '42-notice-on-incident');
});
