/** What the breaking-change engine reports: one entry per difference between a base and a head contract. */
export type Verdict = 'breaking' | 'non-breaking';

export interface ContractChange {
  /** Kebab-case id from the rule catalogue (rules.ts), e.g. 'response-property-removed'. */
  rule: string;
  verdict: Verdict;
  /** Where: 'GET /albums/{sku} → 200 application/json .price' or 'event com.musiccorp.order.placed data .total'. */
  location: string;
  /** One line: what changed, and why that breaks (or does not break) a consumer. */
  message: string;
}

/** Which of the two documents handed to a diff function is wrong. */
export type DocumentRole = 'base' | 'head';

/**
 * A contract document that cannot be compared: its message names what is wrong, where (a JSON pointer into the
 * document) and the fix. Nothing is classified when either document is invalid.
 */
export class InvalidContractError extends Error {
  override name = 'InvalidContractError';
  constructor(
    message: string,
    /** JSON pointer of the offending value ('' for the whole document), when the error is about one document. */
    readonly pointer?: string,
    readonly document?: DocumentRole,
  ) {
    super(message);
  }
}
