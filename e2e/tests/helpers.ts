import { expect, Page } from '@playwright/test';

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
