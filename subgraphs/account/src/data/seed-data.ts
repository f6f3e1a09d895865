/**
 * DEV DEFAULTS ONLY — known passwords, printed by ./scripts/dev. The demo customer has the id the
 * other subgraphs' demo rows (cart, order) belong to.
 */
export const DEMO_CUSTOMER = {
  id: 'c0ffee00-0000-4000-8000-000000000001',
  email: 'demo@example.com',
  password: 'demo-shopper-pass',
  roles: ['customer'],
  firstName: 'Dee',
  lastName: 'Mo',
};
export const DEV_ADMIN = {
  id: 'ad000000-0000-4000-8000-000000000001',
  email: 'admin@example.com',
  password: 'dev-admin-pass-change-me',
  roles: ['admin'],
  firstName: 'Shop',
  lastName: 'Admin',
};
export const DEV_ACCOUNTS = [DEMO_CUSTOMER, DEV_ADMIN];
