/** An order as this subgraph knows it: the key the gateway sends. */
export interface OrderRef {
  id: string;
}
