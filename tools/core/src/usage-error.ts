/** A problem the user fixes by changing the command line or the checkout; the message names the fix. CLIs exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
