import { http, request, seg } from './http';

/** A message that failed for good (the dead-letter list), with the reason. */
export interface FailedSms {
  id: string;
  kind: string;
  toPhone: string;
  reason: string | null;
  attempts: number;
  createdAt: string;
  bookingId: string | null;
  campaignId: string | null;
  body: string;
  patientName: string | null;
  visitAt: string | null;
}

export type CampaignStatus = 'RUNNING' | 'PAUSED' | 'CANCELLED' | 'COMPLETED';

export interface SmsCampaign {
  campaignId: string;
  jobId: string;
  unitId: string;
  status: CampaignStatus;
  state: string;
  urgent: boolean;
  message: string;
  date: string | null;
  massCancellationId: string | null;
  sent: number;
  failed: number;
  skipped: number;
  progress: { done: number; total: number };
  createdAt?: string;
  finishedAt?: string | null;
}

export interface SmsCampaignRequest {
  date: string;
  from?: string;
  to?: string;
  visitTypeId?: string;
  message: string;
  urgent: boolean;
}

export interface SinkMessage {
  id: string;
  from: string;
  to: string;
  message: string;
  at: string;
}

export interface SmsPreferences {
  smsOptOut: boolean;
  phone: string | null;
  smsPossible: boolean;
}

export const smsApi = {
  failed: (unitId: string) => http.get<FailedSms[]>(`/units/${seg(unitId)}/sms/failed`),
  retry: (id: string) =>
    http.post<{ id: string; status: string; jobId: string }>(`/sms/notifications/${seg(id)}/retry`),
  campaigns: (unitId: string) => http.get<SmsCampaign[]>(`/units/${seg(unitId)}/sms-campaigns`),
  startCampaign: (unitId: string, body: SmsCampaignRequest) =>
    http.post<{ campaignId: string; jobId: string; total: number }>(
      `/units/${seg(unitId)}/sms-campaigns`,
      body,
    ),
  pause: (id: string) => http.post<SmsCampaign>(`/sms-campaigns/${seg(id)}/pause`),
  resume: (id: string) => http.post<SmsCampaign>(`/sms-campaigns/${seg(id)}/resume`),
  cancel: (id: string) => http.post<SmsCampaign>(`/sms-campaigns/${seg(id)}/cancel`),
  /** ADMIN: a short-lived cookie that opens Bull Board at /admin/queues. */
  queueSession: () => http.post<void>('/admin/queues/session'),
  /** dev/demo only: what the local SMS sink caught, newest first. */
  sinkMessages: () => http.get<SinkMessage[]>('/dev/sms-sink/messages'),
  /** The citizen's own choice (R18), with the citizen session's token. */
  preferences: (token: string) =>
    request<SmsPreferences>('GET', '/citizen/sms-preferences', { token, ownSession: true }),
  setPreferences: (token: string, smsOptOut: boolean) =>
    request<{ smsOptOut: boolean }>('PUT', '/citizen/sms-preferences', {
      token,
      ownSession: true,
      body: { smsOptOut },
    }),
};
