/** A New York delivery address as a shopper enters it (NY: 4 % tax in the seed): one copy for every test. */
export const NEW_YORK = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  address1: '1 Analytical Way',
  city: 'New York',
  province: 'NY',
  postalCode: '10001',
  countryCode: 'US',
};
