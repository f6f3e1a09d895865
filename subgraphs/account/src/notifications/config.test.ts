import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envFields, parseEnv } from '@shop/platform';
import { DEV_SMTP_URL, notificationEnvModel, notificationSettings, refineNotificationEnv } from './config.ts';

const model = z.object({ NODE_ENV: envFields.nodeEnv(), ...notificationEnvModel }).superRefine(refineNotificationEnv);

describe('notification settings', () => {
  it('runs on the dev defaults outside production', () => {
    const env = parseEnv(model, {});
    expect(notificationSettings(env)).toEqual({
      smtpUrl: DEV_SMTP_URL,
      storefrontUrl: 'http://localhost:3000',
      from: 'Shop <no-reply@shop.localhost>',
    });
  });

  it('refuses every dev default in production, and takes real values', () => {
    expect(() => parseEnv(model, { NODE_ENV: 'production' })).toThrow(/SMTP_URL[\s\S]*STOREFRONT_URL[\s\S]*MAIL_FROM/);
    const env = parseEnv(model, {
      NODE_ENV: 'production',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      STOREFRONT_URL: 'https://shop.example.com',
      MAIL_FROM: 'Shop <no-reply@example.com>',
    });
    expect(env.SMTP_URL).toBe('smtps://user:pass@mail.example.com:465');
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    expect(() => parseEnv(model, { SMTP_URL: 'http://127.0.0.1:2525' })).toThrow(/SMTP_URL/);
  });
});
