import { expect, test } from '@playwright/test';
import { ADMIN_PASSWORD, ready, shot, signIn, signOut } from './helpers';

const REPORTER = { username: 'yamada', name: '山田 太郎', password: 'reporter password 1' };

test('administrator creates a reporter, who reports an event after fixing a missing field', async ({ page }) => {
  // The administrator signs in and creates a reporter account.
  await signIn(page, 'admin', ADMIN_PASSWORD);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await ready(page);
  await page.getByLabel('Username').fill(REPORTER.username);
  await page.getByLabel('Display name').fill(REPORTER.name);
  await page.getByLabel('Initial password').fill(REPORTER.password);
  await page.getByRole('button', { name: 'Create user' }).click();
  // No role ticked: the server refuses and says why, next to the roles.
  await expect(page.getByText('This field is required.')).toBeVisible();
  await expect(page.getByLabel('Display name')).toHaveValue(REPORTER.name);
  await page.getByRole('checkbox', { name: 'User / reporter' }).first().check();
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toHaveText('User created.');
  await expect(page.getByRole('cell', { name: REPORTER.username, exact: true })).toBeVisible();
  await shot(page, '01-admin-created-reporter');
  await signOut(page);

  // The reporter signs in and reports an event, forgetting the title.
  await signIn(page, REPORTER.username, REPORTER.password);
  await page.getByRole('link', { name: 'Report an event' }).click();
  await expect(page.getByRole('heading', { name: 'Report an event' })).toBeVisible();
  await ready(page);
  const observed = 'A mail from "HR" asked me to open an attached .exe file. I opened it.';
  await page.getByLabel('What was observed').fill(observed);
  await page.getByLabel('When it was noticed').fill('2026-11-20T09:30');
  await page.getByLabel('Where (host, account, segment or service)').fill('pc-0042 (yamada)');
  await page.getByLabel('How it was discovered').selectOption('user_report');
  await page.getByLabel('Kind of incident').selectOption('targeted_email');
  await page.getByLabel('Your contact (mail, phone)').fill('内線 1234');
  await page.getByRole('button', { name: 'Submit report' }).click();

  // The error stands next to the title; everything typed is still there.
  const title = page.getByLabel('Title', { exact: true });
  await expect(page.locator('#title-error')).toHaveText('This field is required.');
  await expect(title).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('What was observed')).toHaveValue(observed);
  await expect(page.getByLabel('Kind of incident')).toHaveValue('targeted_email');
  await expect(page.getByLabel('Your contact (mail, phone)')).toHaveValue('内線 1234');
  await shot(page, '02-report-missing-title');

  await title.fill('Suspicious mail with an executable attachment');
  await page.getByRole('button', { name: 'Submit report' }).click();
  await expect(page).toHaveURL(/\/incidents\/INC-\d{4}-\d{4}$/);
  await expect(page.getByRole('heading', { name: 'Suspicious mail with an executable attachment' })).toBeVisible();
  await expect(page.getByText('Discovery and report').first()).toBeVisible();
  // Noticed 09:30 in Tokyo is 00:30 UTC.
  await expect(page.getByText('2026-11-20 00:30 UTC')).toBeVisible();
  await shot(page, '03-incident-page');

  // It is in the list.
  await page.getByRole('link', { name: 'Incidents' }).click();
  await expect(page.getByRole('link', { name: 'Suspicious mail with an executable attachment' })).toBeVisible();
  await shot(page, '04-incident-list');
  await signOut(page);

  // Signed out, the list is out of reach.
  await page.goto('/incidents');
  await expect(page).toHaveURL(/\/login$/);
});

test('the interface switches to Japanese and back', async ({ page }) => {
  await page.goto('/login');
  await ready(page);
  await page.getByRole('link', { name: '日本語' }).click();
  await expect(page.getByRole('heading', { name: 'サインイン' })).toBeVisible();
  await ready(page);
  await page.getByRole('button', { name: 'サインイン' }).click();
  await expect(page.getByText('ユーザー名またはパスワードが違います。')).toBeVisible();
  await shot(page, '05-login-japanese');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
