/**
 * The SMS job id of a notification: deterministic, so BullMQ keeps one job however often it is
 * enqueued (outbox relay, sweep, two workers). A staff retry or a campaign resume bumps `jobSeq`
 * for a fresh job, since the old id may still sit among completed or failed jobs.
 */
export function smsJobId(notificationId: string, jobSeq = 0): string {
  return jobSeq ? `sms-${notificationId}-r${jobSeq}` : `sms-${notificationId}`;
}
