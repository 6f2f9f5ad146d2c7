import { APIRequestContext, Browser, expect, Page } from '@playwright/test';

export const ADMIN_PASSWORD = 'e2e administrator password';

/** Clicks before hydration are lost: wait for the marker the app sets. */
export async function ready(page: Page) {
  await page.waitForSelector('body[data-hydrated="true"]');
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `output/screenshots/${name}.png`, fullPage: true });
}

export async function signIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await ready(page);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/incidents$/);
  await expect(page.getByRole('heading', { name: 'Incidents' })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

export type NewUser = { username: string; name: string; password: string; role: string };

/** Creates a user through the API of an administrator's session. */
export async function createUser(api: APIRequestContext, u: NewUser, org = '') {
  const r = await api.post('/api/users/create', {
    form: { 'form[username]': u.username, 'form[display_name]': u.name, 'form[password]': u.password, 'form[roles][]': u.role, 'form[organisation]': org },
  });
  expect(await r.json()).toHaveProperty('Done');
}

/** A new browser context (English, Tokyo time) signed in as this user. */
export async function signedInPage(browser: Browser, username: string, password: string): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo', acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, username, password);
  return page;
}
