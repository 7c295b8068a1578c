import type { JobProgress } from '@events';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/http';
import { smsApi, type FailedSms, type SmsCampaign } from '../api/sms';
import { SMS_CAMPAIGN_JOB } from '../realtime/jobs-state';
import { DATE, UNIT } from '../test/fixtures';
import { useJobsStore } from './jobs';
import { useSmsStore } from './sms';

const failed: FailedSms = {
  id: 'n1',
  kind: 'BOOKING_CONFIRMATION',
  toPhone: '+46701740661',
  reason: 'provider refused (400): invalid to',
  attempts: 1,
  createdAt: `${DATE}T08:00:00Z`,
  bookingId: 'b1',
  campaignId: null,
  body: 'Din tid …',
  patientName: 'Anna Andersson',
  visitAt: null,
};

const campaign: SmsCampaign = {
  campaignId: 'c1',
  jobId: 'sms-campaign-c1',
  unitId: UNIT,
  status: 'RUNNING',
  state: 'active',
  urgent: true,
  message: 'Ta med legitimation.',
  date: DATE,
  massCancellationId: null,
  sent: 3,
  failed: 0,
  skipped: 0,
  progress: { done: 3, total: 30 },
};

describe('sms store: dead letters and campaigns of the unit', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    vi.restoreAllMocks();
  });

  it('a retry reloads the list, so a message sent again leaves it', async () => {
    const failedApi = vi.spyOn(smsApi, 'failed').mockResolvedValueOnce([failed]).mockResolvedValueOnce([]);
    vi.spyOn(smsApi, 'campaigns').mockResolvedValue([]);
    const retry = vi
      .spyOn(smsApi, 'retry')
      .mockResolvedValue({ id: 'n1', status: 'PENDING', jobId: 'sms-n1-r1' });
    const store = useSmsStore();
    await store.load(UNIT);
    expect(store.failed).toHaveLength(1);
    expect(await store.retry('n1')).toBe(true);
    expect(retry).toHaveBeenCalledWith('n1');
    expect(failedApi).toHaveBeenCalledTimes(2);
    expect(store.failed).toEqual([]);
  });

  it('pausing a campaign that is no longer running says so (409), and nothing else changes', async () => {
    vi.spyOn(smsApi, 'failed').mockResolvedValue([]);
    vi.spyOn(smsApi, 'campaigns').mockResolvedValue([campaign]);
    vi.spyOn(smsApi, 'pause').mockRejectedValue(
      new ApiError({ statusCode: 409, error: 'Conflict', message: 'only a running campaign can be paused' }),
    );
    const store = useSmsStore();
    await store.load(UNIT);
    expect(await store.pause('c1')).toBe(false);
    expect(store.error).toEqual({ kind: 'conflict', message: 'only a running campaign can be paused' });
    expect(store.campaigns[0]!.status).toBe('RUNNING');
  });

  it('a campaign the live jobs state does not know yet asks for a fresh snapshot; a known one moves', () => {
    const jobs = useJobsStore();
    jobs.begin(UNIT);
    jobs.receiveSnapshot(1, {
      unitId: UNIT,
      jobs: [
        {
          jobId: campaign.jobId,
          queue: 'sms',
          name: SMS_CAMPAIGN_JOB,
          state: 'active',
          progress: { done: 3, total: 30 },
        },
      ],
    });
    const event = (version: number, jobId: string, done: number): JobProgress => ({
      topic: 'jobs',
      unitId: UNIT,
      version,
      jobId,
      queue: 'sms',
      name: SMS_CAMPAIGN_JOB,
      state: 'active',
      progress: { done, total: 30 },
      at: `${DATE}T08:00:00Z`,
    });
    expect(jobs.receiveProgress(event(2, campaign.jobId, 12))).toBe(false);
    expect(jobs.jobs.find((j) => j.jobId === campaign.jobId)!.progress.done).toBe(12);
    expect(jobs.receiveProgress(event(3, 'sms-campaign-new', 1))).toBe(true);
  });
});
