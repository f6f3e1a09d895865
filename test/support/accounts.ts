import { gql } from './stack.ts';

/** Client operations of the account subgraph, as a storefront sends them. */
const TOKEN_FIELDS = 'customerAccessToken { accessToken expiresAt refreshToken refreshExpiresAt } userErrors { code field message }';
export const REGISTER = `mutation ($input: CustomerRegisterInput!) { customerRegister(input: $input) { customer { id email emailVerified } ${TOKEN_FIELDS} } }`;
export const LOGIN = `mutation ($email: String!, $password: String!, $guestCartId: ID) {
  customerLogin(email: $email, password: $password, guestCartId: $guestCartId) { customer { id email } ${TOKEN_FIELDS} } }`;
export const REFRESH = `mutation ($t: String!) { customerTokenRefresh(refreshToken: $t) { customer { id } ${TOKEN_FIELDS} } }`;
export const LOGOUT = 'mutation ($t: String!) { customerLogout(refreshToken: $t) { loggedOut userErrors { code } } }';

export interface AccessToken {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
}
export interface UserErrorShape {
  code: string;
  field: string[] | null;
  message: string;
}
export interface AuthPayload {
  customer: { id: string; email: string; emailVerified?: boolean } | null;
  customerAccessToken: AccessToken | null;
  userErrors: UserErrorShape[];
}

/** The `kid` in a JWT's protected header. */
export const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** A unique email per call, so test files and reruns never collide. */
export const uniqueEmail = (tag: string) => `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

export async function register(url: string, input: Record<string, unknown>): Promise<AuthPayload> {
  const res = await gql<{ customerRegister: AuthPayload }>(url, REGISTER, { variables: { input } });
  if (!res.body.data) throw new Error(`customerRegister failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.customerRegister;
}

export async function login(
  url: string,
  email: string,
  password: string,
  headers: Record<string, string> = {},
  guestCartId?: string,
): Promise<AuthPayload> {
  const res = await gql<{ customerLogin: AuthPayload }>(url, LOGIN, { variables: { email, password, guestCartId }, headers });
  if (!res.body.data) throw new Error(`customerLogin failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.customerLogin;
}

export async function refresh(url: string, refreshToken: string): Promise<AuthPayload> {
  const res = await gql<{ customerTokenRefresh: AuthPayload }>(url, REFRESH, { variables: { t: refreshToken } });
  if (!res.body.data) throw new Error(`customerTokenRefresh failed: ${JSON.stringify(res.body.errors)}`);
  return res.body.data.customerTokenRefresh;
}
