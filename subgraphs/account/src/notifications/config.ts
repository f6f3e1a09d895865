import { z } from 'zod';
import { refuseDevDefaultsInProduction } from '@shop/platform';

// DEV DEFAULTS ONLY: the local SMTP sink of ./scripts/dev, a storefront on localhost, a sender that
// delivers nowhere. Production must set all three (see refineNotificationEnv).
export const DEV_SMTP_URL = 'smtp://127.0.0.1:2525';
export const DEV_STOREFRONT_URL = 'http://localhost:3000';
export const DEV_MAIL_FROM = 'Shop <no-reply@shop.localhost>';

/** The notification worker's settings: spread into the account subgraph's env model. */
export const notificationEnvModel = {
  /** Where mail is sent: smtp://host:port (STARTTLS when offered), smtps://user:pass@host:465. */
  SMTP_URL: z
    .string()
    .default(DEV_SMTP_URL)
    .refine((v) => /^smtps?:\/\/[^/]+/.test(v), 'must be an smtp:// or smtps:// URL'),
  /** The shop's web address: the links in emails (/account/verify, /account/reset) point there. */
  STOREFRONT_URL: z.string().url().default(DEV_STOREFRONT_URL),
  /** The sender of every email, e.g. `Shop <no-reply@example.com>`. */
  MAIL_FROM: z.string().min(3).default(DEV_MAIL_FROM),
};

/** For the account model's superRefine: production refuses the dev defaults (mail into a local sink, links to localhost). */
export const refineNotificationEnv = refuseDevDefaultsInProduction({
  SMTP_URL: DEV_SMTP_URL,
  STOREFRONT_URL: DEV_STOREFRONT_URL,
  MAIL_FROM: DEV_MAIL_FROM,
});

export interface NotificationSettings {
  smtpUrl: string;
  storefrontUrl: string;
  from: string;
}

/** The worker's options from the parsed config. */
export const notificationSettings = (env: { SMTP_URL: string; STOREFRONT_URL: string; MAIL_FROM: string }): NotificationSettings => ({
  smtpUrl: env.SMTP_URL,
  storefrontUrl: env.STOREFRONT_URL,
  from: env.MAIL_FROM,
});
