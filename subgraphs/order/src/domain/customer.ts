/** A customer as this subgraph knows it: just the JWT subject. */
export interface CustomerRef {
  id: string;
}
