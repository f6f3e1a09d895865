import { describe, expect, it } from 'vitest';
import type { OrderDetails } from '@shop/platform';
import { escapeHtml, formatInstant, formatMoney, storefrontLink } from './format.ts';
import { orderConfirmedEmail, orderShippedEmail, passwordResetEmail, refundIssuedEmail, verificationEmail } from './templates.ts';
import { isPermanentRejection } from './mailer.ts';

const ctx = { shopName: 'Shop', storefrontUrl: 'https://shop.example/' };

const details = (overrides: Partial<OrderDetails> = {}): OrderDetails => ({
  number: 'ORD-000123',
  email: 'ada@example.com',
  customerId: null,
  currency: 'USD',
  lines: [
    { title: 'Mug', variantTitle: null, quantity: 2, unitPriceAmount: 1250 },
    { title: 'T-Shirt', variantTitle: 'M / Blue', quantity: 1, unitPriceAmount: 1999 },
  ],
  totals: { subtotal: 4499, discount: 500, shipping: 499, tax: 320, total: 4818 },
  shippingAddress: { name: 'Ada Lovelace', line1: '12 Analytical St', line2: null, city: 'London', postalCode: 'N1 9GU', countryCode: 'GB' },
  trackingNumber: null,
  ...overrides,
});

describe('money in emails', () => {
  it('shows minor units as the currency’s decimals with its code', () => {
    expect(formatMoney(2500, 'USD')).toBe('25.00 USD');
    expect(formatMoney(5, 'EUR')).toBe('0.05 EUR');
    expect(formatMoney(1999, 'JPY')).toBe('1999 JPY');
    expect(formatMoney(-500, 'GBP')).toBe('-5.00 GBP');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
  });

  it('refuses a currency the shop does not know rather than guessing its decimals', () => {
    expect(() => formatMoney(100, 'XYZ')).toThrow(RangeError);
  });

  it('lists each line, its amount and every total of an order confirmation', () => {
    const email = orderConfirmedEmail(ctx, details());
    expect(email.subject).toBe('Your order ORD-000123 is confirmed');
    for (const part of [email.text, email.html]) {
      expect(part).toContain('Mug');
      expect(part).toContain('25.00 USD'); // 2 x 12.50
      expect(part).toContain('T-Shirt (M / Blue)');
      expect(part).toContain('19.99 USD');
      expect(part).toContain('44.99 USD'); // subtotal
      expect(part).toContain('-5.00 USD'); // discount
      expect(part).toContain('4.99 USD'); // shipping
      expect(part).toContain('3.20 USD'); // tax
      expect(part).toContain('48.18 USD'); // total
      expect(part).toContain('12 Analytical St');
      expect(part).toContain('N1 9GU London');
    }
    expect(email.text).toContain('  Total: 48.18 USD');
  });

  it('leaves out a discount line when there is none', () => {
    const email = orderConfirmedEmail(ctx, details({ totals: { subtotal: 1000, discount: 0, shipping: 0, tax: 0, total: 1000 } }));
    expect(email.text).not.toContain('Discount');
    expect(email.html).not.toContain('Discount');
  });

  it('states a refund with its amount and the order number', () => {
    const email = refundIssuedEmail(ctx, { number: 'ORD-000123', amount: 4818, currency: 'USD' });
    expect(email.subject).toBe('Refund for your order ORD-000123');
    expect(email.text).toContain('We have refunded 48.18 USD for your order ORD-000123.');
    expect(email.html).toContain('48.18 USD');
  });
});

describe('HTML escaping', () => {
  it('escapes the five characters that can break out of text or an attribute', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
  });

  it('never lets a customer’s name, address or product title into the HTML as markup', () => {
    const evil = '<script>alert(1)</script>';
    const email = orderConfirmedEmail(
      ctx,
      details({
        shippingAddress: { name: `Eve ${evil}`, line1: '<b>1</b> St', line2: '"quoted"', city: 'C&A', postalCode: '1', countryCode: 'US' },
        lines: [{ title: `Mug ${evil}`, variantTitle: '<i>M</i>', quantity: 1, unitPriceAmount: 100 }],
      }),
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<b>1</b>');
    expect(email.html).not.toContain('<i>M</i>');
    expect(email.html).toContain('Eve &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('&quot;quoted&quot;');
    expect(email.html).toContain('C&amp;A');
    // The text part is plain text: shown as typed.
    expect(email.text).toContain(`Hi Eve ${evil},`);

    const verify = verificationEmail(ctx, { firstName: '<img src=x onerror=alert(1)>', token: 't', expiresAt: '2030-01-01T00:00:00Z' });
    expect(verify.html).not.toContain('<img');
    expect(verify.html).toContain('Hi &lt;img src=x onerror=alert(1)&gt;,');
  });
});

describe('links and tokens', () => {
  it('puts the verification token in a storefront link, in both parts', () => {
    const email = verificationEmail(ctx, { firstName: 'Ada', token: 'abc+/=def', expiresAt: '2030-01-02T03:04:05.000Z' });
    const link = 'https://shop.example/account/verify?token=abc%2B%2F%3Ddef';
    expect(email.subject).toBe('Confirm your email address for Shop');
    expect(email.text).toContain(link);
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain('Hi Ada,');
    expect(email.text).toContain('expires at 2030-01-02 03:04 UTC');
  });

  it('links the password reset to /account/reset and greets without a name when there is none', () => {
    const email = passwordResetEmail(ctx, { firstName: null, token: 'tok', expiresAt: '2030-01-01T00:00:00Z' });
    expect(email.text).toContain('https://shop.example/account/reset?token=tok');
    expect(email.text.startsWith('Hello,')).toBe(true);
  });

  it('keeps a storefront path prefix and escapes & in the HTML attribute', () => {
    expect(storefrontLink('https://shop.example/store//', '/account/verify', { token: 'a', b: 'c' })).toBe(
      'https://shop.example/store/account/verify?token=a&b=c',
    );
    expect(escapeHtml('https://x/?a=1&b=2')).toBe('https://x/?a=1&amp;b=2');
  });

  it('refuses an expiry that is not a date', () => {
    expect(() => formatInstant('soon')).toThrow(RangeError);
  });
});

describe('shipping email', () => {
  it('gives the tracking number and the items', () => {
    const email = orderShippedEmail(ctx, details({ trackingNumber: '1Z999AA1' }));
    expect(email.subject).toBe('Your order ORD-000123 has shipped');
    expect(email.text).toContain('Tracking number: 1Z999AA1');
    expect(email.html).toContain('<strong>1Z999AA1</strong>');
    expect(email.text).toContain('2 x Mug');
  });
});

describe('SMTP failures', () => {
  it('gives up only on a message the server refused for good, retrying outages, 4xx and bad credentials', () => {
    const err = (fields: Record<string, unknown>) => Object.assign(new Error('smtp'), fields);
    expect(isPermanentRejection(err({ code: 'EENVELOPE', responseCode: 550, permanent: true }))).toBe(true);
    expect(isPermanentRejection(err({ code: 'EMESSAGE', responseCode: 554, permanent: true }))).toBe(true);
    expect(isPermanentRejection(err({ code: 'EENVELOPE', responseCode: 451, permanent: false }))).toBe(false);
    expect(isPermanentRejection(err({ code: 'ECONNECTION' }))).toBe(false);
    expect(isPermanentRejection(err({ code: 'EAUTH', responseCode: 535, permanent: true }))).toBe(false);
    expect(isPermanentRejection(null)).toBe(false);
  });
});
