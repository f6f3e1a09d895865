import { describe, expect, it } from 'vitest';
import { addressInput, emailField, parseInput, registerInput, updateInput } from './account-input.ts';

const ADDRESS = { address1: '1 Main St', city: 'Springfield', postalCode: '12345', countryCode: 'us' };

describe('registerInput', () => {
  it('trims the email, turns blank names into null and a missing marketing choice into false', () => {
    const parsed = parseInput(registerInput, { email: '  Ann@Example.com ', password: ' kept as typed ', firstName: '  ', lastName: ' Lee ' }, [
      'input',
    ]);
    expect(parsed).toEqual({
      ok: true,
      value: { email: 'Ann@Example.com', password: ' kept as typed ', firstName: null, lastName: 'Lee', acceptsMarketing: false },
    });
  });

  it('answers every problem at once under the input path', () => {
    const parsed = parseInput(registerInput, { email: 'not-an-email', password: 'x', firstName: 'x'.repeat(101) }, ['input']);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.userErrors).toEqual([
      { code: 'INVALID', message: 'Enter a valid email address.', field: ['input', 'email'] },
      expect.objectContaining({ code: 'TOO_LONG', field: ['input', 'firstName'] }),
    ]);
  });

  it('refuses an email longer than 254 characters', () => {
    expect(emailField.safeParse(`${'a'.repeat(250)}@example.com`).success).toBe(false);
  });
});

describe('updateInput', () => {
  it('keeps only the fields given: an absent field is left alone, null or blank clears it', () => {
    expect(parseInput(updateInput, { email: 'new@example.com' }, ['input'])).toEqual({ ok: true, value: { email: 'new@example.com' } });
    const cleared = parseInput(updateInput, { firstName: null, lastName: '  ', phone: '' }, ['input']);
    expect(cleared).toEqual({ ok: true, value: { firstName: null, lastName: null, phone: null } });
  });

  it('keeps acceptsMarketing false as false and null as unchanged', () => {
    expect(parseInput(updateInput, { acceptsMarketing: false }, ['input'])).toEqual({ ok: true, value: { acceptsMarketing: false } });
    expect(parseInput(updateInput, { acceptsMarketing: null }, ['input'])).toEqual({ ok: true, value: { acceptsMarketing: undefined } });
  });

  it('refuses a phone number without enough digits', () => {
    for (const phone of ['call me', '()-()', '+1 2']) {
      const parsed = parseInput(updateInput, { phone }, ['input']);
      expect(parsed.ok ? [] : parsed.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID', ['input', 'phone']]]);
    }
    expect(parseInput(updateInput, { phone: ' +1 (555) 010-9999 ' }, ['input'])).toEqual({ ok: true, value: { phone: '+1 (555) 010-9999' } });
  });
});

describe('addressInput', () => {
  it('upper-cases the country code and turns blank optional fields into null', () => {
    const parsed = parseInput(addressInput, { ...ADDRESS, company: '', address2: '  ', phone: '' }, ['input']);
    expect(parsed).toEqual({
      ok: true,
      value: { ...ADDRESS, countryCode: 'US', firstName: null, lastName: null, company: null, address2: null, province: null, phone: null },
    });
  });

  it('requires address1, city and postal code, and a two-letter country', () => {
    const parsed = parseInput(addressInput, { address1: '  ', city: '', postalCode: '1', countryCode: 'USA' }, ['address']);
    expect(parsed.ok ? [] : parsed.userErrors.map((e) => [e.code, e.field?.join('.')])).toEqual([
      ['REQUIRED', 'address.address1'],
      ['REQUIRED', 'address.city'],
      ['INVALID', 'address.countryCode'],
    ]);
  });
});
