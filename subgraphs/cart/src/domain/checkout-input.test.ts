import { describe, expect, it } from 'vitest';
import { userErrorsFromZod } from '@shop/platform';
import { checkoutInputModel } from './checkout-input.ts';

const valid = {
  email: ' Ada@Example.com ',
  shippingAddress: { name: 'Ada', line1: '1 Way', city: 'London', postalCode: 'N1', countryCode: 'gb' },
  paymentToken: 'tok_visa',
  idempotencyKey: 'abcdefgh',
};

describe('checkout input', () => {
  it('accepts a complete input and normalises it', () => {
    const parsed = checkoutInputModel.parse(valid);
    expect(parsed.shippingAddress!.countryCode).toBe('GB');
    expect(parsed.shippingAddress!.line2).toBeNull();
    expect(parsed.shippingAddress!.province).toBeNull();
    expect(parsed.email).toBe('Ada@Example.com');
  });

  it('names every missing or malformed field', () => {
    const result = checkoutInputModel.safeParse({
      email: 'not-an-email',
      shippingAddress: { name: '', line1: ' ', city: 'X', postalCode: '', countryCode: 'USA' },
      paymentToken: ' ',
      idempotencyKey: 'short',
    });
    expect(result.success).toBe(false);
    const fields = userErrorsFromZod(result.error!, ['input']).map((e) => e.field!.join('.'));
    expect(fields.sort()).toEqual([
      'input.email',
      'input.idempotencyKey',
      'input.paymentToken',
      'input.shippingAddress.countryCode',
      'input.shippingAddress.line1',
      'input.shippingAddress.name',
      'input.shippingAddress.postalCode',
    ]);
  });

  it('leaves email and address to the cart when they are not given', () => {
    const parsed = checkoutInputModel.parse({ paymentToken: 'tok_visa', idempotencyKey: 'abcdefgh', expectedTotal: ' 25.00 ' });
    expect([parsed.email, parsed.shippingAddress, parsed.expectedTotal]).toEqual([undefined, undefined, '25.00']);
  });
});
