import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError } from '../api/http';
import { smsApi, type FailedSms, type SmsCampaign, type SmsCampaignRequest } from '../api/sms';

export type SmsError = 'forbidden' | 'invalid' | 'conflict' | 'unavailable';

function classify(e: unknown): { kind: SmsError; message: string | null } {
  if (e instanceof ApiError) {
    const message = e.messages.join('; ') || null;
    if (e.status === 403) return { kind: 'forbidden', message };
    if (e.status === 400 || e.status === 404 || e.status === 422) return { kind: 'invalid', message };
    if (e.status === 409) return { kind: 'conflict', message };
  }
  return { kind: 'unavailable', message: null };
}

/** The unit's SMS: final failures with retry, and mass campaigns with pause/resume/cancel. */
export const useSmsStore = defineStore('sms', () => {
  const unitId = ref<string | null>(null);
  const failed = ref<FailedSms[]>([]);
  const campaigns = ref<SmsCampaign[]>([]);
  const loading = ref(false);
  const error = ref<{ kind: SmsError; message: string | null } | null>(null);
  const busy = ref<Record<string, true>>({});

  async function load(forUnit: string): Promise<void> {
    unitId.value = forUnit;
    loading.value = true;
    error.value = null;
    try {
      const [f, c] = await Promise.all([smsApi.failed(forUnit), smsApi.campaigns(forUnit)]);
      failed.value = f;
      campaigns.value = c;
    } catch (e) {
      error.value = classify(e);
    } finally {
      loading.value = false;
    }
  }

  async function act(key: string, fn: () => Promise<unknown>): Promise<boolean> {
    busy.value = { ...busy.value, [key]: true };
    error.value = null;
    try {
      await fn();
      if (unitId.value) await load(unitId.value);
      return true;
    } catch (e) {
      error.value = classify(e);
      return false;
    } finally {
      const { [key]: _, ...rest } = busy.value;
      busy.value = rest;
    }
  }

  const retry = (id: string) => act(id, () => smsApi.retry(id));
  const pause = (id: string) => act(id, () => smsApi.pause(id));
  const resume = (id: string) => act(id, () => smsApi.resume(id));
  const cancel = (id: string) => act(id, () => smsApi.cancel(id));
  const startCampaign = (body: SmsCampaignRequest) =>
    act('new', () => smsApi.startCampaign(unitId.value!, body));

  /** A live progress event of one of the unit's campaigns (from the jobs topic). */
  function applyProgress(e: {
    jobId: string;
    progress: { done: number; total: number };
    status?: string;
  }): void {
    const i = campaigns.value.findIndex((c) => c.jobId === e.jobId);
    if (i < 0) return;
    const next = [...campaigns.value];
    next[i] = {
      ...next[i]!,
      progress: { ...e.progress },
      ...(e.status ? { status: e.status as SmsCampaign['status'] } : {}),
    };
    campaigns.value = next;
  }

  function $reset(): void {
    unitId.value = null;
    failed.value = [];
    campaigns.value = [];
    loading.value = false;
    error.value = null;
    busy.value = {};
  }

  return {
    unitId,
    failed,
    campaigns,
    loading,
    error,
    busy,
    load,
    retry,
    pause,
    resume,
    cancel,
    startCampaign,
    applyProgress,
    $reset,
  };
});
