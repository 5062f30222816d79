import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Headless Chromium for the browser tests; CI runs as root on a fresh machine, so Debian's chromium is installed when missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    execSync('apt-get update && apt-get install -y chromium', {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  return puppeteer.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}
