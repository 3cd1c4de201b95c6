import { createHash } from 'node:crypto';

/**
 * The test card that is always declined (README: Test cards). Any other number that passes the Luhn check is
 * captured: there is no card network behind this service yet.
 */
export const DECLINED_TEST_CARD = '4000000000000002';

/** 12 to 19 digits, no spaces: the request schema's rule for `cardNumber`. */
export const CARD_NUMBER_PATTERN = '^[0-9]{12,19}$';

/** The Luhn checksum every card number carries in its last digit: catches a mistyped digit. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** What may be shown and logged of a card number: its last four digits. */
export const lastFour = (cardNumber: string) => cardNumber.slice(-4);

/** Tells whether a retry uses the same card without keeping the number: a SHA-256 of it. */
export const cardFingerprint = (cardNumber: string) => createHash('sha256').update(cardNumber).digest('hex');
