/** A checkout as this subgraph knows it: its id, which is also the order's id. */
export interface CheckoutRef {
  id: string;
}
