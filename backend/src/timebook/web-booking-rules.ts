/** Why a patient cannot book on the web (R3, R4), or undefined when they can. */
export interface WebRefusal {
  rule: 'R3' | 'R4';
  reason: 'PROTECTED_IDENTITY' | 'RESERVE_NUMBER';
  message: string;
}

export function webBookingRefusal(p: {
  protected_identity: boolean;
  identity_type: string;
}): WebRefusal | undefined {
  if (p.protected_identity)
    return {
      rule: 'R3',
      reason: 'PROTECTED_IDENTITY',
      message:
        'patients with protected identity cannot book on the web: call the vaccination unit, whose staff book for you',
    };
  if (p.identity_type === 'RESERVNUMMER')
    return {
      rule: 'R4',
      reason: 'RESERVE_NUMBER',
      message:
        'patients with a reserve number cannot book on the web: call the vaccination unit, whose staff book for you',
    };
  return undefined;
}

/**
 * Eligibility for a dose-N visit type: dose N-1 must be on record in the same disease area
 * (historical doses count, voided ones do not). Returns the refusal message, or undefined.
 */
export function doseEligibility(
  visitTypeDose: number | null,
  highestDoseOnRecord: number,
): string | undefined {
  if (!visitTypeDose || visitTypeDose <= 1) return undefined;
  if (highestDoseOnRecord >= visitTypeDose - 1) return undefined;
  return `dose ${visitTypeDose} needs dose ${visitTypeDose - 1} on record first`;
}
