/** How long a stored session may stay pending before the trigger reports it as expired. */
export const PENDING_LIFETIME_MS = 15 * 60 * 1000;
